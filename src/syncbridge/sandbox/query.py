"""Data source query filters and sorts, compiled once per query into plain Python callables.

``filter_pages`` validates the whole filter first (a bad filter is a ValidationError naming its
path), builds one predicate, then runs it over the pages; no per-row validation or copying.
Text conditions compare case-insensitively (recorded traffic: ``contains "Doe"`` matches
``jane.doe@gmail.com``). Date-times compare by the minute — Notion stores them minute-rounded,
so ``on_or_after 10:07:30`` includes a page edited in minute 10:07 — and a date-only value on
either side compares by day.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, timedelta
from typing import Any

from syncbridge.sandbox import datevalues, limits
from syncbridge.sandbox.bodycheck import (
    UNDEFINED,
    fail,
    is_number,
    require_dict,
    require_list,
    require_uuid,
)
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.props_computed import python_value
from syncbridge.sandbox.props_context import JSON, PropertyContext
from syncbridge.sandbox.props_schema import find

Predicate = Callable[[JSON], bool]
Test = Callable[[Any], bool]

_TEXT = frozenset(["title", "rich_text", "url", "email", "phone_number"])
_PEOPLE = frozenset(["people", "created_by", "last_edited_by"])
_DATES = frozenset(["date", "created_time", "last_edited_time"])
_FAMILIES: dict[str, frozenset[str]] = {
    **dict.fromkeys(_TEXT, _TEXT),
    **dict.fromkeys(_PEOPLE, _PEOPLE),
    **dict.fromkeys(_DATES, _DATES),
}
_FILTER_TYPES = (
    _TEXT
    | _PEOPLE
    | _DATES
    | {"number", "checkbox", "select", "multi_select", "status", "files", "relation", "formula"}
    | {"rollup", "unique_id", "verification"}
)
_TIMESTAMPS = ("created_time", "last_edited_time")
_DIGITS = re.compile(r"(\d+)")


def filter_pages(
    pages: Iterable[JSON], filter: Any, schema: dict[str, JSON], *, ctx: PropertyContext
) -> list[JSON]:
    """The pages matching a query's ``filter`` (None keeps all), in their given order."""
    if filter is None:
        return list(pages)
    predicate = compile_filter(filter, schema, ctx=ctx)
    return [p for p in pages if predicate(p)]


def compile_filter(filter: Any, schema: dict[str, JSON], *, ctx: PropertyContext) -> Predicate:
    """Validate ``filter`` and return a predicate over page dicts."""
    today = datevalues.utc_day(ctx.now)
    return _compile(filter, "body.filter", 0, schema, today)


def _compile(f: Any, path: str, depth: int, schema: dict[str, JSON], today: date) -> Predicate:
    obj = require_dict(f, path)
    for op in ("and", "or"):
        if op in obj:
            if len(obj) != 1:
                other = next(k for k in obj if k != op)
                fail(f"{path}.{other}", "should be not present", obj[other])
            if depth >= limits.MAX_FILTER_DEPTH:
                nest = f"compound filters nest at most {limits.MAX_FILTER_DEPTH} levels"
                fail(path, f"should be a property filter: {nest}", obj)
            items = require_list(obj[op], f"{path}.{op}", limit=limits.MAX_COMPOUND_ITEMS)
            parts = [
                _compile(item, f"{path}.{op}[{n}]", depth + 1, schema, today)
                for n, item in enumerate(items)
            ]
            return _combine(op, parts)
    if "timestamp" in obj:
        return _timestamp(obj, path, today)
    if "property" not in obj:
        fail(f"{path}.property", "should be defined", UNDEFINED)
    return _property(obj, path, schema, today)


def _combine(op: str, parts: list[Predicate]) -> Predicate:
    # the common one- and two-part compounds skip the generator: this runs once per row
    if len(parts) == 1:
        return parts[0]
    if len(parts) == 2:
        a, b = parts
        if op == "and":
            return lambda page: a(page) and b(page)
        return lambda page: a(page) or b(page)
    if op == "and":
        return lambda page: all(p(page) for p in parts)
    return lambda page: any(p(page) for p in parts)


