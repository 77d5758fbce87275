"""Keeping derived values in step: rows after schema changes, two-way relations, rollups.

Notion keeps a ``dual_property`` relation symmetric: the related data source has a synced
relation property pointing back, and relating page A to page B also relates B to A. The rules
are SP's (``properties.sync_dual_relations`` …); this module applies them to the stored state.
"""

from __future__ import annotations

from urllib.parse import unquote

from syncbridge.sandbox import properties as props
from syncbridge.sandbox.ws_base import JSON, WorkspaceBase


class RelationOps(WorkspaceBase):
    """Row migration, two-way relation upkeep and rollup refresh."""

    def _migrate_rows(self, ds_id: str) -> None:
        """Re-key every row of ``ds_id`` to its current schema by property id.

        A renamed property keeps its values, a retyped one converts them where sensible
        (``convert_value``), a new one starts empty, a removed one is dropped.
        """
        schema = self.data_sources[ds_id]["properties"]
        ctx = self._ctx(ds_id)
        for page in list(self.rows[ds_id].values()):
            by_id = {v["id"]: v for v in page["properties"].values()}
            values = {n: props.convert_value(by_id.get(p["id"]), p) for n, p in schema.items()}
            values = props.recompute(schema, values, page=page, ctx=ctx)
            self._store_page({**page, "properties": values})

    def _link_dual_relations(self, ds_id: str, old_schema: JSON | None = None) -> None:
        """Bring the synced properties of every data source ``ds_id`` relates to up to date."""
        schema = self.data_sources[ds_id]["properties"]
        targets = props.related_data_sources(schema)
        if old_schema:
            targets |= props.related_data_sources(old_schema)
        ctx = self._ctx(ds_id)
        for target_id in sorted(targets):
            target = self.data_sources.get(target_id)
            if target is None:
                continue
            source_schema = self.data_sources[ds_id]["properties"]
            new = props.sync_dual_relations(
                ds_id, source_schema, target_id, target["properties"], ctx=ctx
            )
            if new is None:
                continue
            self.data_sources[target_id] = {**target, "properties": new}
            self._changed("data_source", target_id)
            self._migrate_rows(target_id)

    def _sync_back_relations(self, old: JSON | None, new: JSON) -> None:
        """Mirror changes of ``new``'s two-way relation values onto the related pages."""
        ds_id = new["parent"].get("data_source_id")
        if ds_id is None:
            return
        schema = self.data_sources[ds_id]["properties"]
        before = (old or {}).get("properties", {})
        for target_ds, synced_id, added, removed in props.dual_relation_edits(
            schema, before, new["properties"]
        ):
            for page_id in added:
                self._set_back(target_ds, page_id, synced_id, new["id"], add=True)
            for page_id in removed:
                self._set_back(target_ds, page_id, synced_id, new["id"], add=False)

    def _set_back(
        self, ds_id: str, page_id: str, synced_id: str, source: str, *, add: bool
    ) -> None:
        page = self.rows.get(ds_id, {}).get(page_id)
        if page is None:
            return
        schema = self.data_sources[ds_id]["properties"]
        values = props.apply_backlink(schema, page["properties"], synced_id, source, add=add)
        if values is None:
            return
        new = {**page, "last_edited_time": self.now_minute()}
        new["properties"] = props.recompute(schema, values, page=new, ctx=self._ctx(ds_id))
        self._store_page(new)

    def _refresh_rollups(self, changed: JSON) -> None:
        """Recompute rollups of pages related to ``changed`` (their inputs just changed)."""
        target = changed["parent"].get("data_source_id")
        if target is None:
            return
        for ds_id, ds in self.data_sources.items():
            relations = _rollup_relations(ds["properties"], target)
            if not relations:
                continue
            ctx = self._ctx(ds_id)
            for page in list(self.rows[ds_id].values()):
                if any(changed["id"] in _ids(page["properties"].get(n)) for n in relations):
                    values = props.recompute(
                        ds["properties"], page["properties"], page=page, ctx=ctx
                    )
                    if values != page["properties"]:
                        self._store_page({**page, "properties": values})


def _rollup_relations(schema: JSON, target_ds: str) -> set[str]:
    """Names of relation properties to ``target_ds`` that some rollup of ``schema`` reads."""
    by_id = {unquote(p["id"]): n for n, p in schema.items()}
    out = set()
    for prop in schema.values():
        if prop["type"] != "rollup":
            continue
        name = by_id.get(str((prop.get("rollup") or {}).get("relation_property_id")))
        rel = schema.get(name or "")
        if rel and rel["type"] == "relation" and rel["relation"]["data_source_id"] == target_ds:
            out.add(str(name))
    return out


def _ids(value: JSON | None) -> set[str]:
    refs = (value or {}).get("relation") or []
    return {str(r["id"]) for r in refs if isinstance(r, dict) and "id" in r}
