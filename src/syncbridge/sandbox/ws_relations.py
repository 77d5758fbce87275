"""Two-way relations: the back property in the related data source, and both sides' values.

Notion keeps a ``dual_property`` relation symmetric: the related data source gets a synced
relation property pointing back, and relating page A to page B also relates B to A.
"""

from __future__ import annotations

from urllib.parse import unquote

from syncbridge.sandbox import properties as props
from syncbridge.sandbox.ws_base import JSON, WorkspaceBase


def _dual(prop: JSON) -> JSON | None:
    conf = prop.get("relation") if prop.get("type") == "relation" else None
    if isinstance(conf, dict) and conf.get("type") == "dual_property":
        return conf
    return None


class RelationOps(WorkspaceBase):
    """Keeps both sides of dual-property relations in step."""

    def _link_dual_relations(self, ds_id: str) -> None:
        """Add the back property of each new two-way relation of ``ds_id`` to its target."""
        for name, prop in list(self.data_sources[ds_id]["properties"].items()):
            conf = _dual(prop)
            target = self.data_sources.get(conf["data_source_id"]) if conf else None
            if conf is None or target is None:
                continue
            back_id = conf["dual_property"]["synced_property_id"]
            if any(p["id"] == back_id for p in target["properties"].values()):
                continue
            back_name = _free_name(
                target["properties"], conf["dual_property"]["synced_property_name"]
            )
            source = self.data_sources[ds_id]
            back = {
                "id": back_id,
                "name": back_name,
                "description": None,
                "type": "relation",
                "relation": {
                    "database_id": source["parent"]["database_id"],
                    "data_source_id": ds_id,
                    "type": "dual_property",
                    "dual_property": {
                        "synced_property_name": name,
                        "synced_property_id": prop["id"],
                    },
                },
            }
            schema = {**target["properties"], back_name: back}
            self.data_sources[target["id"]] = {**target, "properties": schema}
            self._changed("data_source", target["id"])
            self._refill_rows(target["id"])

    def _refill_rows(self, ds_id: str) -> None:
        """Give every row of ``ds_id`` a value for each property (after a schema change)."""
        ds = self.data_sources[ds_id]
        ctx = self._ctx(ds_id)
        for page in list(self.rows[ds_id].values()):
            values = props.recompute(ds["properties"], page["properties"], page=page, ctx=ctx)
            self._store_page({**page, "properties": values})

    def _sync_back_relations(self, old: JSON | None, new: JSON) -> None:
        """Mirror changes of ``new``'s two-way relation values onto the related pages."""
        parent = new["parent"]
        if parent["type"] != "data_source_id":
            return
        schema = self.data_sources[parent["data_source_id"]]["properties"]
        for name, prop in schema.items():
            conf = _dual(prop)
            if conf is None:
                continue
            before = _ids((old or {}).get("properties", {}).get(name))
            after = _ids(new["properties"].get(name))
            back_id = conf["dual_property"]["synced_property_id"]
            for other in after - before:
                self._set_back(other, back_id, new["id"], present=True)
            for other in before - after:
                self._set_back(other, back_id, new["id"], present=False)

    def _set_back(self, page_id: str, back_id: str, source_id: str, *, present: bool) -> None:
        page = self.pages.get(page_id)
        if page is None or page_id == source_id:
            return
        name = next((n for n, v in page["properties"].items() if v.get("id") == back_id), None)
        if name is None:
            return
        value = page["properties"][name]
        refs = [r for r in value.get("relation") or [] if r.get("id") != source_id]
        if present:
            refs.append({"id": source_id})
        values = {**page["properties"], name: {**value, "relation": refs}}
        new = {**page, "properties": values, "last_edited_time": self.now_minute()}
        ds_id = new["parent"].get("data_source_id")
        if ds_id in self.data_sources:
            schema = self.data_sources[ds_id]["properties"]
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


def _free_name(schema: JSON, wanted: str) -> str:
    name, n = wanted, 2
    while name in schema:
        name, n = f"{wanted} {n}", n + 1
    return name
