"""Computed page values: timestamps, people-by, unique ids, formulas and rollups; property items."""

from __future__ import annotations

import statistics
from datetime import date
from typing import Any
from urllib.parse import unquote

from syncbridge.sandbox import datevalues, formula, limits
from syncbridge.sandbox.bodycheck import fail
from syncbridge.sandbox.props_context import JSON, PropertyContext
from syncbridge.sandbox.props_values import align_values, user_object
from syncbridge.sandbox.rich_text import plain_text

_MAX_FORMULA_DEPTH = 16
_PAGED_TYPES = ("title", "rich_text", "people", "relation", "rollup")


def recompute(schema: dict[str, JSON], values: JSON, *, page: JSON, ctx: PropertyContext) -> JSON:
    """Complete ``values`` for ``page``: one value per schema property, computed ones refreshed.

    Values of properties no longer in the schema are dropped; a value whose type no longer
    matches its property is replaced by the empty value. Returns a new dict in schema order.
    """
    out = align_values(schema, values)  # a value under an old name is found by its id
    for name, prop in schema.items():
        out[name] = _fixed(prop, out[name], page, ctx)
    for name, prop in schema.items():
        if prop["type"] == "rollup":
            out[name] = {**out[name], "rollup": rollup_value(prop, out, schema, ctx)}
    evaluator = _Formulas(schema, out, ctx)
    for name, prop in schema.items():
        if prop["type"] == "formula":
            out[name] = {**out[name], "formula": evaluator.value(name)}
    return out


def _fixed(prop: JSON, value: JSON, page: JSON, ctx: PropertyContext) -> JSON:
    kind = prop["type"]
    if kind in ("created_time", "last_edited_time"):
        return {**value, kind: page.get(kind) or ctx.now}
    if kind in ("created_by", "last_edited_by"):
        actor = page.get(kind) or ctx.user
        user = ctx.get_user(actor.get("id", "")) if isinstance(actor, dict) else None
        return {**value, kind: user_object(user) if user else dict(actor)}
    if kind == "unique_id":
        current = value.get("unique_id") or {}
        number = current.get("number")
        if number is None:
            number = ctx.next_unique_id(ctx.data_source_id, prop["id"])
        return {
            **value,
            "unique_id": {"prefix": (prop.get("unique_id") or {}).get("prefix"), "number": number},
        }
    return value


# ---- plain Python views of values (formulas, rollups and filters read these) ----------------


def python_value(value: JSON | None) -> Any:
    """A stored value as a plain Python value (text, number, bool, date, list, None)."""
    if not value:
        return None
    kind = value.get("type")
    inner = value.get(kind) if isinstance(kind, str) else None
    if kind in ("title", "rich_text"):
        return plain_text(inner)
    if kind in ("select", "status"):
        return inner["name"] if inner else None
    if kind == "multi_select":
        return [o["name"] for o in inner or []]
    if kind in ("date",):
        return datevalues.parse(inner["start"]) if inner else None
    if kind in ("created_time", "last_edited_time"):
        return datevalues.parse(inner) if inner else None
    if kind in ("people",):
        return [u.get("name") or u.get("id") for u in inner or []]
    if kind in ("created_by", "last_edited_by"):
        return (inner or {}).get("name") or (inner or {}).get("id")
    if kind == "relation":
        return [r["id"] for r in inner or []]
    if kind == "files":
        return [f.get("name") for f in inner or []]
    if kind == "unique_id":
        if not inner or inner.get("number") is None:
            return None
        prefix = inner.get("prefix")
        return f"{prefix}-{inner['number']}" if prefix else inner["number"]
    if kind in ("formula", "rollup"):
        return result_python(inner)
    if kind == "verification":
        return (inner or {}).get("state")
    return inner


def result_python(result: JSON | None) -> Any:
    """A formula/rollup result (``{"type": "number", "number": 2}``) as a Python value."""
    if not result:
        return None
    kind = result.get("type")
    inner = result.get(kind) if isinstance(kind, str) else None
    if kind == "date":
        return datevalues.parse(inner["start"]) if inner else None
    if kind == "array":
        return [python_value(item) for item in inner or []]
    if kind in ("string", "number", "boolean"):
        return inner
    return None


