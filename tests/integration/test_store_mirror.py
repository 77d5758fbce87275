"""Mirror tables on SQLite, PostgreSQL and MariaDB: real schemas from the cassettes, nasty names,
codec values round-tripping through every column, and schema evolution keeping every value.
"""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import sqlalchemy.dialects.mysql
import yaml
from sqlalchemy.orm import Session

from syncbridge.notion import codec
from syncbridge.store import naming
from syncbridge.store.engine import make_engine
from syncbridge.store.evolution import evolve
from syncbridge.store.migrate import migrate
from syncbridge.store.mirror import BOOKKEEPING, Col, Mirror, create_mirror, load_mirror
from syncbridge.store.models import ColumnMapping, ColumnState, DataSource, NotionDatabase

Json = dict[str, Any]


# ---- real schemas and pages from the cassettes ----------------------------------------------


def _walk(node: Any, sources: dict[str, Json], pages: dict[str, dict[str, Json]]) -> None:
    if isinstance(node, dict):
        if node.get("object") == "data_source" and isinstance(node.get("properties"), dict):
            sources[node["id"]] = node
        parent = node.get("parent") or {}
        if node.get("object") == "page" and parent.get("type") == "data_source_id":
            pages[parent["data_source_id"]][node["id"]] = node
        for value in node.values():
            _walk(value, sources, pages)
    elif isinstance(node, list):
        for value in node:
            _walk(value, sources, pages)


@pytest.fixture(scope="session")
def recorded(cassettes_dir: Path) -> tuple[dict[str, Json], dict[str, dict[str, Json]]]:
    """Every data source (last recorded schema) and the pages recorded for each."""
    sources: dict[str, Json] = {}
    pages: dict[str, dict[str, Json]] = defaultdict(dict)
    for path in sorted(cassettes_dir.rglob("*.yaml")):
        loaded = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for interaction in loaded.get("interactions", []):
            response = interaction["response"]
            body = response.get("content") or (response.get("body") or {}).get("string")
            try:
                _walk(json.loads(body), sources, pages)
            except (TypeError, ValueError):
                continue
    return sources, pages


# ---- helpers -----------------------------------------------------------------------------


def _register(engine: sa.Engine, table: str, schema: Json, ds_id: str = "ds") -> int:
    with Session(engine) as session, session.begin():
        db = NotionDatabase(
            notion_database_id=naming.short_hash(table + ds_id).ljust(36, "0"),
            name=table,
            database_type="generic",
            conflict_strategy="remote_wins",
        )
        ds = DataSource(
            notion_data_source_id=naming.short_hash(ds_id + table).ljust(36, "1"),
            name=table,
            table_name=table,
            schema_json={},
        )
        db.data_sources.append(ds)
        session.add(db)
        session.flush()
        create_mirror(session, ds, schema)
        return ds.id


def _mirror(engine: sa.Engine, ds_id: int) -> Mirror:
    with Session(engine) as session:
        return load_mirror(session, ds_id)


def _real_columns(engine: sa.Engine, table: str) -> dict[str, Any]:
    return {c["name"]: c["type"] for c in sa.inspect(engine).get_columns(table)}


def _page_row(page_id: str, **values: Any) -> Json:
    return {Col.PAGE_ID: page_id, Col.RAW: {"id": page_id}, **values}


@pytest.fixture
def engine(store_url: str) -> Any:
    eng = make_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


# ---- tables from real schemas ------------------------------------------------------------


def test_every_recorded_schema_and_page_round_trips(engine: sa.Engine, recorded: Any) -> None:
    sources, pages = recorded
    # one data source per distinct set of property types: more of the same adds only time
    by_types = {
        frozenset(c["type"] for c in sources[ds_id]["properties"].values()): ds_id
        for ds_id in sources
        if pages.get(ds_id)
    }
    with_pages = sorted(by_types.values())
    types_seen: set[str] = set()
    values_checked = 0
    for n, ds_id in enumerate(with_pages):
        schema = sources[ds_id]["properties"]
        table = f"nt_rec_{n}"
        mirror = _mirror(engine, _register(engine, table, schema, ds_id))
        real = _real_columns(engine, table)
        # the schema makes the columns: every property has its columns, even if never filled
        for name, conf in schema.items():
            prop = mirror.active[conf["id"]]
            assert prop.property_name == name
            assert [c.suffix for c in prop.columns] == [s.suffix for s in codec.columns_for(conf)]
            assert all(c.name in real for c in prop.columns)
            types_seen.add(conf["type"])
        by_id = {conf["id"]: conf for conf in schema.values()}
        written: dict[str, Json] = {}
        with engine.begin() as conn:
            for page in pages[ds_id].values():
                row = _page_row(page["id"], **{Col.RAW: page})
                row[Col.LAST_EDITED_TIME] = page["last_edited_time"]
                for value in page["properties"].values():
                    conf = by_id.get(value["id"])
                    if conf is None or conf["type"] != value["type"]:
                        continue  # the page was recorded under another version of the schema
                    cols = codec.to_columns(conf, codec.decode(value))
                    for suffix, sql_value in cols.items():
                        row[mirror.column(conf["id"], suffix)] = sql_value
                written[page["id"]] = row
                conn.execute(sa.insert(mirror.table).values(row))
        with engine.connect() as conn:
            for read in conn.execute(sa.select(mirror.table)).mappings():
                row = written[read[Col.PAGE_ID]]
                assert read[Col.RAW] == row[Col.RAW]
                for column, value in row.items():
                    if not column.startswith("_sb_"):
                        assert read[column] == value, (table, column)
                        values_checked += 1
    assert values_checked > 100
    assert len(types_seen) >= 20