def _timestamp(obj: JSON, path: str, today: date) -> Predicate:
    kind = obj["timestamp"]
    if kind not in _TIMESTAMPS:
        fail(f"{path}.timestamp", "should be `created_time` or `last_edited_time`", kind)
    extra = [k for k in obj if k not in ("timestamp", kind)]
    if extra:
        fail(f"{path}.{extra[0]}", "should be not present", obj[extra[0]])
    cond = obj.get(kind, UNDEFINED)
    test = _date_test(cond, path=f"{path}.{kind}", today=today)
    fast = _minute_test(cond)

    def predicate(page: JSON) -> bool:
        stamp = page.get(kind)
        if fast is not None and isinstance(stamp, str) and len(stamp) == 24 and stamp[-1] == "Z":
            return fast(stamp[:16])
        return test(datevalues.moment_of(stamp))

    return predicate


_STRING_OPS: dict[str, Callable[[str, str], bool]] = {
    "equals": lambda s, x: s == x,
    "before": lambda s, x: s < x,
    "after": lambda s, x: s > x,
    "on_or_before": lambda s, x: s <= x,
    "on_or_after": lambda s, x: s >= x,
}


def _minute_test(cond: JSON) -> Callable[[str], bool] | None:
    """A string comparison on "YYYY-MM-DDTHH:MM" for a date-time operand (the sync hot path).

    Page timestamps are stored as UTC ``…:00.000Z``; comparing their first 16 characters with
    the operand's UTC minute is the same as comparing minutes, without parsing every row.
    """
    op, operand = next(iter(cond.items()))
    if op not in _STRING_OPS:
        return None
    parsed = datevalues.parse(operand)
    if not isinstance(parsed, datetime):
        return None
    x = parsed.astimezone(UTC).isoformat()[:16]
    compare = _STRING_OPS[op]
    return lambda s: compare(s, x)


def _property(obj: JSON, path: str, schema: dict[str, JSON], today: date) -> Predicate:
    key = obj["property"]
    if not isinstance(key, str):
        fail(f"{path}.property", "should be a string", key)
    name = find(schema, key)
    if name is None:
        raise ValidationError(f"Could not find property with name or id: {key}")
    prop = schema[name]
    kinds = [k for k in obj if k != "property"]
    bad = next((k for k in kinds if k not in _FILTER_TYPES), None)
    if bad is not None:
        fail(f"{path}.{bad}", "should be not present", obj[bad])
    if len(kinds) != 1:
        where = f"{path}.{kinds[1] if kinds else prop['type']}"
        fail(where, "should be the one condition of a property filter", obj.get(where, UNDEFINED))
    ftype = kinds[0]
    ptype = prop["type"]
    computed = ptype in ("formula", "rollup")
    if ftype != ptype and (computed or ptype not in _FAMILIES.get(ftype, ())):
        raise ValidationError(
            f"body failed validation: {path}.{ftype} does not match the type of property "
            f'"{name}" ({ptype}).'
        )
    test = _condition(ptype, obj[ftype], f"{path}.{ftype}", today)

    def predicate(page: JSON) -> bool:
        return test((page.get("properties") or {}).get(name))

    return predicate


# ---- conditions: each returns a test over the stored value dict (or None) --------------------


def _condition(ptype: str, cond: Any, path: str, today: date) -> Test:
    if ptype in _TEXT:
        t = _text_test(cond, path)
        return lambda v: t(_text_of(v))
    if ptype == "number":
        n = _number_test(cond, path)
        return lambda v: n(v.get("number") if v else None)
    if ptype == "unique_id":
        n = _number_test(cond, path)
        return lambda v: n(((v or {}).get("unique_id") or {}).get("number"))
    if ptype == "checkbox":
        c = _checkbox_test(cond, path)
        return lambda v: c(bool(v.get("checkbox")) if v else False)
    if ptype in ("select", "status"):
        s = _select_test(cond, path)
        return lambda v: s((v.get(ptype) or {}).get("name") if v else None)
    if ptype == "multi_select":
        m = _contains_test(cond, path, uuid=False)
        return lambda v: m([o.get("name") for o in v.get("multi_select") or []] if v else [])
    if ptype in _DATES:
        d = _date_test(cond, path, today)
        return lambda v: d(_moment_value(v))
    if ptype in _PEOPLE or ptype == "relation":
        p = _contains_test(cond, path, uuid=True)
        return lambda v: p(_ids(v))
    if ptype == "files":
        e = _empty_test(cond, path)
        return lambda v: e(not (v or {}).get("files"))
    if ptype == "formula":
        return _formula_test(cond, path, today)
    if ptype == "rollup":
        return _rollup_test(cond, path, today)
    if ptype == "verification":
        return _verification_test(cond, path)
    return fail(path, f"cannot filter a property of type {ptype}", cond)