class _Formulas:
    """Evaluates a page's formulas, resolving references to other formulas on demand."""

    def __init__(self, schema: dict[str, JSON], values: JSON, ctx: PropertyContext) -> None:
        self.schema = schema
        self.values = values
        self.ctx = ctx
        self.by_id = {unquote(p["id"]): n for n, p in schema.items()}
        self.done: dict[str, JSON] = {}
        self.active: list[str] = []

    def value(self, name: str) -> JSON:
        if name in self.done:
            return self.done[name]
        stored = self.values[name].get("formula")
        expression = (self.schema[name].get("formula") or {}).get("expression", "")
        if name in self.active or len(self.active) > _MAX_FORMULA_DEPTH:
            return stored or {"type": "string", "string": None}
        self.active.append(name)
        try:
            result = formula.result_value(
                formula.evaluate(expression, self.resolve, now=self.ctx.now)
            )
        except (formula.Unsupported, RecursionError):
            result = stored or {"type": "string", "string": None}
        finally:
            self.active.pop()
        self.done[name] = result
        return result

    def resolve(self, key: str) -> Any:
        name = key if key in self.schema else self.by_id.get(unquote(key))
        if name is None:
            raise formula.Unsupported(f"unknown property {key}")
        if self.schema[name]["type"] == "formula":
            return result_python(self.value(name))
        return python_value(self.values[name])


# ---- rollups ----------------------------------------------------------------------------------

_COUNTS = ("count", "count_values", "empty", "not_empty", "unique", "checked", "unchecked")
_PERCENTS = ("percent_empty", "percent_not_empty", "percent_checked", "percent_unchecked")
_NUMERIC = ("sum", "average", "median", "min", "max", "range")
_DATES = ("earliest_date", "latest_date", "date_range")


def rollup_value(prop: JSON, values: JSON, schema: dict[str, JSON], ctx: PropertyContext) -> JSON:
    """Compute a rollup from the related pages' values."""
    conf = prop.get("rollup") or {}
    func = conf.get("function", "show_original")
    rel_name = next(
        (n for n, p in schema.items() if unquote(p["id"]) == conf.get("relation_property_id")),
        str(conf.get("relation_property_name", "")),
    )
    related = ((values.get(rel_name) or {}).get("relation")) or []
    items: list[JSON] = []
    for ref in related:
        page = ctx.get_page(ref["id"])
        if page is None:
            continue
        found = _rolled(page, conf)
        if found is not None:
            items.append(found)
    return {**_aggregate(func, items, len(related)), "function": func}


def _rolled(page: JSON, conf: JSON) -> JSON | None:
    wanted = conf.get("rollup_property_id")
    for name, value in (page.get("properties") or {}).items():
        if unquote(str(value.get("id", ""))) == wanted or (
            wanted is None and name == conf.get("rollup_property_name")
        ):
            kind = value["type"]
            item: JSON = {"type": kind, kind: value.get(kind)}
            return item
    return None


def _is_empty(item: JSON) -> bool:
    v = item.get(item["type"])
    return v is None or v == [] or v == "" or (item["type"] == "checkbox" and v is False)


def _aggregate(func: str, items: list[JSON], related: int) -> JSON:
    if func == "show_original":
        return {"type": "array", "array": items}
    if func == "show_unique":
        unique: list[JSON] = []
        for item in items:
            if item not in unique:
                unique.append(item)
        return {"type": "array", "array": unique}
    if func in _COUNTS or func in _PERCENTS:
        return {"type": "number", "number": _count(func, items, related)}
    if func in _NUMERIC:
        numbers = [n for n in (_as_number(i) for i in items) if n is not None]
        return {"type": "number", "number": _numeric(func, numbers)}
    if func in _DATES:
        return {"type": "date", "date": _date_range(func, items)}
    return {"type": "unsupported", "unsupported": {}}