ALL_TYPES = {
    "title", "rich_text", "number", "select", "multi_select", "status", "date", "people", "files",
    "checkbox", "url", "email", "phone_number", "relation", "formula", "rollup", "created_time",
    "created_by", "last_edited_time", "last_edited_by", "unique_id", "button", "verification",
    "place",
}  # fmt: skip


def test_one_recorded_property_of_every_type_gets_typed_columns(
    engine: sa.Engine, recorded: Any
) -> None:
    sources, _pages = recorded
    schema: Json = {}
    for source in sources.values():
        for name, conf in source["properties"].items():
            if conf["type"] not in {c["type"] for c in schema.values()}:
                schema[f"{name} ({conf['type']})"] = {**conf, "id": conf["type"]}
    assert {c["type"] for c in schema.values()} >= ALL_TYPES
    mirror = _mirror(engine, _register(engine, "nt_every_type", schema))
    real = _real_columns(engine, "nt_every_type")
    for conf in schema.values():
        for spec in codec.columns_for(conf):
            reflected = real[mirror.column(conf["id"], spec.suffix)]
            assert isinstance(reflected, REFLECTED[spec.sql_type]), (conf["type"], reflected)


# What each portable type reads back as (MySQL has no boolean type: TINYINT(1)).
REFLECTED = {
    codec.SqlType.TEXT: (sa.Text, sa.String),
    codec.SqlType.JSON: (sa.Text, sa.String),
    codec.SqlType.INTEGER: sa.Integer,
    codec.SqlType.FLOAT: sa.Float,
    codec.SqlType.BOOLEAN: (sa.Boolean, sa.dialects.mysql.TINYINT),
    codec.SqlType.DATETIME: sa.DateTime,
}


# ---- evolution ---------------------------------------------------------------------------


BASE_SCHEMA: Json = {
    "Name": {"id": "title", "name": "Name", "type": "title", "title": {}},
    "Priority": {"id": "pri", "name": "Priority", "type": "number", "number": {}},
    "Stage": {"id": "stg", "name": "Stage", "type": "select", "select": {"options": []}},
    "Notes": {"id": "nts", "name": "Notes", "type": "rich_text", "rich_text": {}},
    "Due": {"id": "due", "name": "Due", "type": "date", "date": {}},
}


def _state(engine: sa.Engine, ds_id: int) -> dict[tuple[str, str], ColumnMapping]:
    with Session(engine) as session:
        rows = session.scalars(
            sa.select(ColumnMapping).where(ColumnMapping.data_source_id == ds_id)
        )
        return {(r.property_id, r.state): r for r in rows}