def _text_of(value: JSON | None) -> str:
    if not value:
        return ""
    inner = value.get(value.get("type", ""))
    if isinstance(inner, list):
        return "".join(item.get("plain_text", "") for item in inner)
    return inner if isinstance(inner, str) else ""


def _one_op(cond: Any, path: str, ops: dict[str, str]) -> tuple[str, Any]:
    obj = require_dict(cond, path)
    if len(obj) != 1 or next(iter(obj)) not in ops:
        names = ", ".join(f"`{k}`" for k in ops)
        bad = next((k for k in obj if k not in ops), None)
        if bad is not None:
            fail(f"{path}.{bad}", f"should be not present (one of {names} is expected)", obj[bad])
        fail(path, f"should have exactly one of {names}", obj)
    op, operand = next(iter(obj.items()))
    kind = ops[op]
    where = f"{path}.{op}"
    if kind == "true" and operand is not True:
        fail(where, "should be `true`", operand)
    if kind == "str" and not isinstance(operand, str):
        fail(where, "should be a string", operand)
    if kind == "number" and not is_number(operand):
        fail(where, "should be a number", operand)
    if kind == "bool" and not isinstance(operand, bool):
        fail(where, "should be a boolean", operand)
    if kind == "object" and (not isinstance(operand, dict) or operand):
        fail(where, "should be an empty object", operand)
    if kind == "uuid":
        operand = require_uuid(operand, where)
    return op, operand


_EMPTY_OPS = {"is_empty": "true", "is_not_empty": "true"}


def _text_test(cond: Any, path: str) -> Callable[[str], bool]:
    ops = dict.fromkeys(
        ["equals", "does_not_equal", "contains", "does_not_contain", "starts_with", "ends_with"],
        "str",
    )
    op, arg = _one_op(cond, path, {**ops, **_EMPTY_OPS})
    if op == "is_empty":
        return lambda s: s == ""
    if op == "is_not_empty":
        return lambda s: s != ""
    x = arg.casefold()
    tests: dict[str, Callable[[str], bool]] = {
        "equals": lambda s: s.casefold() == x,
        "does_not_equal": lambda s: s.casefold() != x,
        "contains": lambda s: x in s.casefold(),
        "does_not_contain": lambda s: x not in s.casefold(),
        "starts_with": lambda s: s != "" and s.casefold().startswith(x),
        "ends_with": lambda s: s != "" and s.casefold().endswith(x),
    }
    return tests[op]


def _number_test(cond: Any, path: str) -> Test:
    ops = dict.fromkeys(
        [
            "equals",
            "does_not_equal",
            "greater_than",
            "less_than",
            "greater_than_or_equal_to",
            "less_than_or_equal_to",
        ],
        "number",
    )
    op, x = _one_op(cond, path, {**ops, **_EMPTY_OPS})
    num = is_number
    tests: dict[str, Test] = {
        "is_empty": lambda v: not num(v),
        "is_not_empty": num,
        "equals": lambda v: num(v) and v == x,
        "does_not_equal": lambda v: not (num(v) and v == x),
        "greater_than": lambda v: num(v) and v > x,
        "less_than": lambda v: num(v) and v < x,
        "greater_than_or_equal_to": lambda v: num(v) and v >= x,
        "less_than_or_equal_to": lambda v: num(v) and v <= x,
    }
    return tests[op]


def _checkbox_test(cond: Any, path: str) -> Callable[[bool], bool]:
    op, x = _one_op(cond, path, {"equals": "bool", "does_not_equal": "bool"})
    return (lambda b: b is x) if op == "equals" else (lambda b: b is not x)


