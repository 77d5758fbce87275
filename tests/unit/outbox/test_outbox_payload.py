"""Cheap checks at enqueue, the stored form, and the content fingerprint of a create."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from syncbridge.outbox import payload as pl
from syncbridge.outbox.errors import OutboxInputError
from syncbridge.outbox.urls import parse_store_url

UUID = "12345678-1234-1234-1234-123456789ABC"

scalars = st.none() | st.booleans() | st.integers(-(2**53), 2**53) | st.text(max_size=10)
json_values = (
    scalars | st.lists(scalars, max_size=3) | st.dictionaries(st.text(max_size=3), scalars)
)


def test_page_key_normalises_ids_and_keeps_key_refs() -> None:
    assert pl.page_key(UUID) == UUID.replace("-", "").lower()
    assert pl.page_key("key:order-1") == "key:order-1"
    with pytest.raises(OutboxInputError, match="page_id"):
        pl.page_key("1234")
    with pytest.raises(OutboxInputError, match="page_id"):
        pl.page_key("key:")


@settings(max_examples=60)
@given(st.lists(st.dictionaries(st.text(min_size=1, max_size=4), json_values, min_size=1)))
def test_merging_stored_updates_is_later_value_wins(updates: list[dict[str, object]]) -> None:
    """SQLite's json_patch (RFC 7396, as MySQL's) on the wrapped form equals dict.update."""
    merged: dict[str, object] = {}
    stored = "{}"
    with sqlite3.connect(":memory:") as db:
        for update in updates:
            merged.update(update)
            patch = pl.dumps(pl.wrap(update), where="t")
            stored = db.execute("SELECT json_patch(?, ?)", (stored, patch)).fetchone()[0]
    assert pl.unwrap(json.loads(stored)) == merged


def test_dumps_accepts_plain_python_and_names_the_bad_value() -> None:
    text = pl.dumps({"When": dt.date(2025, 1, 2), "Tags": {"a"}}, where="properties")
    assert json.loads(text) == {"When": "2025-01-02", "Tags": ["a"]}
    with pytest.raises(OutboxInputError, match="properties: cannot store a value of type object"):
        pl.dumps({"X": object()}, where="properties")


def rich(text: str) -> dict[str, object]:
    return {"type": "text", "text": {"content": text}}


def as_response(text: str) -> dict[str, object]:
    return {"type": "text", "text": {"content": text, "link": None}, "plain_text": text}


@settings(max_examples=60)
@given(
    title=st.text(max_size=30),
    number=st.none() | st.integers() | st.floats(allow_nan=False),
    tags=st.lists(st.text(min_size=1, max_size=5), max_size=4),
)
def test_fingerprint_matches_request_to_response_shape(
    title: str, number: float | None, tags: list[str]
) -> None:
    sent = {
        "Name": {"title": [rich(title)]},
        "Qty": {"number": number},
        "Tags": {"multi_select": [{"name": t} for t in tags]},
    }
    page = {
        "Name": {"id": "title", "type": "title", "title": [as_response(title)]},
        "Qty": {"id": "a", "type": "number", "number": number},
        "Tags": {
            "id": "b",
            "type": "multi_select",
            "multi_select": [{"id": str(i), "name": t, "color": "red"} for i, t in enumerate(tags)],
        },
        "Other": {"id": "c", "type": "checkbox", "checkbox": True},
    }
    assert pl.fingerprint(sent) == pl.fingerprint(sent, page)
    changed = dict(page, Name={"id": "title", "type": "title", "title": [as_response(title + "!")]})
    assert pl.fingerprint(sent) != pl.fingerprint(sent, changed)


def test_fingerprint_of_nothing_comparable_is_empty() -> None:
    assert pl.fingerprint({"Files": {"files": []}}) == ""


def test_store_urls() -> None:
    assert parse_store_url("sqlite:///rel/x.db").path == "rel/x.db"
    assert parse_store_url("sqlite:////abs/x.db").path == "/abs/x.db"
    pg = parse_store_url("postgresql+psycopg://u:p%40ss@db:6543/app")
    assert pg.connect_args | {"password": "?"} == {
        "host": "db", "port": 6543, "user": "u", "password": "?", "dbname": "app"
    }  # fmt: skip
    assert pg.connect_args["password"] == "p@ss"
    assert "p@ss" not in repr(pg)
    my = parse_store_url("mysql+pymysql://root@127.0.0.1/test")
    assert (my.dialect, my.connect_args["port"], my.connect_args["charset"]) == (
        "mysql", 3306, "utf8mb4"
    )  # fmt: skip
    with pytest.raises(OutboxInputError, match="unsupported scheme 'oracle'"):
        parse_store_url("oracle://u:secret@h/db")
    with pytest.raises(OutboxInputError, match="SQLite file"):
        parse_store_url("sqlite:///:memory:")