def _count(func: str, items: list[JSON], related: int) -> float | int:
    total = len(items)
    filled = sum(not _is_empty(i) for i in items)
    checked = sum(i.get("checkbox") is True for i in items)
    if func == "count":
        return related
    if func == "unique":
        return len({repr(python_value(i)) for i in items if not _is_empty(i)})
    counts = {
        "count_values": filled,
        "not_empty": filled,
        "empty": total - filled,
        "checked": checked,
        "unchecked": total - checked,
    }
    if func in counts:
        return counts[func]
    if total == 0:
        return 0
    part = {
        "percent_empty": total - filled,
        "percent_not_empty": filled,
        "percent_checked": checked,
        "percent_unchecked": total - checked,
    }[func]
    return part / total


def _as_number(item: JSON) -> float | int | None:
    value = python_value(item)
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _numeric(func: str, numbers: list[float | int]) -> float | int | None:
    if not numbers:
        return 0 if func == "sum" else None
    result: float | int
    if func == "sum":
        result = sum(numbers)
    elif func == "average":
        result = statistics.fmean(numbers)
    elif func == "median":
        result = statistics.median(numbers)
    elif func == "min":
        result = min(numbers)
    elif func == "max":
        result = max(numbers)
    else:
        result = max(numbers) - min(numbers)
    return int(result) if isinstance(result, float) and result.is_integer() else result


def _date_range(func: str, items: list[JSON]) -> JSON | None:
    dated: list[tuple[datevalues.Moment, str]] = []
    for item in items:
        value = python_value(item)
        if isinstance(value, date):
            dated.append((datevalues.moment(value), datevalues.render(value)))
    if not dated:
        return None
    dated.sort(key=lambda d: (d[0].day, d[0].minute or 0))
    if func == "earliest_date":
        return {"start": dated[0][1], "end": None, "time_zone": None}
    if func == "latest_date":
        return {"start": dated[-1][1], "end": None, "time_zone": None}
    return {"start": dated[0][1], "end": dated[-1][1], "time_zone": None}


# ---- answers ------------------------------------------------------------------------------------


def response_properties(values: JSON) -> JSON:
    """Stored values as a page answer shows them: relations cut to 25 refs with ``has_more``.

    Notion's page objects carry at most 25 related pages per relation (recorded traffic); the
    full list is read with ``GET /v1/pages/{id}/properties/{prop}``. Returns ``values`` itself
    when nothing needs cutting, so the common case copies nothing.
    """
    long = [
        name
        for name, v in values.items()
        if v.get("type") == "relation" and len(v.get("relation") or ()) > limits.MAX_RESPONSE_REFS
    ]
    if not long:
        return values
    out = dict(values)
    for name in long:
        refs = values[name]["relation"][: limits.MAX_RESPONSE_REFS]
        out[name] = {**values[name], "relation": refs, "has_more": True}
    return out


# ---- GET /v1/pages/{id}/properties/{prop} -------------------------------------------------------


def property_item(
    schema_prop: JSON, value: JSON, *, start_cursor: str | None, page_size: int
) -> JSON:
    """The property-item answer: the value itself, or a paginated list for list-like types."""
    kind = schema_prop["type"]
    pid = schema_prop["id"]
    inner = value.get(kind)
    if kind not in _PAGED_TYPES:
        return {"object": "property_item", "id": pid, "type": kind, kind: inner}
    if kind == "rollup":
        rollup = inner or {}
        elements = list(rollup.get("array") or []) if rollup.get("type") == "array" else []
        summary: JSON = {**rollup, "array": []} if rollup.get("type") == "array" else dict(rollup)
        entries = [
            {"object": "property_item", "id": pid, "type": e["type"], e["type"]: e.get(e["type"])}
            for e in elements
        ]
    else:
        summary = {}
        entries = [
            {"object": "property_item", "type": kind, "id": pid, kind: e} for e in inner or []
        ]
    start = _cursor(start_cursor, len(entries))
    page = entries[start : start + page_size]
    more = start + page_size < len(entries)
    return {
        "object": "list",
        "results": page,
        "next_cursor": str(start + page_size) if more else None,
        "has_more": more,
        "type": "property_item",
        "property_item": {"id": pid, "next_url": None, "type": kind, kind: summary},
    }


def _cursor(start_cursor: str | None, size: int) -> int:
    if start_cursor is None:
        return 0
    if not start_cursor.isdigit() or int(start_cursor) > size:
        fail("query.start_cursor", "should be a cursor from a previous answer", start_cursor)
    return int(start_cursor)
