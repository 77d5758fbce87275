"""Replay recorded Notion queries against our filter and sort functions.

For every data source query in the query cassettes, the pages that existed at that moment (as
Notion returned them in earlier answers) are filtered and sorted by ``filter_pages`` /
``sort_pages`` with the recorded schema; the result must be the ids Notion answered.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from syncbridge.sandbox.properties import PropertyContext, filter_pages, sort_pages

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
FILES = [
    *(f"ultimate-notion/test_query/{n}.yaml" for n in (
        "test_date_query", "test_files_checkbox_query", "test_id_prop", "test_number_query",
        "test_people_relation_query", "test_query_formula", "test_query_new_task_db",
        "test_query_rollup", "test_select_query", "test_text_query",
    )),
    "ultimate-notion/test_docs_py_snippets/test_db_querying.yaml",
]  # fmt: skip


def _json(text: Any) -> Any:
    try:
        return json.loads(text) if text else None
    except (TypeError, ValueError):
        return None


def _walk(obj: Any) -> Any:
    if isinstance(obj, dict):
        yield obj
        for v in obj.values():
            yield from _walk(v)
    elif isinstance(obj, list):
        for v in obj:
            yield from _walk(v)


def _cases(path: Path) -> list[tuple[str, dict[str, Any], list[dict[str, Any]], list[str], str]]:
    interactions = yaml.load(path.read_text(), Loader=_LOADER)["interactions"]
    schemas: dict[str, dict[str, Any]] = {}
    pages: dict[str, dict[str, Any]] = {}
    latest = ""
    cases = []
    for n, it in enumerate(interactions):
        req, resp = it["request"], it["response"]
        body = _json(req.get("body"))
        answer = _json(resp.get("content"))
        if not isinstance(answer, dict):
            continue
        uri = req["uri"]
        if "/query" in uri and "/data_sources/" in uri and answer.get("object") == "list":
            ds_id = uri.split("/data_sources/")[1].split("/")[0]
            if (
                ds_id in schemas
                and not answer.get("has_more")
                and not (body or {}).get("start_cursor")
            ):
                # everything Notion returned so far, plus this answer, is the data source's content
                for page in answer["results"]:
                    pages[page["id"]] = page
                rows = [
                    p for p in pages.values()
                    if p["parent"].get("data_source_id") == ds_id and not p.get("in_trash")
                ]  # fmt: skip
                expected = [p["id"] for p in answer["results"]]
                cases.append(
                    (f"{path.stem}#{n}", schemas[ds_id], rows, expected, latest, body or {})
                )
        for obj in _walk(answer):
            if obj.get("object") == "data_source" and "properties" in obj:
                schemas[obj["id"]] = obj["properties"]
            if obj.get("object") == "page" and "properties" in obj:
                pages[obj["id"]] = obj
                latest = max(latest, obj.get("last_edited_time", ""), obj.get("created_time", ""))
    return cases


def _all_cases(root: Path) -> list[Any]:
    out = []
    for name in FILES:
        for case in _cases(root / name):
            out.append(pytest.param(*case, id=case[0]))
    return out


@pytest.fixture(scope="module")
def cases(cassettes_dir: Path) -> list[Any]:
    return _all_cases(cassettes_dir)


def _ctx(data_source_id: str, now: str, pages: list[dict[str, Any]]) -> PropertyContext:
    by_id = {p["id"]: p for p in pages}
    return PropertyContext(
        now=now,
        user={"object": "user", "id": "00000000-0000-4000-8000-0000000000f1"},
        get_page=by_id.get,
        get_user=lambda _id: None,
        get_data_source=lambda _id: None,
        next_unique_id=lambda _ds, _p: 1,
        data_source_id=data_source_id,
    )


def test_recorded_queries_give_recorded_results(cases: list[Any]) -> None:
    assert len(cases) > 80  # the cassettes hold well over a hundred recorded queries
    mismatches = []
    for param in cases:
        name, schema, rows, expected, now, body = param.values
        ctx = _ctx("ds", now, rows)
        got = filter_pages(rows, body.get("filter"), schema, ctx=ctx)
        got = sort_pages(got, body.get("sorts"), schema)
        got_ids = [p["id"] for p in got]
        same = got_ids == expected if body.get("sorts") else sorted(got_ids) == sorted(expected)
        if not same:
            shown = json.dumps(body)[:300]
            mismatches.append(f"{name}: {shown}\n  got {got_ids}\n  want {expected}")
    assert not mismatches, "\n".join(mismatches)
