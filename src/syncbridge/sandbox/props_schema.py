"""Data source schemas: create and update property configurations (response shape).

A schema maps property name -> ``{"id", "name", "description", "type", <type>: config}``.
Ids are short random URL-encoded strings (the title's id is always ``"title"``); the schema is
kept in Notion's order (decoded ids ascending, the title last).
"""

from __future__ import annotations

import random
import re
import uuid
from typing import Any
from urllib.parse import quote, unquote

from syncbridge.sandbox import limits
from syncbridge.sandbox.bodycheck import (
    UNDEFINED,
    fail,
    only_keys,
    require_dict,
    require_list,
    require_str,
    require_uuid,
)
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.props_context import JSON, PropertyContext
from syncbridge.sandbox.rich_text import COLORS

TYPES = frozenset(
    [
        "title", "rich_text", "number", "select", "multi_select", "status", "date", "people",
        "files", "checkbox", "url", "email", "phone_number", "formula", "relation", "rollup",
        "created_time", "created_by", "last_edited_time", "last_edited_by", "unique_id",
        "verification", "button", "place", "location", "last_visited_time",
    ]
)  # fmt: skip
NUMBER_FORMATS = frozenset(
    [
        "number", "number_with_commas", "percent", "dollar", "australian_dollar",
        "canadian_dollar", "singapore_dollar", "euro", "pound", "yen", "ruble", "rupee", "won",
        "yuan", "real", "lira", "rupiah", "franc", "hong_kong_dollar", "new_zealand_dollar",
        "krona", "norwegian_krone", "mexican_peso", "rand", "new_taiwan_dollar", "danish_krone",
        "zloty", "baht", "forint", "koruna", "shekel", "chilean_peso", "philippine_peso",
        "dirham", "colombian_peso", "riyal", "ringgit", "leu", "argentine_peso",
        "uruguayan_peso", "peruvian_sol",
    ]
)  # fmt: skip
ROLLUP_FUNCTIONS = frozenset(
    [
        "count", "count_values", "empty", "not_empty", "unique", "show_unique", "percent_empty",
        "percent_not_empty", "sum", "average", "median", "min", "max", "range", "earliest_date",
        "latest_date", "date_range", "checked", "unchecked", "percent_checked",
        "percent_unchecked", "count_per_group", "percent_per_group", "show_original",
    ]
)  # fmt: skip
_ID_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789:;<=>?@[\\]^_`{|}~"
_PROP_REF = re.compile(r'prop\(\s*"((?:[^"\\]|\\.)*)"\s*\)')
_BLOCK_REF = re.compile(r"\{\{notion:block_property:([^:}]+):[^}]*\}\}")
_rng = random.SystemRandom()


def new_property_id(taken: set[str]) -> str:
    """A fresh 4-character URL-encoded id not in ``taken`` (encoded or decoded forms)."""
    while True:
        raw = "".join(_rng.choice(_ID_CHARS) for _ in range(4))
        encoded = quote(raw, safe="")
        if encoded not in taken and raw not in taken and raw != "titl":
            return encoded


def ordered(schema: dict[str, JSON]) -> dict[str, JSON]:
    """``schema`` in Notion's order: generated ids ascending (decoded), then title, then others."""

    def key(item: tuple[str, JSON]) -> tuple[int, str]:
        pid = item[1]["id"]
        if pid == "title":
            return (1, "")
        raw = unquote(pid)
        return (0, raw) if len(raw) <= 4 else (2, raw)

    return dict(sorted(schema.items(), key=key))


def find(schema: dict[str, JSON], key: str) -> str | None:
    """The name of the property called ``key`` or with id ``key`` (encoded or not)."""
    if key in schema:
        return key
    for name, prop in schema.items():
        pid = prop["id"]
        if key == pid or key == unquote(pid) or quote(key, safe="") == pid:
            return name
    return None


def create_schema(request_properties: Any, *, ctx: PropertyContext) -> dict[str, JSON]:
    """Build a new data source's schema from a request's ``properties`` object.

    Raises:
        ValidationError: A malformed configuration, naming its path.
    """
    request = require_dict(request_properties, "body.properties")
    return update_schema({}, request, ctx=ctx, creating=True)


def update_schema(
    current: dict[str, JSON],
    request_properties: Any,
    *,
    ctx: PropertyContext,
    creating: bool = False,
) -> dict[str, JSON]:
    """Apply a schema update: add, rename (``{"name": new}``), retype, reconfigure, remove (null).

    Keys are property names or ids. The title property can be renamed but not removed or
    retyped. Returns a new schema; ``current`` is not modified.
    """
    request = require_dict(request_properties, "body.properties")
    schema = dict(current)
    pending: list[tuple[str, str, Any, str]] = []  # (name, kind, raw config, path) for pass 2
    for key, raw in request.items():
        path = f"body.properties.{key}"
        existing = find(schema, key)
        if raw is None:
            _remove(schema, existing, key, path)
            continue
        conf = require_dict(raw, path)
        only_keys(conf, {"name", "type", "id", "description", *TYPES}, path)
        if existing is None and not creating and "type" not in conf and not TYPES & conf.keys():
            raise ValidationError(f"{key} is not a property that exists.")
        name = conf.get("name", existing if existing is not None else key)
        name = require_str(name, f"{path}.name", limit=limits.MAX_PROPERTY_NAME, nonempty=True)
        kind = _kind(conf, path, required=existing is None)
        prop: JSON
        if existing is None:
            assert kind is not None  # _kind fails when a new property has no type
            prop = {"id": "", "name": name, "description": None, "type": kind, kind: {}}
        else:
            prop = dict(schema.pop(existing))
            if kind is not None and kind != prop["type"]:
                if prop["type"] == "title":
                    fail(f"{path}.type", "cannot change the type of the title property", kind)
                prop = {**prop, "type": kind, kind: {}}
                prop.pop(current[existing]["type"], None)
        if name in schema:
            fail(f"{path}.name", "is already the name of another property", name)
        prop["name"] = name
        if "description" in conf:
            desc = conf["description"]
            prop["description"] = None if desc is None else require_str(desc, f"{path}.description")
        schema[name] = prop
        if kind is not None:
            pending.append((name, prop["type"], conf.get(prop["type"], {}), path))
    _assign_ids(schema)
    _check_titles(schema, creating)
    # rollups read their relation's finished config, so they are configured last
    pending.sort(key=lambda item: item[1] == "rollup")
    for name, kind, raw_conf, path in pending:
        old = current.get(name) or {}
        old_conf = old.get(kind) if old.get("type") == kind else None
        schema[name] = {
            **schema[name],
            kind: configure(kind, raw_conf, f"{path}.{kind}", ctx, schema, name, old_conf),
        }
    return ordered(schema)


def _remove(schema: dict[str, JSON], existing: str | None, key: str, path: str) -> None:
    if existing is None:
        raise ValidationError(f"{key} is not a property that exists.")
    if schema[existing]["type"] == "title":
        fail(path, "cannot be removed: a data source needs its title property", None)
    del schema[existing]


def _kind(conf: JSON, path: str, *, required: bool) -> str | None:
    declared = conf.get("type")
    present = [k for k in conf if k in TYPES]
    if declared is not None:
        if not isinstance(declared, str) or declared not in TYPES:
            fail(f"{path}.type", "should be a valid property type", declared)
        if any(k != declared for k in present):
            fail(f"{path}.{present[0]}", "should be not present", conf[present[0]])
        return str(declared)
    if len(present) > 1:
        fail(f"{path}.{present[1]}", "should be not present", conf[present[1]])
    if present:
        return present[0]
    if required:
        fail(f"{path}.type", "should be defined", UNDEFINED)
    return None


def _assign_ids(schema: dict[str, JSON]) -> None:
    taken = {p["id"] for p in schema.values() if p["id"]}
    for prop in schema.values():
        if not prop["id"]:
            prop["id"] = "title" if prop["type"] == "title" else new_property_id(taken)
            taken.add(prop["id"])


def _check_titles(schema: dict[str, JSON], creating: bool) -> None:
    titles = [n for n, p in schema.items() if p["type"] == "title"]
    if len(titles) > 1:
        raise ValidationError(
            f"body failed validation: body.properties.{titles[1]} is a second title property; "
            "a data source has exactly one."
        )
    if not titles and creating:
        schema["Name"] = {
            "id": "title",
            "name": "Name",
            "description": None,
            "type": "title",
            "title": {},
        }


def configure(
    kind: str,
    raw: Any,
    path: str,
    ctx: PropertyContext,
    schema: dict[str, JSON],
    name: str,
    old: JSON | None,
) -> JSON:
    """The response-shape configuration for one property of type ``kind``."""
    conf = require_dict(raw, path)
    if kind == "number":
        only_keys(conf, {"format"}, path)
        fmt = conf.get("format", (old or {}).get("format", "number"))
        if not isinstance(fmt, str) or fmt not in NUMBER_FORMATS:
            fail(f"{path}.format", "should be a valid number format", fmt)
        return {"format": fmt}
    if kind in ("select", "multi_select"):
        only_keys(conf, {"options"}, path)
        if "options" not in conf:
            return {"options": list((old or {}).get("options", []))}
        return {
            "options": options(conf["options"], f"{path}.options", (old or {}).get("options", []))
        }
    if kind == "status":
        return _status(conf, path, old)
    if kind == "formula":
        only_keys(conf, {"expression"}, path)
        if "expression" not in conf and old is not None:
            return dict(old)
        expr = require_str(
            conf.get("expression", UNDEFINED),
            f"{path}.expression",
            limit=limits.MAX_FORMULA_EXPRESSION,
        )
        return {"expression": store_expression(expr, schema, ctx)}
    if kind == "relation":
        return _relation(conf, path, ctx, schema, name, old)
    if kind == "rollup":
        return _rollup(conf, path, ctx, schema)
    if kind == "unique_id":
        only_keys(conf, {"prefix"}, path)
        prefix = conf.get("prefix", (old or {}).get("prefix"))
        if prefix is not None:
            prefix = require_str(
                prefix, f"{path}.prefix", limit=limits.MAX_OPTION_NAME, nonempty=True
            )
        return {"prefix": prefix}
    only_keys(conf, set(), path)
    return {}


def options(raw: Any, path: str, old: list[JSON]) -> list[JSON]:
    """Validate request options; keep ids of options matched by id or name, new ids otherwise."""
    items = require_list(raw, path, limit=limits.MAX_MULTI_SELECT)
    by_id = {o["id"]: o for o in old}
    by_name = {o["name"]: o for o in old}
    out: list[JSON] = []
    seen: set[str] = set()
    for n, item in enumerate(items):
        where = f"{path}[{n}]"
        opt = require_dict(item, where)
        only_keys(opt, {"id", "name", "color", "description"}, where)
        prior = by_id.get(opt["id"]) if isinstance(opt.get("id"), str) else None
        if "id" in opt and prior is None and "name" not in opt:
            # an unknown id with a name is matched by name (ids from another copy of the schema)
            fail(f"{where}.id", "should be the id of an existing option", opt["id"])
        if prior is None and "name" in opt:
            prior = by_name.get(opt["name"])
        name = opt.get("name", prior["name"] if prior else UNDEFINED)
        name = option_name(name, f"{where}.name")
        if name in seen:
            fail(f"{where}.name", "should be unique among the options", name)
        seen.add(name)
        color = opt.get("color", prior["color"] if prior else "default")
        if not isinstance(color, str) or color not in COLORS:
            fail(f"{where}.color", "should be a valid option color", color)
        desc = opt.get("description", prior.get("description") if prior else None)
        if desc is not None:
            desc = require_str(desc, f"{where}.description")
        out.append(
            {
                "id": prior["id"] if prior else str(uuid.uuid4()),
                "name": name,
                "color": color,
                "description": desc,
            }
        )
    return out


def option_name(value: Any, path: str) -> str:
    """A valid option name: non-empty, ≤ 100 characters, no commas."""
    name = require_str(value, path, limit=limits.MAX_OPTION_NAME, nonempty=True)
    if "," in name:
        fail(path, "should not contain commas", name)
    return name


_DEFAULT_STATUS = (("Not started", "default", 0), ("In progress", "blue", 1), ("Done", "green", 2))
_STATUS_GROUPS = (("To-do", "gray"), ("In progress", "blue"), ("Complete", "green"))


def _status(conf: JSON, path: str, old: JSON | None) -> JSON:
    only_keys(conf, {"options", "groups"}, path)
    if old is None and "options" not in conf:
        opts = [
            {"id": str(uuid.uuid4()), "name": n, "color": c, "description": None}
            for n, c, _ in _DEFAULT_STATUS
        ]
        groups = [
            {"id": str(uuid.uuid4()), "name": g, "color": c, "option_ids": [opts[i]["id"]]}
            for i, (g, c) in enumerate(_STATUS_GROUPS)
        ]
        return {"options": opts, "groups": groups}
    if "options" not in conf:
        return dict(old or {})
    opts = options(conf["options"], f"{path}.options", (old or {}).get("options", []))
    ids = {o["id"] for o in opts}
    groups = [
        {**g, "option_ids": [i for i in g["option_ids"] if i in ids]}
        for g in (old or {}).get("groups", [])
    ] or [
        {"id": str(uuid.uuid4()), "name": g, "color": c, "option_ids": []}
        for g, c in _STATUS_GROUPS
    ]
    grouped = {i for g in groups for i in g["option_ids"]}
    groups[0]["option_ids"] = [
        *groups[0]["option_ids"],
        *(o["id"] for o in opts if o["id"] not in grouped),
    ]
    return {"options": opts, "groups": groups}


def status_group(config: JSON, option_id: str) -> str | None:
    """The name of the group holding a status option."""
    for group in config.get("groups", []):
        if option_id in group.get("option_ids", []):
            return str(group["name"])
    return None


def _relation(
    conf: JSON,
    path: str,
    ctx: PropertyContext,
    schema: dict[str, JSON],
    name: str,
    old: JSON | None,
) -> JSON:
    only_keys(
        conf, {"data_source_id", "database_id", "type", "single_property", "dual_property"}, path
    )
    target_ds, target_db = _relation_target(conf, path, ctx)
    kind = conf.get("type") or ("dual_property" if "dual_property" in conf else "single_property")
    if kind not in ("single_property", "dual_property"):
        fail(f"{path}.type", "should be `single_property` or `dual_property`", kind)
    out: JSON = {"database_id": target_db, "data_source_id": target_ds, "type": kind}
    if kind == "single_property":
        out["single_property"] = {}
        return out
    prior = (
        (old or {}).get("dual_property") if (old or {}).get("data_source_id") == target_ds else None
    )
    if prior:
        out["dual_property"] = dict(prior)
        return out
    target = schema if target_ds == ctx.data_source_id else _target_schema(ctx, target_ds)
    taken = {p["id"] for p in target.values()}
    out["dual_property"] = {
        "synced_property_name": f"Related to {ctx.data_source_title or 'Untitled'} ({name})",
        "synced_property_id": new_property_id(taken),
    }
    return out


def _relation_target(conf: JSON, path: str, ctx: PropertyContext) -> tuple[str, str]:
    if "data_source_id" in conf:
        ds_id = require_uuid(conf["data_source_id"], f"{path}.data_source_id")
        if ds_id == ctx.data_source_id:
            return ds_id, ctx.database_id
        ds = ctx.get_data_source(ds_id)
        if ds is None:
            fail(
                f"{path}.data_source_id",
                "should be the id of a data source shared with the integration",
                ds_id,
            )
        return ds_id, str((ds.get("parent") or {}).get("database_id", ""))
    if "database_id" in conf:
        db_id = require_uuid(conf["database_id"], f"{path}.database_id")
        if db_id == ctx.database_id:
            return ctx.data_source_id, db_id
        db = ctx.get_database(db_id)
        sources = (db or {}).get("data_sources") or []
        if not sources:
            fail(
                f"{path}.database_id",
                "should be the id of a database shared with the integration",
                db_id,
            )
        return str(sources[0]["id"]), db_id
    return fail(f"{path}.data_source_id", "should be defined", UNDEFINED)


def _target_schema(ctx: PropertyContext, ds_id: str) -> dict[str, JSON]:
    ds = ctx.get_data_source(ds_id) or {}
    props = ds.get("properties")
    return props if isinstance(props, dict) else {}


def _rollup(conf: JSON, path: str, ctx: PropertyContext, schema: dict[str, JSON]) -> JSON:
    keys = {
        "function",
        "relation_property_name",
        "relation_property_id",
        "rollup_property_name",
        "rollup_property_id",
    }
    only_keys(conf, keys, path)
    func = conf.get("function", UNDEFINED)
    if not isinstance(func, str) or func not in ROLLUP_FUNCTIONS:
        fail(f"{path}.function", "should be a valid rollup function", func)
    rel_name = _pick(schema, conf, "relation_property", path)
    relation = schema[rel_name]
    if relation["type"] != "relation":
        fail(f"{path}.relation_property_name", "should name a relation property", rel_name)
    target_ds = (relation.get("relation") or {}).get("data_source_id", "")
    target = schema if target_ds == ctx.data_source_id else _target_schema(ctx, target_ds)
    roll_name = _pick(target, conf, "rollup_property", path)
    return {
        "rollup_property_name": roll_name,
        "relation_property_name": rel_name,
        "rollup_property_id": unquote(target[roll_name]["id"]),
        "relation_property_id": unquote(relation["id"]),
        "function": func,
    }


def _pick(schema: dict[str, JSON], conf: JSON, stem: str, path: str) -> str:
    for suffix in ("name", "id"):
        key = f"{stem}_{suffix}"
        if key in conf:
            value = require_str(conf[key], f"{path}.{key}")
            found = find(schema, value)
            if found is None:
                fail(f"{path}.{key}", "should name an existing property", value)
            return found
    return fail(f"{path}.{stem}_name", "should be defined", UNDEFINED)


def store_expression(expression: str, schema: dict[str, JSON], ctx: PropertyContext) -> str:
    """Rewrite ``prop("Name")`` references the way Notion stores them (by property id)."""

    def repl(match: re.Match[str]) -> str:
        name = match.group(1).replace('\\"', '"')
        found = find(schema, name)
        if found is None:
            return match.group(0)
        pid = schema[found]["id"]
        return f"{{{{notion:block_property:{pid}:{ctx.data_source_id}:{ctx.workspace_id}}}}}"

    return _PROP_REF.sub(repl, expression)


def referenced_ids(expression: str) -> list[str]:
    """Property ids a stored expression refers to (``{{notion:block_property:<id>:…}}``)."""
    return _BLOCK_REF.findall(expression)
