"""Every page object Notion really sent decodes, stores and re-encodes with the property codec.

Walks every response body in ../shared/notion-cassettes (both recorders, API 2025-09-03 and
2026-03-11), finds every page object (also inside lists, search results and relation targets),
and checks each property value:

* ``decode`` works, and ``to_columns`` → ``from_columns`` gives the decoded value back;
* for writable types, both ``encode(schema, decode(v))`` and ``encode(schema, v)`` equal the
  canonical request form of ``v`` defined below (written independently of the codec).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from cassettes import iter_interactions

from syncbridge.notion.codec import (
    decode,
    encode,
    from_columns,
    is_writable,
    join_property_items,
    to_columns,
)

DEFAULT_ANNOTATIONS = {
    "bold": False,
    "italic": False,
    "strikethrough": False,
    "underline": False,
    "code": False,
    "color": "default",
}


def responses(root: Path) -> Iterator[tuple[str, Any]]:
    """(where, parsed JSON body) of every recorded response (the shared cassette reader)."""
    for it in iter_interactions(root):
        yield f"{it.file}#{it.index}", it.response


def pages(node: Any) -> Iterator[dict[str, Any]]:
    """Every page object anywhere in a response body."""
    if isinstance(node, dict):
        if node.get("object") == "page" and isinstance(node.get("properties"), dict):
            yield node
        for child in node.values():
            yield from pages(child)
    elif isinstance(node, list):
        for child in node:
            yield from pages(child)


def canonical_rich_item(item: dict[str, Any]) -> dict[str, Any]:
    kind = item["type"]
    body = item[kind]
    if kind == "text":
        out = {"content": body["content"]}
        if body.get("link"):
            out["link"] = {"url": body["link"]["url"]}
        body = out
    elif kind == "mention":
        target_kind = body["type"]
        target = body[target_kind]
        if target_kind in ("user", "page", "database", "data_source"):
            target = {"id": target["id"]}
        body = {"type": target_kind, target_kind: target}
    else:
        body = {"expression": body["expression"]}
    canonical = {"type": kind, kind: body}
    changed = {k: v for k, v in item["annotations"].items() if DEFAULT_ANNOTATIONS[k] != v}
    if changed:
        canonical["annotations"] = changed
    return canonical


def canonical_file(item: dict[str, Any]) -> dict[str, Any]:
    return {
        "name": item["name"],
        "type": item["type"],
        item["type"]: {"url": item[item["type"]]["url"]},
    }


# The request shape of a response value: what writing the same value back must send.
CANONICAL = {
    "title": lambda v: [canonical_rich_item(i) for i in v],
    "rich_text": lambda v: [canonical_rich_item(i) for i in v],
    "number": lambda v: v,
    "select": lambda v: v and {"name": v["name"]},
    "status": lambda v: v and {"name": v["name"]},
    "multi_select": lambda v: [{"name": o["name"]} for o in v],
    "date": lambda v: v and {"start": v["start"], "end": v["end"], "time_zone": v["time_zone"]},
    "people": lambda v: [{"object": u["object"], "id": u["id"]} for u in v],
    "files": lambda v: [canonical_file(f) for f in v],
    "checkbox": lambda v: v,
    "url": lambda v: v or None,
    "email": lambda v: v or None,
    "phone_number": lambda v: v or None,
    "relation": lambda v: [{"id": r["id"]} for r in v],
    "place": lambda v: v and {k: x for k, x in v.items() if x is not None},
}


def test_every_recorded_page_property_decodes_and_round_trips(cassettes_dir: Path) -> None:
    checked: Counter[str] = Counter()
    page_count = 0
    for where_body, body in responses(cassettes_dir):
        for page in pages(body):
            page_count += 1
            for name, value in page["properties"].items():
                prop_type = value["type"]
                schema = {"id": value["id"], "name": name, "type": prop_type}
                where = f"{where_body} page {page['id']} {name!r}"
                decoded = decode(value, name=name)
                columns = to_columns(schema, decoded)
                assert from_columns(schema, columns) == decoded, where
                if is_writable(prop_type):
                    expected = {prop_type: CANONICAL[prop_type](value[prop_type])}
                    assert encode(schema, decoded) == expected, where
                    assert encode(schema, value) == expected, where
                checked[prop_type] += 1
    # The recordings cover every type; if they stop being found, this test has stopped testing.
    assert page_count >= 1000
    assert sum(checked.values()) >= 4000
    assert set(checked) >= set(CANONICAL) | {
        "formula",
        "rollup",
        "created_time",
        "last_edited_time",
        "created_by",
        "last_edited_by",
        "unique_id",
        "button",
    }


def test_recorded_property_item_lists_join_into_decodable_values(cassettes_dir: Path) -> None:
    lists = [
        body
        for _, body in responses(cassettes_dir)
        if isinstance(body, dict) and body.get("type") == "property_item" and "results" in body
    ]
    assert {body["property_item"]["type"] for body in lists} >= {"title", "relation"}
    for body in lists:
        prop_type = body["property_item"]["type"]
        value = decode(join_property_items(prop_type, body["results"]))
        elements = [item[prop_type] for item in body["results"]]
        if prop_type == "relation":
            assert value == [element["id"] for element in elements]
        else:
            assert value == "".join(element["plain_text"] for element in elements)
