"""Encoded values written to the sandbox over real HTTP decode back to themselves.

The sandbox shares no code with the codec, so this checks each against the other: a data source
with every writable type, pages created and updated with ``encode`` output, read back with
``decode``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncbridge.notion.codec import (
    DateValue,
    FileValue,
    decode,
    encode,
    from_columns,
    is_writable,
    to_columns,
)

SCHEMA: dict[str, dict[str, Any]] = {
    "Name": {"title": {}},
    "Notes": {"rich_text": {}},
    "Score": {"number": {"format": "number"}},
    "Stage": {"select": {"options": [{"name": "Lead"}, {"name": "Won"}, {"name": "Lost"}]}},
    "Tags": {"multi_select": {"options": [{"name": "red"}, {"name": "green"}, {"name": "b"}]}},
    "When": {"date": {}},
    "Who": {"people": {}},
    "Docs": {"files": {}},
    "Done": {"checkbox": {}},
    "Link": {"url": {}},
    "Mail": {"email": {}},
    "Phone": {"phone_number": {}},
}

text = st.text(st.characters(blacklist_categories=("Cs", "Cc")), min_size=1, max_size=300).filter(
    lambda s: s.strip() == s and s != ""
)
# Years 1900-2100: the sandbox writes years below 1000 without padding (reported to its owners).
days = st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31))
minutes = st.datetimes(dt.datetime(1900, 1, 1), dt.datetime(2100, 12, 31)).map(
    lambda d: d.isoformat(timespec="minutes") + ":00.000+00:00"
)


@pytest.fixture
def notion(sandbox: Any) -> Iterator[httpx.Client]:
    headers = {"Authorization": "Bearer sandbox-token", "Notion-Version": "2025-09-03"}
    with httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10) as client:
        yield client


def _ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _setup(notion: httpx.Client) -> tuple[str, dict[str, dict[str, Any]], list[str]]:
    found = _ok(notion.post("/v1/search", json={"filter": {"property": "object", "value": "page"}}))
    parent = found["results"][0]["id"]
    users = [u["id"] for u in _ok(notion.get("/v1/users"))["results"] if u["type"] == "person"]
    database = _ok(
        notion.post(
            "/v1/databases",
            json={
                "parent": {"type": "page_id", "page_id": parent},
                "title": [{"text": {"content": "Codec round trip"}}],
                "initial_data_source": {"properties": SCHEMA},
            },
        )
    )
    source_id = database["data_sources"][0]["id"]
    schema = _ok(notion.get(f"/v1/data_sources/{source_id}"))["properties"]
    return source_id, schema, users


def _values(users: list[str]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "Name": text,
            "Notes": text,
            "Score": st.integers(-(10**9), 10**9) | st.floats(-1e9, 1e9).map(lambda f: round(f, 3)),
            "Stage": st.sampled_from(["Lead", "Won", "Lost"]),
            "Tags": st.lists(st.sampled_from(["red", "green", "b"]), min_size=1, unique=True),
            "When": st.builds(DateValue, days.map(str) | minutes, st.none()),
            "Who": st.lists(st.sampled_from(users), min_size=1, max_size=2, unique=True),
            "Docs": st.lists(
                st.builds(
                    FileValue, name=st.sampled_from(["a.png", "b"]), url=st.just("https://x.org/f")
                ),
                min_size=1,
                max_size=2,
            ),
            "Done": st.booleans(),
            "Link": st.just("https://example.com/p?q=1"),
            "Mail": st.just("kim@example.com"),
            "Phone": st.just("+82 10-1234-5678"),
        }
    )


def test_sandbox_pages_written_with_encode_decode_to_the_same_values(
    notion: httpx.Client,
) -> None:
    source_id, schema, users = _setup(notion)

    @given(_values(users), _values(users))
    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(created: dict[str, Any], updated: dict[str, Any]) -> None:
        body = {name: encode(schema[name], value) for name, value in created.items()}
        page = _ok(
            notion.post(
                "/v1/pages",
                json={"parent": {"data_source_id": source_id}, "properties": body},
            )
        )
        assert {name: decode(page["properties"][name]) for name in created} == created
        patch = {name: encode(schema[name], value) for name, value in updated.items()}
        _ok(notion.patch(f"/v1/pages/{page['id']}", json={"properties": patch}))
        again = _ok(notion.get(f"/v1/pages/{page['id']}"))
        assert {name: decode(again["properties"][name]) for name in updated} == updated

    check()


def test_long_text_and_clearing_through_the_sandbox(notion: httpx.Client) -> None:
    source_id, schema, users = _setup(notion)
    long_text = "한국어 텍스트 😀 " * 500  # 5,500 characters, 6,000 UTF-16 units: several items
    filled = {"Name": "x", "Notes": long_text, "Score": 1, "Who": users[:1], "Link": "https://a.b"}
    body = {name: encode(schema[name], value) for name, value in filled.items()}
    page = _ok(
        notion.post("/v1/pages", json={"parent": {"data_source_id": source_id}, "properties": body})
    )
    assert {name: decode(page["properties"][name]) for name in filled} == filled
    cleared = {name: encode(schema[name], None) for name in SCHEMA if name != "Name"}
    _ok(notion.patch(f"/v1/pages/{page['id']}", json={"properties": cleared}))
    again = _ok(notion.get(f"/v1/pages/{page['id']}"))["properties"]
    assert {name: decode(again[name]) for name in cleared} == {
        name: (False if name == "Done" else None) for name in cleared
    }


def test_sample_pages_decode_and_write_back_unchanged(notion: httpx.Client) -> None:
    query = {"filter": {"property": "object", "value": "data_source"}}
    sources = _ok(notion.post("/v1/search", json=query))
    types_seen: set[str] = set()
    for source in sources["results"]:
        schema = source["properties"]
        pages = _ok(notion.post(f"/v1/data_sources/{source['id']}/query", json={"page_size": 3}))
        for page in pages["results"]:
            before = {name: decode(value, name=name) for name, value in page["properties"].items()}
            for name, value in before.items():
                assert from_columns(schema[name], to_columns(schema[name], value)) == value
            writable = {n: v for n, v in before.items() if is_writable(schema[n]["type"])}
            body = {name: encode(schema[name], value) for name, value in writable.items()}
            _ok(notion.patch(f"/v1/pages/{page['id']}", json={"properties": body}))
            after = _ok(notion.get(f"/v1/pages/{page['id']}"))["properties"]
            assert {name: decode(after[name]) for name in writable} == writable
            types_seen |= {value["type"] for value in page["properties"].values()}
    assert {"title", "date", "people", "select", "number"} <= types_seen