def _select_test(cond: Any, path: str) -> Test:
    op, x = _one_op(cond, path, {"equals": "str", "does_not_equal": "str", **_EMPTY_OPS})
    tests: dict[str, Test] = {
        "is_empty": lambda v: v is None,
        "is_not_empty": lambda v: v is not None,
        "equals": lambda v: v == x,
        "does_not_equal": lambda v: v != x,
    }
    return tests[op]


def _contains_test(cond: Any, path: str, *, uuid: bool) -> Callable[[list[Any]], bool]:
    kind = "uuid" if uuid else "str"
    op, x = _one_op(cond, path, {"contains": kind, "does_not_contain": kind, **_EMPTY_OPS})
    tests: dict[str, Callable[[list[Any]], bool]] = {
        "is_empty": lambda v: not v,
        "is_not_empty": lambda v: bool(v),
        "contains": lambda v: x in v,
        "does_not_contain": lambda v: x not in v,
    }
    return tests[op]


def _empty_test(cond: Any, path: str) -> Callable[[bool], bool]:
    op, _ = _one_op(cond, path, _EMPTY_OPS)
    return (lambda empty: empty) if op == "is_empty" else (lambda empty: not empty)


def _ids(value: JSON | None) -> list[str]:
    if not value:
        return []
    inner = value.get(value["type"])
    if isinstance(inner, dict):
        return [inner.get("id", "")]
    return [i.get("id", "") for i in inner or []]


def _moment_value(value: JSON | None) -> datevalues.Moment | None:
    if not value:
        return None
    inner = value.get(value["type"])
    if isinstance(inner, dict):
        inner = inner.get("start")
    return datevalues.moment_of(inner) if isinstance(inner, str) else None


_RELATIVE = (
    "past_week",
    "past_month",
    "past_year",
    "this_week",
    "next_week",
    "next_month",
    "next_year",
)


def _date_test(cond: Any, path: str, today: date) -> Callable[[datevalues.Moment | None], bool]:
    ops = {
        **dict.fromkeys(["equals", "before", "after", "on_or_before", "on_or_after"], "str"),
        **dict.fromkeys(_RELATIVE, "object"),
        **_EMPTY_OPS,
    }
    op, arg = _one_op(cond, path, ops)
    if op == "is_empty":
        return lambda m: m is None
    if op == "is_not_empty":
        return lambda m: m is not None
    if op in _RELATIVE:
        lo, hi = _window(op, today)
        return lambda m: m is not None and lo <= m.day <= hi
    parsed = datevalues.parse(arg)
    if parsed is None:
        fail(f"{path}.{op}", "should be a valid ISO 8601 date string", arg)
    x = datevalues.moment(parsed)
    cmp = datevalues.compare
    tests: dict[str, Callable[[datevalues.Moment | None], bool]] = {
        "equals": lambda m: m is not None and cmp(m, x) == 0,
        "before": lambda m: m is not None and cmp(m, x) < 0,
        "after": lambda m: m is not None and cmp(m, x) > 0,
        "on_or_before": lambda m: m is not None and cmp(m, x) <= 0,
        "on_or_after": lambda m: m is not None and cmp(m, x) >= 0,
    }
    return tests[op]


def _window(op: str, today: date) -> tuple[date, date]:
    """The inclusive day range of a relative date condition (weeks start on Sunday)."""
    if op == "this_week":
        start = today - timedelta(days=(today.weekday() + 1) % 7)
        return start, start + timedelta(days=6)
    spans = {
        "past_week": (today - timedelta(days=7), today),
        "next_week": (today, today + timedelta(days=7)),
        "past_month": (datevalues.add_months(today, -1), today),
        "next_month": (today, datevalues.add_months(today, 1)),
        "past_year": (datevalues.add_months(today, -12), today),
        "next_year": (today, datevalues.add_months(today, 12)),
    }
    return spans[op]


