"""Page property values: empty values, and validating writes into response-shape values.

Stored values are Notion's response shape, keyed by property name:
``{"id": "%3AKd%60", "type": "select", "select": {"id", "name", "color"}}``.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import quote

from syncbridge.sandbox import limits
from syncbridge.sandbox.bodycheck import (
    UNDEFINED,
    fail,
    is_number,
    only_keys,
    require_bool,
    require_dict,
    require_list,
    require_number,
    require_str,
    require_uuid,
)
from syncbridge.sandbox.datevalues import normalize_date, parse, render
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.props_context import JSON, PropertyContext
from syncbridge.sandbox.props_schema import TYPES, find, option_name
from syncbridge.sandbox.rich_text import (
    COLORS,
    embedded_user,
    normalize_rich_text,
    plain_text,
    text_item,
)

READ_ONLY = frozenset(
    [
        "formula", "rollup", "created_time", "created_by", "last_edited_time", "last_edited_by",
        "unique_id", "button", "location", "last_visited_time",
    ]
)  # fmt: skip
_LIST_TYPES = ("title", "rich_text", "multi_select", "people", "files", "relation")
_VERIFICATION_STATES = ("verified", "unverified")


def empty_value(prop: JSON) -> JSON:
    """The value a page holds for ``prop`` before anything is written."""
    kind = prop["type"]
    out: JSON = {"id": prop["id"], "type": kind}
    if kind in _LIST_TYPES:
        out[kind] = []
        if kind == "relation":
            out["has_more"] = False
    elif kind == "checkbox":
        out[kind] = False
    elif kind == "status":
        out[kind] = _default_status(prop.get("status") or {})
    elif kind == "unique_id":
        out[kind] = {"prefix": (prop.get("unique_id") or {}).get("prefix"), "number": None}
    elif kind == "verification":
        out[kind] = {"state": "unverified", "date": None, "verified_by": None}
    elif kind == "button":
        out[kind] = {}
    else:
        out[kind] = None
    return out


def _default_status(config: JSON) -> JSON | None:
    groups = config.get("groups") or []
    opts = {o["id"]: o for o in config.get("options") or []}
    for group in groups[:1]:
        for option_id in group.get("option_ids", []):
            if option_id in opts:
                return _option_value(opts[option_id])
    return None


def _option_value(option: JSON) -> JSON:
    return {"id": option["id"], "name": option["name"], "color": option["color"]}


def new_page_properties(
    schema: dict[str, JSON], request_properties: Any, *, ctx: PropertyContext
) -> JSON:
    """Values of a new page: every property empty, then the request's values written.

    Computed values (formula, rollup, timestamps, unique_id numbers) are filled by ``recompute``.
    """
    values = {name: empty_value(prop) for name, prop in schema.items()}
    return _apply(schema, values, request_properties, ctx)


def update_page_properties(
    schema: dict[str, JSON], current: JSON, request_properties: Any, *, ctx: PropertyContext
) -> JSON:
    """``current`` values with the request's values written over them (a new dict)."""
    values = align_values(schema, current)
    return _apply(schema, values, request_properties, ctx)


def align_values(schema: dict[str, JSON], current: JSON) -> JSON:
    """One value per schema property, in schema order, taken from ``current`` where it fits.

    A value stored under an old name (the property was renamed since) is found by its id; a
    value whose type no longer matches its property is replaced by the empty value.
    """
    values: JSON = {}
    by_id: dict[Any, Any] | None = None
    for name, prop in schema.items():
        value = current.get(name)
        if value is None:
            if by_id is None:
                by_id = {v.get("id"): v for v in current.values() if isinstance(v, dict)}
            value = by_id.get(prop["id"])
        if not isinstance(value, dict) or value.get("type") != prop["type"]:
            value = empty_value(prop)
        elif value.get("id") != prop["id"]:
            value = {**value, "id": prop["id"]}
        values[name] = value
    return values


def _apply(schema: dict[str, JSON], values: JSON, request: Any, ctx: PropertyContext) -> JSON:
    req = require_dict(request, "body.properties")
    for key, raw in req.items():
        name = find(schema, key)
        if name is None:
            raise ValidationError(f"{key} is not a property that exists.")
        prop = schema[name]
        values[name] = write_value(prop, raw, f"body.properties.{key}", ctx)
    return values


