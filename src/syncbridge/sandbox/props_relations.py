"""Two-way (``dual_property``) relations: keeping both data sources and both pages in step.

Notion mirrors a two-way relation: the related data source gets a synced relation property
(``Related to <source> (<name>)``) and adding page B to page A's relation adds A to B's synced
property. These pure functions compute those mirrored changes; the workspace applies them.
"""

from __future__ import annotations

from syncbridge.sandbox.props_context import JSON, PropertyContext
from syncbridge.sandbox.props_schema import ordered


def _dual_targets(schema: dict[str, JSON], target_ds_id: str) -> dict[str, JSON]:
    """Dual relations in ``schema`` pointing at ``target_ds_id``, by synced property id."""
    out: dict[str, JSON] = {}
    for prop in schema.values():
        rel = prop.get("relation") if prop["type"] == "relation" else None
        if rel and rel.get("type") == "dual_property" and rel.get("data_source_id") == target_ds_id:
            out[rel["dual_property"]["synced_property_id"]] = prop
    return out


def related_data_sources(schema: dict[str, JSON]) -> set[str]:
    """Data sources that ``schema``'s two-way relations point at."""
    return {
        p["relation"]["data_source_id"]
        for p in schema.values()
        if p["type"] == "relation" and (p.get("relation") or {}).get("type") == "dual_property"
    }


def sync_dual_relations(
    source_ds_id: str,
    source_schema: dict[str, JSON],
    target_ds_id: str,
    target_schema: dict[str, JSON],
    *,
    ctx: PropertyContext,
) -> dict[str, JSON] | None:
    """The target schema with synced properties matching the source's two-way relations.

    Adds a missing synced property, follows renames, and turns a synced property whose source
    relation is gone (removed or made one-way) into a one-way relation back to the source.
    ``ctx`` is the source's context (its database id). Returns None when nothing changes.
    """
    wanted = _dual_targets(source_schema, target_ds_id)
    out = dict(target_schema)
    by_id = {p["id"]: n for n, p in out.items()}
    for synced_id, source_prop in wanted.items():
        mirror = {
            "synced_property_name": source_prop["name"],
            "synced_property_id": source_prop["id"],
        }
        name = by_id.get(synced_id)
        if name is None:
            name = _free_name(out, source_prop["relation"]["dual_property"]["synced_property_name"])
            out[name] = {
                "id": synced_id,
                "name": name,
                "description": None,
                "type": "relation",
                "relation": {
                    "database_id": ctx.database_id,
                    "data_source_id": source_ds_id,
                    "type": "dual_property",
                    "dual_property": mirror,
                },
            }
        elif out[name].get("relation", {}).get("dual_property") != mirror:
            rel = {**out[name]["relation"], "type": "dual_property", "dual_property": mirror}
            rel.pop("single_property", None)
            out[name] = {**out[name], "relation": rel}
    keep = set(wanted)
    if source_ds_id == target_ds_id:
        # A two-way relation of a data source to itself: both halves live in this schema.
        keep |= {p["id"] for p in wanted.values()}
    for name, prop in list(out.items()):
        back = prop.get("relation") if prop["type"] == "relation" else None
        if (
            not back
            or back.get("type") != "dual_property"
            or back.get("data_source_id") != source_ds_id
        ):
            continue
        if prop["id"] not in keep:
            one_way = {k: v for k, v in back.items() if k != "dual_property"}
            out[name] = {
                **prop,
                "relation": {**one_way, "type": "single_property", "single_property": {}},
            }
    return None if out == target_schema else ordered(out)


def _free_name(schema: dict[str, JSON], name: str) -> str:
    candidate, n = name, 2
    while candidate in schema:
        candidate, n = f"{name} {n}", n + 1
    return candidate


def dual_relation_edits(
    schema: dict[str, JSON], old_values: JSON, new_values: JSON
) -> list[tuple[str, str, list[str], list[str]]]:
    """What a page write changes on the other side of its two-way relations.

    Returns ``(target data source id, synced property id, added page ids, removed page ids)``
    for every two-way relation whose value changed; apply each with :func:`apply_backlink`.
    """
    out = []
    for name, prop in schema.items():
        rel = prop.get("relation") if prop["type"] == "relation" else None
        if not rel or rel.get("type") != "dual_property":
            continue
        before = [r["id"] for r in (old_values.get(name) or {}).get("relation") or []]
        after = [r["id"] for r in (new_values.get(name) or {}).get("relation") or []]
        added = [i for i in after if i not in before]
        removed = [i for i in before if i not in after]
        if added or removed:
            synced = rel["dual_property"]["synced_property_id"]
            out.append((rel["data_source_id"], synced, added, removed))
    return out


def apply_backlink(
    target_schema: dict[str, JSON],
    target_values: JSON,
    synced_property_id: str,
    page_id: str,
    *,
    add: bool,
) -> JSON | None:
    """``target_values`` with ``page_id`` added to (or removed from) the synced property.

    Returns None when the target has no such property or nothing changes.
    """
    name = next((n for n, p in target_schema.items() if p["id"] == synced_property_id), None)
    if name is None:
        return None
    current = target_values.get(name) or {}
    refs = list(current.get("relation") or [])
    present = any(r["id"] == page_id for r in refs)
    if add == present:
        return None
    refs = [*refs, {"id": page_id}] if add else [r for r in refs if r["id"] != page_id]
    value = {"id": synced_property_id, "type": "relation", "relation": refs, "has_more": False}
    return {**target_values, name: value}
