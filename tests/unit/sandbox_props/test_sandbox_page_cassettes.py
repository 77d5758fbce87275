"""Replay recorded page writes through the property model and compare with Notion's answers.

For every ``POST /v1/pages`` and ``PATCH /v1/pages/{id}`` in the cassettes whose data source
schema was recorded earlier, the request's properties go through ``new_page_properties`` /
``update_page_properties`` and ``recompute``; every property value must equal what Notion
answered (formulas using ``formatDate``, which the evaluator does not implement, excepted).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from syncbridge.sandbox.properties import (
    PropertyContext,
    new_page_properties,
    recompute,
    update_page_properties,
)

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _walk(obj: Any) -> Iterator[dict[str, Any]]:
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def _exchanges(path: Path) -> list[tuple[dict[str, Any], Any, Any]]:
    out: list[tuple[dict[str, Any], Any, Any]] = []
    text = path.read_text()
    if "uri: https://api.notion.com/v1/pages" not in text or "data_source_id" not in text:
        return out  # no page writes into a data source: skip the slow YAML parse
    for it in yaml.load(text, Loader=_LOADER).get("interactions", []):
        req, resp = it["request"], it["response"]
        try:
            body = json.loads(req["body"]) if req.get("body") else None
            answer = json.loads(resp.get("content") or "null")
        except (TypeError, ValueError):
            continue
        if isinstance(answer, dict):
            out.append((req, body, answer))
    return out


def _skip(schema_prop: dict[str, Any]) -> bool:
    expression = (schema_prop.get("formula") or {}).get("expression", "")
    return "formatDate" in expression


def _replay(path: Path) -> tuple[int, list[str]]:
    exchanges = _exchanges(path)
    users = {
        o["id"]: {k: v for k, v in o.items() if k != "request_id"}
        for _, _, answer in exchanges
        for o in _walk(answer)
        if o.get("object") == "user" and o.get("name")
    }
    schemas: dict[str, dict[str, Any]] = {}
    pages: dict[str, dict[str, Any]] = {}
    checked, problems = 0, []
    for req, body, answer in exchanges:
        ds = (answer.get("parent") or {}).get("data_source_id")
        is_page = answer.get("object") == "page" and ds in schemas
        creating = is_page and req["method"] == "POST" and req["uri"].endswith("/v1/pages")
        updating = (
            is_page
            and req["method"] == "PATCH"
            and answer["id"] in pages
            and (body or {}).get("properties")
        )
        if creating or updating:
            schema = schemas[ds]
            ctx = PropertyContext(
                now=answer["last_edited_time"],
                user=answer["last_edited_by"],
                get_page=pages.get,
                get_user=users.get,
                get_data_source=lambda _id: None,
                next_unique_id=lambda _ds, _pid: 0,
                data_source_id=ds,
            )
            if creating:
                values = new_page_properties(schema, (body or {}).get("properties", {}), ctx=ctx)
            else:
                values = update_page_properties(
                    schema, pages[answer["id"]]["properties"], body["properties"], ctx=ctx
                )
            for name, recorded in answer["properties"].items():
                if recorded["type"] == "unique_id":  # numbering is the workspace's counter
                    values[name] = recorded
            values = recompute(schema, values, page=answer, ctx=ctx)
            for name, recorded in answer["properties"].items():
                if _skip(schema[name]):
                    continue
                checked += 1
                if values.get(name) != recorded:
                    want, got = json.dumps(recorded)[:300], json.dumps(values.get(name))[:300]
                    problems.append(f"{path.name} {name}:\n want {want}\n got  {got}")
        for o in _walk(answer):
            if o.get("object") == "data_source" and "properties" in o:
                schemas[o["id"]] = o["properties"]
            if o.get("object") == "page" and "properties" in o:
                pages[o["id"]] = o
    return checked, problems


def test_recorded_page_writes_give_recorded_values(cassettes_dir: Path) -> None:
    checked, problems = 0, []
    for path in sorted(cassettes_dir.glob("ultimate-notion/**/*.yaml")):
        n, found = _replay(path)
        checked += n
        problems += found
    assert checked > 500
    assert not problems, "\n".join(problems[:20])