def write_value(prop: JSON, raw: Any, path: str, ctx: PropertyContext) -> JSON:
    """Validate one request property value against its schema entry; the stored value."""
    kind = prop["type"]
    name = prop["name"]
    obj = require_dict(raw, path)
    declared = obj.get("type")
    others = [k for k in obj if k in TYPES and k != kind]
    if (declared is not None and declared != kind) or (others and kind not in obj):
        raise ValidationError(f"{name} is expected to be {kind}.")
    if kind in READ_ONLY:
        fail(
            f"{path}.{kind}",
            "should be not present",
            obj.get(kind, UNDEFINED),
            extra=f"{name} is a {kind} property, which the API cannot write.",
        )
    if kind not in obj:
        fail(f"{path}.{kind}", "should be defined", UNDEFINED)
    only_keys(
        obj, {"id", "type", kind, "has_more"} if kind == "relation" else {"id", "type", kind}, path
    )
    value = _WRITERS[kind](obj[kind], f"{path}.{kind}", prop, ctx)
    out: JSON = {"id": prop["id"], "type": kind, kind: value}
    if kind == "relation":
        out["has_more"] = False
    return out


def _rich(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    return [] if value is None else normalize_rich_text(value, path=path, ctx=ctx)


def _number(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    return None if value is None else require_number(value, path, nullable=True)


def _checkbox(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    return require_bool(value, path)


def _limited_str(limit: int) -> Any:
    def write(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
        if value is None:
            return None
        return require_str(value, path, limit=limit, nonempty=True, nullable=True)

    return write


def _date(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    return None if value is None else normalize_date(value, path)


def _select(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    if value is None:
        return None
    return _choose(value, path, prop, create=prop["type"] == "select")


def _choose(value: Any, path: str, prop: JSON, *, create: bool) -> JSON:
    """Match an option by id or name; unknown names become new options where Notion allows it."""
    obj = require_dict(value, path)
    only_keys(obj, {"id", "name", "color"}, path)
    opts = (prop.get(prop["type"]) or {}).get("options") or []
    if "id" in obj and obj["id"] is not None:
        for opt in opts:
            if opt["id"] == obj["id"]:
                return _option_value(opt)
        fail(f"{path}.id", "should be the id of an existing option", obj["id"])
    name = option_name(obj.get("name", UNDEFINED), f"{path}.name")
    for opt in opts:
        if opt["name"] == name:
            return _option_value(opt)
    if not create:
        fail(f"{path}.name", f"should be an existing {prop['type']} option", name)
    color = obj.get("color", "default")
    if not isinstance(color, str) or color not in COLORS:
        fail(f"{path}.color", "should be a valid option color", color)
    return {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"{prop['id']}/{name}")),
        "name": name,
        "color": color,
    }


def _status(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    return None if value is None else _choose(value, path, prop, create=False)


def _multi_select(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    if value is None:
        return []
    items = require_list(value, path, limit=limits.MAX_MULTI_SELECT)
    out: list[JSON] = []
    for n, item in enumerate(items):
        chosen = _choose(item, f"{path}[{n}]", prop, create=True)
        if all(c["id"] != chosen["id"] for c in out):
            out.append(chosen)
    return out


def _people(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    if value is None:
        return []
    items = require_list(value, path, limit=limits.MAX_PEOPLE)
    out: list[JSON] = []
    for n, item in enumerate(items):
        where = f"{path}[{n}]"
        obj = require_dict(item, where)
        if obj.get("object", "user") not in ("user", "group"):
            fail(f"{where}.object", "should be `user` or `group`", obj.get("object"))
        uid = require_uuid(obj.get("id", UNDEFINED), f"{where}.id")
        user = ctx.get_user(uid)
        if user is None and obj.get("object") != "group":
            fail(f"{where}.id", "should be the id of a user in the workspace", uid)
        if all(u["id"] != uid for u in out):
            out.append(user_object(user) if user else {"object": "group", "id": uid})
    return out


def user_object(user: JSON) -> JSON:
    """A user as page properties show it (a bot's details are trimmed to ``{}``)."""
    out = embedded_user(user)
    out.pop("request_id", None)
    if out.get("type") == "bot":
        out["bot"] = {}
    return out


def _files(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    if value is None:
        return []
    items = require_list(value, path, limit=limits.MAX_FILES)
    return [_file(item, f"{path}[{n}]", ctx) for n, item in enumerate(items)]


def _file(item: Any, path: str, ctx: PropertyContext) -> JSON:
    obj = require_dict(item, path)
    kind = obj.get("type") or next(
        (k for k in ("external", "file", "file_upload") if k in obj), None
    )
    if kind not in ("external", "file", "file_upload"):
        fail(f"{path}.external", "should be defined", UNDEFINED)
    only_keys(obj, {"name", "type", kind}, path)
    inner = require_dict(obj.get(kind, UNDEFINED), f"{path}.{kind}")
    if kind == "file_upload":
        upload_id = require_uuid(inner.get("id", UNDEFINED), f"{path}.file_upload.id")
        name = str(obj.get("name") or "file")
        url = f"https://prod-files-secure.s3.us-west-2.amazonaws.com/{upload_id}/{quote(name)}"
        return {"name": name, "type": "file", "file": {"url": url, "expiry_time": _expiry(ctx.now)}}
    url = require_str(
        inner.get("url", UNDEFINED), f"{path}.{kind}.url", limit=limits.MAX_URL, nonempty=True
    )
    default_name = url.rstrip("/").rsplit("/", 1)[-1] or url
    name = require_str(
        obj.get("name", default_name), f"{path}.name", limit=limits.MAX_URL, nonempty=True
    )
    if kind == "external":
        return {"name": name, "type": "external", "external": {"url": url}}
    expiry = inner.get("expiry_time") or _expiry(ctx.now)
    return {"name": name, "type": "file", "file": {"url": url, "expiry_time": expiry}}


def _expiry(now: str) -> str:
    parsed = parse(now)
    if not isinstance(parsed, datetime):
        return now
    later = parsed.astimezone(UTC) + timedelta(hours=1)
    return later.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _relation(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    if value is None:
        return []
    items = require_list(value, path, limit=limits.MAX_RELATION)
    target = (prop.get("relation") or {}).get("data_source_id")
    out: list[JSON] = []
    for n, item in enumerate(items):
        obj = require_dict(item, f"{path}[{n}]")
        pid = require_uuid(obj.get("id", UNDEFINED), f"{path}[{n}].id")
        page = ctx.get_page(pid)
        if page is None:
            fail(f"{path}[{n}].id", "should be the id of a page shared with the integration", pid)
        parent = page.get("parent") or {}
        if target and parent.get("data_source_id") not in (None, target):
            fail(f"{path}[{n}].id", "should be a page in the related data source", pid)
        if all(r["id"] != pid for r in out):
            out.append({"id": pid})
    return out


def _verification(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    obj = require_dict(value, path)
    only_keys(obj, {"state", "date"}, path)
    state = obj.get("state", UNDEFINED)
    if state not in _VERIFICATION_STATES:
        fail(f"{path}.state", "should be `verified` or `unverified`", state)
    if state == "unverified":
        return {"state": "unverified", "date": None, "verified_by": None}
    date = normalize_date(obj["date"], f"{path}.date") if obj.get("date") is not None else None
    return {"state": "verified", "date": date, "verified_by": dict(ctx.user)}


def _place(value: Any, path: str, prop: JSON, ctx: PropertyContext) -> Any:
    if value is None:
        return None
    obj = require_dict(value, path)
    only_keys(obj, {"lat", "lon", "name", "address", "aws_place_id", "google_place_id"}, path)
    out: JSON = {}
    for key in ("lat", "lon"):
        num = obj.get(key, UNDEFINED)
        if not is_number(num):
            fail(f"{path}.{key}", "should be a number", num)
        out[key] = num
    for key in ("name", "address", "aws_place_id", "google_place_id"):
        text = obj.get(key)
        out[key] = None if text is None else require_str(text, f"{path}.{key}")
    return out


_WRITERS: dict[str, Any] = {
    "title": _rich,
    "rich_text": _rich,
    "number": _number,
    "select": _select,
    "multi_select": _multi_select,
    "status": _status,
    "date": _date,
    "people": _people,
    "files": _files,
    "checkbox": _checkbox,
    "url": _limited_str(limits.MAX_URL),
    "email": _limited_str(limits.MAX_EMAIL),
    "phone_number": _limited_str(limits.MAX_PHONE),
    "relation": _relation,
    "verification": _verification,
    "place": _place,
}


def schema_with_new_options(schema: dict[str, JSON], values: JSON) -> dict[str, JSON] | None:
    """The schema plus select/multi_select options a write created by name, or None if none.

    Notion creates an option when a page write names one the property lacks; call this after
    ``new_page_properties``/``update_page_properties`` and store the result if not None.
    """
    changed: dict[str, JSON] = {}
    for name, prop in schema.items():
        kind = prop["type"]
        if kind not in ("select", "multi_select"):
            continue
        value = (values.get(name) or {}).get(kind)
        chosen = value if isinstance(value, list) else [value] if value else []
        known = {o["id"] for o in (prop.get(kind) or {}).get("options") or []}
        fresh = [c for c in chosen if c["id"] not in known]
        if fresh:
            opts = list(prop[kind].get("options") or [])
            opts += [
                {**c, "description": None} for c in fresh if c["id"] not in {o["id"] for o in opts}
            ]
            changed[name] = {**prop, kind: {**prop[kind], "options": opts}}
    return {**schema, **changed} if changed else None


_TEXTUAL = ("title", "rich_text", "url", "email", "phone_number")
_CHOICES = ("select", "multi_select", "status")


def convert_value(old: JSON | None, prop: JSON) -> JSON:
    """A value kept across a property's type change: converted where sensible, else empty.

    Text converts to and from numbers, URLs, e-mails, phone numbers and dates (when it parses);
    choices convert among select, multi_select and status by option name; anything else clears.
    """
    target = prop["type"]
    out = empty_value(prop)
    if not old or not isinstance(old, dict) or old.get("type") not in _WRITERS:
        return out
    if old["type"] == target:
        return {**old, "id": prop["id"]}
    converted = _convert(old, prop)
    if converted is not None:
        out[target] = converted
    return out


def _convert(old: JSON, prop: JSON) -> Any:
    source, target = old["type"], prop["type"]
    inner = old.get(source)
    if source in ("title", "rich_text") and target in ("title", "rich_text"):
        return inner
    text = _as_text(old)
    if target in ("title", "rich_text"):
        return [text_item(text)] if text else []
    if target in ("url", "email", "phone_number"):
        limit = limits.MAX_URL if target == "url" else limits.MAX_EMAIL
        return text if text and len(text) <= limit else None
    if target == "number":
        try:
            number = float(text)
        except ValueError:
            return None
        return int(number) if number.is_integer() and abs(number) < 1e15 else number
    if target == "checkbox":
        return text.strip().lower() in ("true", "yes", "1", "checked")
    if target == "date":
        parsed = parse(text.strip()) if text else None
        return None if parsed is None else {"start": render(parsed), "end": None, "time_zone": None}
    if target in _CHOICES:
        names = (
            [o["name"] for o in inner or []]
            if source == "multi_select"
            else [n for n in text.split(",") if n]
        )
        opts = {o["name"]: o for o in (prop.get(target) or {}).get("options") or []}
        chosen = [_option_value(opts[n.strip()]) for n in names if n.strip() in opts]
        return chosen if target == "multi_select" else (chosen[0] if chosen else None)
    return None


def _as_text(value: JSON) -> str:
    kind = value["type"]
    inner = value.get(kind)
    if inner is None:
        return ""
    if kind in ("title", "rich_text"):
        return plain_text(inner)
    if kind in ("select", "status"):
        return str(inner["name"])
    if kind == "multi_select":
        return ",".join(o["name"] for o in inner)
    if kind == "date":
        return str(inner["start"])
    if kind == "number":
        return str(int(inner)) if isinstance(inner, float) and inner.is_integer() else str(inner)
    if kind == "checkbox":
        return "true" if inner else "false"
    if isinstance(inner, str):
        return inner
    return ""