def test_evolution_adds_renames_retypes_and_removes_without_losing_data(engine: sa.Engine) -> None:
    ds_id = _register(engine, "nt_evolve", BASE_SCHEMA)
    before = _mirror(engine, ds_id)
    with engine.begin() as conn:
        conn.execute(
            sa.insert(before.table).values(
                _page_row(
                    "p-1",
                    name="Ship it",
                    priority=3.0,
                    stage="Doing",
                    notes="keep me",
                    due="2026-02-01",
                    due_end="2026-02-03",
                )
            )
        )
    schema = json.loads(json.dumps(BASE_SCHEMA))
    schema["Title renamed"] = {**schema.pop("Name"), "name": "Title renamed"}
    schema["Priority"] = {"id": "pri", "name": "Priority", "type": "select", "select": {}}
    schema["Stage"] = {"id": "stg", "name": "Stage", "type": "status", "status": {}}
    del schema["Notes"]
    schema["Deadline"] = {**schema.pop("Due"), "name": "Deadline"}
    schema["Owner"] = {"id": "own", "name": "Owner", "type": "people", "people": {}}

    result = evolve(engine, ds_id, schema)
    assert result.added == ("Owner",)
    assert ("name", "title_renamed") in result.renamed
    assert ("due", "deadline") in result.renamed
    assert ("due_end", "deadline_end") in result.renamed
    assert result.retyped == ("Priority",)
    assert result.removed == ("Notes",)
    assert evolve(engine, ds_id, schema).changed is False  # running again changes nothing

    after = _mirror(engine, ds_id)
    real = _real_columns(engine, "nt_evolve")
    assert set(real) == {c.name for p in after.properties for c in p.columns} | set(BOOKKEEPING)
    with engine.connect() as conn:
        row = conn.execute(sa.select(after.table)).mappings().one()
    assert row[after.column("title")] == "Ship it"
    assert row[after.column("due")] == "2026-02-01"
    assert row[after.column("due", "_end")] == "2026-02-03"
    assert row[after.column("stg")] == "Doing"  # select -> status: same column, data kept
    assert row[after.column("pri")] is None  # new select column under the old name
    assert after.column("pri") == "priority"
    state = _state(engine, ds_id)
    retyped = state[("pri", ColumnState.RETYPED.value)]
    assert retyped.property_type == "number"
    assert row[retyped.columns[0]["name"]] == 3.0  # the number is still there
    assert retyped.columns[0]["name"] == "priority__number"
    removed = state[("nts", ColumnState.REMOVED.value)]
    assert row[removed.columns[0]["name"]] == "keep me"
    assert row[after.column("own", "_names")] is None

    # the removed property comes back (Notion's undo): same columns, data still there
    schema["Notes"] = BASE_SCHEMA["Notes"]
    result = evolve(engine, ds_id, schema)
    assert result.restored == ("Notes",)
    assert _mirror(engine, ds_id).column("nts") == "notes"


def test_swapped_names_and_retype_back_keep_everything(engine: sa.Engine) -> None:
    ds_id = _register(engine, "nt_swap", BASE_SCHEMA)
    table = _mirror(engine, ds_id).table
    with engine.begin() as conn:
        conn.execute(sa.insert(table).values(_page_row("p", stage="S", notes="N", priority=1.0)))
    schema = json.loads(json.dumps(BASE_SCHEMA))
    schema["Stage"], schema["Notes"] = (
        {**BASE_SCHEMA["Stage"], "name": "Notes"},
        {**BASE_SCHEMA["Notes"], "name": "Stage"},
    )
    evolve(engine, ds_id, schema)
    schema["Priority"] = {"id": "pri", "name": "Priority", "type": "rich_text", "rich_text": {}}
    evolve(engine, ds_id, schema)
    schema["Priority"] = BASE_SCHEMA["Priority"]
    evolve(engine, ds_id, schema)
    mirror = _mirror(engine, ds_id)
    with engine.connect() as conn:
        row = conn.execute(sa.select(mirror.table)).mappings().one()
    assert row[mirror.column("stg")] == "S"
    assert row[mirror.column("nts")] == "N"
    numbers = [
        c.name
        for p in mirror.properties
        if p.property_id == "pri" and p.property_type == "number"
        for c in p.columns
    ]
    assert 1.0 in [row[c] for c in numbers]  # the first number column survived two retypes
    assert len(mirror.active) == len(schema)


def test_user_columns_are_left_alone_and_a_half_done_rename_recovers(engine: sa.Engine) -> None:
    ds_id = _register(engine, "nt_recover", BASE_SCHEMA)
    prep = engine.dialect.identifier_preparer
    with engine.begin() as conn:
        # the user adds their own column named like a property that does not exist yet
        conn.execute(sa.text(f"ALTER TABLE nt_recover ADD COLUMN {prep.quote('owner')} INTEGER"))
        # a crash (MySQL commits DDL one statement at a time) renamed a column without the map
        conn.execute(sa.text("ALTER TABLE nt_recover RENAME COLUMN notes TO notes_lost"))
    schema = json.loads(json.dumps(BASE_SCHEMA))
    schema["Owner"] = {"id": "own", "name": "Owner", "type": "rich_text", "rich_text": {}}
    schema["Remarks"] = {**schema.pop("Notes"), "name": "Remarks"}
    result = evolve(engine, ds_id, schema)
    assert result.added == ("Owner",)
    mirror = _mirror(engine, ds_id)
    real = _real_columns(engine, "nt_recover")
    assert mirror.column("own") == "owner_2"  # the user's "owner" is not ours to take
    assert {"owner", "notes_lost", "owner_2", "remarks"} <= set(real)
    with engine.begin() as conn:
        conn.execute(sa.insert(mirror.table).values(_page_row("p", remarks="r", owner_2="o")))