def _formula_test(cond: Any, path: str, today: date) -> Test:
    obj = require_dict(cond, path)
    kinds = {"string": "string", "number": "number", "checkbox": "boolean", "date": "date"}
    if len(obj) != 1 or next(iter(obj)) not in kinds:
        fail(path, "should have exactly one of `string`, `number`, `checkbox`, `date`", obj)
    key, sub = next(iter(obj.items()))
    where = f"{path}.{key}"
    if key == "string":
        t = _text_test(sub, where)
        return lambda v: t(_formula_result(v, "string") or "")
    if key == "number":
        n = _number_test(sub, where)
        return lambda v: n(_formula_result(v, "number"))
    if key == "checkbox":
        c = _checkbox_test(sub, where)
        return lambda v: c(_formula_result(v, "boolean") is True)
    d = _date_test(sub, where, today)
    return lambda v: d(_formula_moment(v))


def _formula_result(value: JSON | None, kind: str) -> Any:
    result = (value or {}).get("formula") or {}
    return result.get(kind) if result.get("type") == kind else None


def _formula_moment(value: JSON | None) -> datevalues.Moment | None:
    inner = _formula_result(value, "date")
    return datevalues.moment_of(inner.get("start")) if isinstance(inner, dict) else None


def _rollup_test(cond: Any, path: str, today: date) -> Test:
    obj = require_dict(cond, path)
    keys = ("any", "every", "none", "number", "date")
    if len(obj) != 1 or next(iter(obj)) not in keys:
        fail(path, "should have exactly one of `any`, `every`, `none`, `number`, `date`", obj)
    key, sub = next(iter(obj.items()))
    where = f"{path}.{key}"
    if key == "number":
        n = _number_test(sub, where)
        return lambda v: n(_rollup_number(v))
    if key == "date":
        d = _date_test(sub, where, today)
        return lambda v: d(_rollup_moment(v))
    element = _element_test(sub, where, today)
    if key == "any":
        return lambda v: any(element(e) for e in _rollup_items(v))
    if key == "every":
        # recorded traffic: a page with no related values does not match `every`
        return lambda v: bool(items := _rollup_items(v)) and all(element(e) for e in items)
    return lambda v: not any(element(e) for e in _rollup_items(v))


def _element_test(sub: Any, path: str, today: date) -> Test:
    obj = require_dict(sub, path)
    if len(obj) != 1 or next(iter(obj)) not in _FILTER_TYPES - {"rollup"}:
        fail(path, "should have exactly one property condition", obj)
    ftype, cond = next(iter(obj.items()))
    test = _condition(ftype, cond, f"{path}.{ftype}", today)
    return lambda e: test({"id": "", **e})


def _rollup(value: JSON | None) -> JSON:
    return (value or {}).get("rollup") or {}


def _rollup_items(value: JSON | None) -> list[JSON]:
    r = _rollup(value)
    return list(r.get("array") or []) if r.get("type") == "array" else []


def _rollup_number(value: JSON | None) -> Any:
    r = _rollup(value)
    return r.get("number") if r.get("type") == "number" else None


def _rollup_moment(value: JSON | None) -> datevalues.Moment | None:
    r = _rollup(value)
    inner = r.get("date") if r.get("type") == "date" else None
    return datevalues.moment_of(inner.get("start")) if isinstance(inner, dict) else None


def _verification_test(cond: Any, path: str) -> Test:
    obj = require_dict(cond, path)
    status = obj.get("status", UNDEFINED)
    if set(obj) != {"status"} or status not in ("verified", "expired", "none"):
        fail(f"{path}.status", "should be `verified`, `expired` or `none`", status)
    wanted = "unverified" if status == "none" else status
    return lambda v: ((v or {}).get("verification") or {}).get("state", "unverified") == wanted


# ---- sorts ----------------------------------------------------------------------------------


def sort_pages(pages: Iterable[JSON], sorts: Any, schema: dict[str, JSON]) -> list[JSON]:
    """``pages`` ordered by ``sorts`` (earlier entries take precedence; empty values last)."""
    out = list(pages)
    if sorts is None:
        return out
    specs = require_list(sorts, "body.sorts", limit=limits.MAX_COMPOUND_ITEMS)
    keys = [_sort_key(spec, f"body.sorts[{n}]", schema) for n, spec in enumerate(specs)]
    for key, descending in reversed(keys):  # stable passes, last key first
        values = [key(p) for p in out]
        filled = [i for i, v in enumerate(values) if v is not None]
        filled.sort(key=values.__getitem__, reverse=descending)
        out = [out[i] for i in filled] + [p for p, v in zip(out, values, strict=True) if v is None]
    return out


