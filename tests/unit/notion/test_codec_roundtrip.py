"""Property codec round trips, driven by Hypothesis.

For every writable type: value → encode → (what Notion answers) → decode == value. For every
type: value → to_columns → from_columns == value, and through real SQLite, PostgreSQL and
MariaDB tables declared with the codec's own column types.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import uuid
from typing import Any

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncbridge.notion.codec import (
    CodecError,
    DateValue,
    FileValue,
    RichText,
    UniqueIdValue,
    UserId,
    columns_for,
    decode,
    encode,
    from_columns,
    is_writable,
    sqlalchemy_type,
    to_columns,
)
from syncbridge.notion.codec.rich_text import DEFAULT_ANNOTATIONS, utf16_len

USERS = {str(uuid.UUID(int=i + 1)): f"User {i}" for i in range(4)}

# Text without NUL: PostgreSQL TEXT cannot hold it (and Notion never sends it).
texts = st.text(st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)))
names = texts.filter(lambda s: s.strip() != "" and len(s) <= 100)
ids = st.uuids().map(str)
numbers = st.one_of(
    st.integers(min_value=-(2**53), max_value=2**53),
    st.floats(allow_nan=False, allow_infinity=False),
)
iso_dates = st.dates().map(lambda d: d.isoformat())
iso_times = st.datetimes(timezones=st.just(dt.UTC)).map(
    lambda d: d.isoformat(timespec="milliseconds")
)
timestamps = st.datetimes().map(lambda d: d.isoformat(timespec="minutes") + ":00.000Z")
date_values = st.builds(
    DateValue,
    start=st.one_of(iso_dates, iso_times),
    end=st.none() | iso_dates | iso_times,
    time_zone=st.none() | st.sampled_from(["Europe/Berlin", "UTC", "America/New_York"]),
)
file_values = st.builds(
    FileValue,
    name=names,
    url=st.sampled_from(["https://example.com/a.png", "https://x.org/robots.txt"]),
    type=st.just("external"),
)
places = st.fixed_dictionaries(
    {
        "lat": st.floats(-90, 90),
        "lon": st.floats(-180, 180),
        "name": st.none() | names,
        "address": st.none() | names,
    }
)

WRITABLE: dict[str, st.SearchStrategy[Any]] = {
    "title": texts.filter(bool),
    "rich_text": texts.filter(bool),
    "number": numbers,
    "select": names,
    "status": names,
    "multi_select": st.lists(names, min_size=1, max_size=5),
    "date": date_values,
    "people": st.lists(st.sampled_from(sorted(USERS)), min_size=1, max_size=4),
    "files": st.lists(file_values, min_size=1, max_size=3),
    "checkbox": st.booleans(),
    "url": names,
    "email": names,
    "phone_number": names,
    "relation": st.lists(ids, min_size=1, max_size=5),
    "place": places,
}
json_values = st.recursive(
    st.none() | st.booleans() | numbers | texts,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3),
    max_leaves=8,
)
READ_ONLY: dict[str, st.SearchStrategy[Any]] = {
    "formula": st.one_of(texts.filter(bool), numbers, st.booleans(), date_values),
    "rollup": st.one_of(
        numbers,
        date_values,
        st.lists(st.one_of(texts.filter(bool), numbers, date_values, st.booleans()), min_size=1),
    ),
    "created_time": timestamps,
    "last_edited_time": timestamps,
    "created_by": st.builds(UserId, ids, st.none() | names),
    "last_edited_by": st.builds(UserId, ids, st.none() | names),
    "unique_id": st.builds(
        UniqueIdValue,
        prefix=st.none() | st.from_regex(r"[A-Z][A-Z-]{0,6}", fullmatch=True),
        number=st.integers(min_value=0, max_value=2**40),
    ),
    "verification": st.sampled_from(["verified", "expired", "unverified"]),
    "button": st.none(),
    "some_future_type": json_values,
}
ALL_TYPES = {**WRITABLE, **READ_ONLY}


def schema(prop_type: str) -> dict[str, Any]:
    return {"id": "abcd", "name": f"My {prop_type}", "type": prop_type, prop_type: {}}


def respond(prop_type: str, inner: Any) -> dict[str, Any]:
    """What Notion answers for a written request value (ids, colours, plain_text filled in)."""
    return {"id": "abcd", "type": prop_type, prop_type: _RESPOND.get(prop_type, _same)(inner)}


def _same(inner: Any) -> Any:
    return inner


def _rich_item(item: dict[str, Any]) -> dict[str, Any]:
    kind = item["type"]
    body = dict(item[kind])
    if kind == "text":
        body.setdefault("link", None)
        plain, href = body["content"], (body["link"] or {}).get("url")
    elif kind == "mention":
        user = body["user"]
        body = {"type": "user", "user": {"object": "user", "id": user["id"]}}
        plain, href = "@" + USERS[user["id"]], None
    else:
        plain, href = body["expression"], None
    annotations = {**DEFAULT_ANNOTATIONS, **item.get("annotations", {})}
    return {"type": kind, kind: body, "annotations": annotations, "plain_text": plain, "href": href}


def _option(option: dict[str, Any] | None) -> dict[str, Any] | None:
    if option is None:
        return None
    return {"id": str(uuid.uuid5(uuid.NAMESPACE_OID, option["name"])), "color": "red", **option}


def _files(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{"name": f["name"], "type": f["type"], f["type"]: f[f["type"]]} for f in items]


def _place(inner: dict[str, Any] | None) -> dict[str, Any] | None:
    return None if inner is None else {"name": None, "address": None, **inner}


_RESPOND = {
    "title": lambda items: [_rich_item(i) for i in items],
    "rich_text": lambda items: [_rich_item(i) for i in items],
    "select": _option,
    "status": _option,
    "multi_select": lambda options: [_option(o) for o in options],
    "people": lambda users: [{**u, "name": USERS[u["id"]], "type": "person"} for u in users],
    "files": _files,
    "place": _place,
}


@pytest.mark.parametrize("prop_type", sorted(WRITABLE))
def test_encode_then_decode_gives_the_value_back(prop_type: str) -> None:
    @given(WRITABLE[prop_type])
    @settings(max_examples=40, deadline=None)
    def check(value: Any) -> None:
        request = encode(schema(prop_type), value)
        assert set(request) == {prop_type}
        assert decode(respond(prop_type, request[prop_type])) == value

    check()


@pytest.mark.parametrize("prop_type", sorted(ALL_TYPES))
def test_to_columns_then_from_columns_gives_the_value_back(prop_type: str) -> None:
    @given(ALL_TYPES[prop_type])
    @settings(max_examples=40, deadline=None)
    def check(value: Any) -> None:
        columns = to_columns(schema(prop_type), value)
        assert set(columns) == {c.suffix for c in columns_for(schema(prop_type))}
        assert all(type(v) in (str, int, float, bool, type(None)) for v in columns.values())
        back = from_columns(schema(prop_type), columns)
        assert back == value
        # JSON-safe, so the sync engine can keep column values as a row's merge base
        assert from_columns(schema(prop_type), json.loads(json.dumps(columns))) == value
        assert type(back) is type(value) or isinstance(value, str | int | float)

    check()


def test_writable_and_read_only_types_are_the_ones_documented() -> None:
    assert all(is_writable(t) for t in WRITABLE)
    assert not any(is_writable(t) for t in READ_ONLY)


# Rich text with annotations, links, mentions and equations keeps all of them on re-encode.
annotations = st.fixed_dictionaries(
    {},
    optional={
        "bold": st.booleans(),
        "italic": st.booleans(),
        "code": st.booleans(),
        "color": st.sampled_from(["default", "red", "blue_background"]),
    },
)
text_items = st.builds(
    lambda content, link, ann: {
        "type": "text",
        "text": {"content": content, **({"link": {"url": link}} if link else {})},
        "annotations": ann,
    },
    texts.filter(lambda s: 0 < utf16_len(s) <= 2000),
    st.none() | st.just("https://example.com/x"),
    annotations,
)
mention_items = st.builds(
    lambda user, ann: {"type": "mention", "mention": {"user": {"id": user}}, "annotations": ann},
    st.sampled_from(sorted(USERS)),
    annotations,
)
equation_items = st.builds(
    lambda expr: {"type": "equation", "equation": {"expression": expr}}, texts.filter(bool)
)
rich_items = st.lists(st.one_of(text_items, mention_items, equation_items), min_size=1, max_size=5)


@given(rich_items)
@settings(max_examples=100, deadline=None)
def test_rich_text_survives_decode_and_encode(items: list[dict[str, Any]]) -> None:
    response = respond("rich_text", encode(schema("rich_text"), items)["rich_text"])
    value = decode(response)
    assert isinstance(value, RichText)
    assert value == "".join(item["plain_text"] for item in response["rich_text"])
    again = encode(schema("rich_text"), value)
    assert again == encode(schema("rich_text"), items)
    assert respond("rich_text", again["rich_text"]) == response
    plain = encode(schema("rich_text"), str(value))["rich_text"]
    assert all(set(item) == {"type", "text"} and set(item["text"]) == {"content"} for item in plain)


@given(st.text(st.characters(blacklist_categories=("Cs",)), min_size=1500, max_size=9000))
@settings(max_examples=15, deadline=None)
def test_long_text_is_split_into_items_notion_accepts(text: str) -> None:
    items = encode(schema("title"), text)["title"]
    assert all(0 < utf16_len(item["text"]["content"]) <= 2000 for item in items)
    assert "".join(item["text"]["content"] for item in items) == text
    assert decode(respond("title", items)) == text


# --- through real databases ----------------------------------------------------------------

SQL_TYPES = sorted(ALL_TYPES)
rows = st.fixed_dictionaries({t: st.none() | ALL_TYPES[t] for t in SQL_TYPES})


def _table() -> sa.Table:
    columns = [sa.Column("row_id", sa.Integer, primary_key=True, autoincrement=False)]
    for prop_type in SQL_TYPES:
        for spec in columns_for(schema(prop_type)):
            name = f"{prop_type}{spec.suffix}"
            columns.append(sa.Column(name, sqlalchemy_type(spec.sql_type), nullable=True))
    return sa.Table("codec_roundtrip", sa.MetaData(), *columns)


def _expected(prop_type: str, value: Any) -> Any:
    return False if prop_type == "checkbox" and value is None else value


def _check_through_database(url: str, examples: int) -> None:
    engine = sa.create_engine(url)
    table = _table()
    table.metadata.create_all(engine)
    counter = iter(range(10**6))

    @given(rows)
    @settings(
        max_examples=examples,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    def check(row: dict[str, Any]) -> None:
        row_id = next(counter)
        record: dict[str, Any] = {"row_id": row_id}
        for prop_type, value in row.items():
            for suffix, sql_value in to_columns(schema(prop_type), value).items():
                record[f"{prop_type}{suffix}"] = sql_value
        with engine.begin() as conn:
            conn.execute(table.insert().values(record))
            stored = conn.execute(table.select().where(table.c.row_id == row_id)).mappings().one()
        for prop_type, value in row.items():
            suffixes = [spec.suffix for spec in columns_for(schema(prop_type))]
            columns = {suffix: stored[f"{prop_type}{suffix}"] for suffix in suffixes}
            assert from_columns(schema(prop_type), columns) == _expected(prop_type, value), (
                prop_type
            )

    try:
        check()
    finally:
        engine.dispose()


def test_values_survive_sqlite(sqlite_url: str) -> None:
    _check_through_database(sqlite_url, examples=60)


@pytest.mark.postgres
def test_values_survive_postgresql(pg_url: str) -> None:
    _check_through_database(pg_url, examples=25)


@pytest.mark.mysql
def test_values_survive_mariadb(mysql_url: str) -> None:
    _check_through_database(mysql_url, examples=25)


# --- malformed input: a CodecError, never a crash ---------------------------------------------

any_json = st.recursive(
    st.none() | st.booleans() | numbers | texts | ids,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(["type", "name", "id", "start", "url", "number", "string", "array"])
            | texts,
            inner,
            max_size=4,
        )
    ),
    max_leaves=10,
)


@pytest.mark.parametrize("prop_type", sorted(ALL_TYPES))
def test_malformed_json_gives_codec_errors_only(prop_type: str) -> None:
    @given(any_json, any_json)
    @settings(max_examples=40, deadline=None)
    def check(inner: Any, sql_value: Any) -> None:
        for step in (
            lambda: decode({"type": prop_type, prop_type: inner}),
            lambda: encode(schema(prop_type), inner),
            lambda: encode(schema(prop_type), {prop_type: inner}),
            lambda: to_columns(schema(prop_type), inner),
            lambda: from_columns(
                schema(prop_type), {c.suffix: sql_value for c in columns_for(schema(prop_type))}
            ),
        ):
            with contextlib.suppress(CodecError):
                step()

    check()
