"""The property, query and rich-text functions the workspace uses (SP's modules).

Interim seam while SP's modules land: re-exports them when present, else minimal stand-ins
that handle titles and plain values only. Removed once properties/query/rich_text exist.
"""

from __future__ import annotations

import itertools
from typing import Any

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.props_context import PropertyContext
from syncbridge.sandbox.rich_text import normalize_rich_text

__all__ = ["PropertyContext", "normalize_rich_text"]

_ids = itertools.count(1)


def create_schema(request_properties: dict[str, Any], *, ctx: PropertyContext) -> dict[str, Any]:
    """Stand-in: any type, config kept as given."""
    out = {}
    for name, conf in request_properties.items():
        kind = conf.get("type") or next(k for k in conf if k not in ("name", "description"))
        pid = "title" if kind == "title" else f"p{next(_ids)}"
        out[name] = {
            "id": pid,
            "name": name,
            "description": None,
            "type": kind,
            kind: conf.get(kind, {}),
        }
    return out


def update_schema(
    current: dict[str, Any], request_properties: dict[str, Any], *, ctx: PropertyContext
) -> dict[str, Any]:
    """Stand-in: add and remove only."""
    out = dict(current)
    for name, conf in request_properties.items():
        if conf is None:
            out.pop(name, None)
        else:
            out.update(create_schema({name: conf}, ctx=ctx))
    return out


def _value(prop: dict[str, Any], raw: Any) -> dict[str, Any]:
    kind = prop["type"]
    val = raw.get(kind) if isinstance(raw, dict) else raw
    if kind in ("title", "rich_text"):
        val = normalize_rich_text(val or [], path=f"body.properties.{prop['name']}.{kind}")
    return {"id": prop["id"], "type": kind, kind: val}


def new_page_properties(
    schema: dict[str, Any], request_properties: dict[str, Any], *, ctx: PropertyContext
) -> dict[str, Any]:
    """Stand-in."""
    return update_page_properties(
        schema, {n: _value(p, None) for n, p in schema.items()}, request_properties, ctx=ctx
    )


def update_page_properties(
    schema: dict[str, Any],
    current: dict[str, Any],
    request_properties: dict[str, Any],
    *,
    ctx: PropertyContext,
) -> dict[str, Any]:
    """Stand-in."""
    out = dict(current)
    by_id = {p["id"]: p for p in schema.values()}
    for key, raw in request_properties.items():
        prop = schema.get(key) or by_id.get(key)
        if prop is None:
            raise ValidationError(f"{key} is not a property that exists.")
        out[prop["name"]] = _value(prop, raw)
    return out


def recompute(
    schema: dict[str, Any], values: dict[str, Any], *, page: dict[str, Any], ctx: PropertyContext
) -> dict[str, Any]:
    """Stand-in: nothing computed."""
    return values


def property_item(
    schema_prop: dict[str, Any], value: dict[str, Any], *, start_cursor: str | None, page_size: int
) -> dict[str, Any]:
    """Stand-in: one item."""
    kind = schema_prop["type"]
    return {"object": "property_item", "id": schema_prop["id"], "type": kind, kind: value.get(kind)}


def filter_pages(
    pages: list[dict[str, Any]],
    filter: dict[str, Any] | None,
    schema: dict[str, Any],
    *,
    ctx: PropertyContext,
) -> list[dict[str, Any]]:
    """Stand-in: no filtering."""
    return pages


def sort_pages(
    pages: list[dict[str, Any]], sorts: list[Any] | None, schema: dict[str, Any]
) -> list[dict[str, Any]]:
    """Stand-in: no sorting."""
    return pages