def _sort_key(spec: Any, path: str, schema: dict[str, JSON]) -> tuple[Callable[[JSON], Any], bool]:
    obj = require_dict(spec, path)
    direction = obj.get("direction", "ascending")
    if direction not in ("ascending", "descending"):
        fail(f"{path}.direction", "should be `ascending` or `descending`", direction)
    extra = [k for k in obj if k not in ("property", "timestamp", "direction")]
    if extra:
        fail(f"{path}.{extra[0]}", "should be not present", obj[extra[0]])
    descending = direction == "descending"
    if "timestamp" in obj:
        kind = obj["timestamp"]
        if kind not in _TIMESTAMPS or "property" in obj:
            fail(f"{path}.timestamp", "should be `created_time` or `last_edited_time`", kind)
        return (lambda p: _stamp_key(p.get(kind))), descending
    key = obj.get("property", UNDEFINED)
    if not isinstance(key, str):
        fail(f"{path}.property", "should be a string", key)
    name = find(schema, key)
    if name is None:
        raise ValidationError(f"Could not find sort property with name or id: {key}")
    prop = schema[name]
    value_key = _value_key(prop)
    return (lambda p: value_key((p.get("properties") or {}).get(name))), descending


def _stamp_key(stamp: Any) -> str | None:
    """A page timestamp's UTC minute as "YYYY-MM-DDTHH:MM" (stored stamps need no parsing)."""
    if isinstance(stamp, str) and len(stamp) == 24 and stamp[-1] == "Z":
        return stamp[:16]
    m = datevalues.moment_of(stamp)
    if m is None:
        return None
    minutes = m.minute if m.minute is not None else (m.day - date(1970, 1, 1)).days * 1440
    return (datetime(1970, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)).isoformat()[:16]


def _moment_key(m: datevalues.Moment | None) -> Any:
    if m is None:
        return None
    # a date-only value sorts as the start of its day (UTC)
    return m.minute if m.minute is not None else (m.day - date(1970, 1, 1)).days * 1440


def _value_key(prop: JSON) -> Callable[[JSON | None], Any]:
    kind = prop["type"]
    if kind in ("select", "status"):
        order = {o["id"]: n for n, o in enumerate((prop.get(kind) or {}).get("options") or [])}
        return lambda v: (
            order.get(((v or {}).get(kind) or {}).get("id", ""), len(order))
            if (v or {}).get(kind)
            else None
        )
    if kind in _DATES:
        return lambda v: _moment_key(_moment_value(v))
    if kind == "checkbox":
        return lambda v: bool((v or {}).get("checkbox"))
    if kind == "unique_id":
        return lambda v: ((v or {}).get("unique_id") or {}).get("number")
    if kind == "number":
        return lambda v: v.get("number") if v and is_number(v.get("number")) else None
    if kind in _TEXT:
        return lambda v: natural(text) if (text := _text_of(v)) else None
    return lambda v: _scalar_key(python_value(v))


def _scalar_key(value: Any) -> Any:
    if value is None or value == "" or value == []:
        return None
    if isinstance(value, bool):
        return (0, int(value), "")
    if is_number(value):
        return (1, value, "")
    if isinstance(value, date):
        return (2, _moment_key(datevalues.moment(value)), "")
    if isinstance(value, list):
        return (3, 0, natural(",".join(str(v) for v in value)))
    return (3, 0, natural(str(value)))


def natural(text: str) -> tuple[tuple[int, int, str], ...]:
    """A natural-order key: digit runs compare as numbers ("Article 4" < "Article 10")."""
    if not _DIGITS.search(text):
        return ((1, 0, text.casefold()),)
    key = []
    for chunk in _DIGITS.split(text):
        if not chunk:
            continue
        if chunk.isdigit():
            digits = chunk.lstrip("0")
            key.append((0, len(digits), digits))
        else:
            key.append((1, 0, chunk.casefold()))
    return tuple(key)
