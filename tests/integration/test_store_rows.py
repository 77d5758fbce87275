"""Mirror rows from real recorded pages: upsert, read back, skip data, tombstones (3 stores)."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlalchemy.orm import Session

from syncbridge.notion import codec
from syncbridge.store.engine import make_engine
from syncbridge.store.migrate import migrate
from syncbridge.store.mirror import Col, create_mirror, load_mirror
from syncbridge.store.models import DataSource, NotionDatabase
from syncbridge.store.rows import (
    live_page_ids,
    page_hash,
    page_row,
    stored_versions,
    tombstone,
    upsert_rows,
)

# Schemas and pages are recorded in different cassettes; these hold the "All Properties DB"
# (27 properties, every type) and pages written with it.
CASSETTES = (
    "ultimate-notion/test_docs_py_snippets/test_page_introduction.yaml",
    "ultimate-notion/test_query/test_id_prop.yaml",
)


def _objects(node: Any) -> Any:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _objects(value)
    elif isinstance(node, list):
        for value in node:
            yield from _objects(value)


@pytest.fixture(scope="module")
def recorded(cassettes_dir: Path) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    interactions = [
        interaction
        for name in CASSETTES
        for interaction in yaml.load((cassettes_dir / name).read_text(), Loader=yaml.CSafeLoader)[
            "interactions"
        ]
    ]
    sources: dict[str, Any] = {}
    pages: dict[str, Any] = {}
    for interaction in interactions:
        try:
            body = json.loads(interaction["response"]["content"])
        except (KeyError, TypeError, ValueError):
            continue
        for obj in _objects(body):
            if obj.get("object") == "data_source" and isinstance(obj.get("properties"), dict):
                sources[obj["id"]] = obj
            if obj.get("object") == "page" and "data_source_id" in (obj.get("parent") or {}):
                pages[obj["id"]] = obj
    with_pages = {p["parent"]["data_source_id"] for p in pages.values()}
    source = max(
        (s for s in sources.values() if s["id"] in with_pages), key=lambda s: len(s["properties"])
    )
    mine = [p for p in pages.values() if p["parent"]["data_source_id"] == source["id"]]
    assert mine, "no recorded pages of the all-properties data source"
    return source["properties"], mine


@pytest.fixture
def engine(store_url: str) -> Any:
    eng = make_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


def _mirror(engine: sa.Engine, schema: dict[str, Any]) -> Any:
    with Session(engine) as session, session.begin():
        db = NotionDatabase(
            notion_database_id="d" * 36, name="All", database_type="generic",
            conflict_strategy="remote_wins",
        )  # fmt: skip
        ds = DataSource(
            notion_data_source_id="s" * 36, name="All", table_name="nt_all", schema_json={}
        )
        db.data_sources.append(ds)
        session.add(db)
        session.flush()
        create_mirror(session, ds, schema)
        ds_id = ds.id
    with Session(engine) as session:
        return load_mirror(session, ds_id)


def test_pages_round_trip_through_upsert(engine: sa.Engine, recorded: Any) -> None:
    schema, pages = recorded
    mirror = _mirror(engine, schema)
    synced = datetime(2026, 7, 1, 12, 0, 0, 123456, tzinfo=UTC)
    with engine.begin() as conn:
        assert upsert_rows(conn, mirror, [page_row(mirror, p, synced_at=synced) for p in pages])
    checked = 0
    with engine.connect() as conn:
        rows = {r[Col.PAGE_ID]: r for r in conn.execute(sa.select(mirror.table)).mappings()}
    for page in pages:
        row = rows[page["id"]]
        assert row[Col.RAW] == page
        assert row[Col.HASH] == page_hash(page)
        assert row[Col.SYNCED_AT] == synced
        assert row[Col.LAST_EDITED_TIME] == datetime.fromisoformat(page["last_edited_time"])
        assert row[Col.VERSION] == 0
        assert row[Col.CONTENT] is None
        for name, value in page["properties"].items():
            conf = mirror.schema_by_id.get(value["id"])
            if conf is None or conf["type"] != value["type"]:
                continue
            prop = mirror.active[value["id"]]
            stored = {suffix: row[column] for suffix, column in prop.names.items()}
            assert codec.from_columns(conf, stored) == codec.decode(value), name
            checked += 1
    assert checked >= 20 * len(pages)


def test_upsert_updates_skips_and_tombstones(engine: sa.Engine, recorded: Any) -> None:
    schema, pages = recorded
    mirror = _mirror(engine, schema)
    page = pages[0]
    with engine.begin() as conn:
        upsert_rows(
            conn,
            mirror,
            [page_row(mirror, page, content=[{"type": "paragraph"}], content_text="hi")],
        )
    edited = copy.deepcopy(page)
    title = next(v for v in edited["properties"].values() if v["type"] == "title")
    title["title"] = [{"type": "text", "text": {"content": "Edited"}, "plain_text": "Edited"}]
    edited["last_edited_time"] = "2030-01-01T00:01:00.000Z"
    with engine.begin() as conn:
        upsert_rows(conn, mirror, [page_row(mirror, edited)])  # no content given: content kept
        stored = stored_versions(conn, mirror, [page["id"], "not-there"])
    assert list(stored) == [page["id"]]
    assert stored[page["id"]].content_hash == page_hash(edited) != page_hash(page)
    assert stored[page["id"]].last_edited_time == datetime(2030, 1, 1, 0, 1, tzinfo=UTC)
    with engine.connect() as conn:
        row = conn.execute(sa.select(mirror.table)).mappings().one()
    assert row[mirror.column("title")] == "Edited"
    assert row[Col.CONTENT_TEXT] == "hi"
    assert row[Col.CONTENT] == [{"type": "paragraph"}]

    with engine.begin() as conn:
        assert live_page_ids(conn, mirror) == {page["id"]}
        assert tombstone(conn, mirror, [page["id"]]) == 1
        assert tombstone(conn, mirror, [page["id"]]) == 0  # already a tombstone
        assert live_page_ids(conn, mirror) == set()
        assert stored_versions(conn, mirror, [page["id"]])[page["id"]].deleted
    trashed = {**edited, "in_trash": True}
    assert page_row(mirror, trashed)[Col.DELETED] is True
