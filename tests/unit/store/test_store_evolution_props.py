"""Schema evolution under random sequences of schema changes (hypothesis, SQLite in memory).

Invariants after every step: each property of the schema has exactly its codec's columns in the
real table; no column is ever dropped; names stay unique and short; the value written to a
property survives every later rename and is still found through the column map.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from syncbridge.notion import codec
from syncbridge.store import naming
from syncbridge.store.base import Base
from syncbridge.store.engine import make_engine
from syncbridge.store.evolution import evolve
from syncbridge.store.mirror import Col, create_mirror, load_mirror
from syncbridge.store.models import ColumnState, DataSource, NotionDatabase

TYPES = ["rich_text", "number", "select", "date", "people", "checkbox", "url", "multi_select"]
NAMES = ["Name", "name", "Due", "Due end", "page_id", "select", "ID", "이름", "x" * 70, "x" * 71]

Op = tuple[str, int, Any]
ops = st.lists(
    st.one_of(
        st.tuples(st.just("add"), st.integers(0, 9), st.sampled_from(TYPES)),
        st.tuples(st.just("rename"), st.integers(0, 9), st.sampled_from(NAMES)),
        st.tuples(st.just("retype"), st.integers(0, 9), st.sampled_from(TYPES)),
        st.tuples(st.just("remove"), st.integers(0, 9), st.none()),
    ),
    min_size=1,
    max_size=8,
)


def _conf(prop_id: str, name: str, prop_type: str) -> dict[str, Any]:
    return {"id": prop_id, "name": name, "type": prop_type, prop_type: {}}


def _apply(props: dict[str, tuple[str, str]], op: Op) -> None:
    kind, n, arg = op
    prop_id = f"p{n}"
    names_in_use = {name for pid, (name, _t) in props.items() if pid != prop_id}
    if kind == "add" and prop_id not in props:
        name = next((c for c in NAMES if c not in names_in_use), f"extra {n}")
        props[prop_id] = (name, arg)
    elif kind == "rename" and prop_id in props and arg not in names_in_use:
        props[prop_id] = (arg, props[prop_id][1])
    elif kind == "retype" and prop_id in props:
        props[prop_id] = (props[prop_id][0], arg)
    elif kind == "remove":
        props.pop(prop_id, None)


def _schema(props: dict[str, tuple[str, str]]) -> dict[str, Any]:
    schema = {"Title": _conf("title", "Title", "title")}
    schema.update({name: _conf(pid, name, t) for pid, (name, t) in props.items()})
    return schema


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ops)
# Found by hypothesis: "Due" -> "Due end" makes the new main column the old end column's name.
@example(steps=[("rename", 0, "Due end")])
def test_random_schema_changes_keep_every_column_and_value(steps: list[Op]) -> None:
    engine = make_engine("sqlite://", poolclass=StaticPool)
    Base.metadata.create_all(engine)
    props: dict[str, tuple[str, str]] = {"p0": ("Due", "date"), "p1": ("Name", "rich_text")}
    with Session(engine) as session, session.begin():
        db = NotionDatabase(
            notion_database_id="d" * 36, name="t", database_type="generic",
            conflict_strategy="remote_wins",
        )  # fmt: skip
        ds = DataSource(notion_data_source_id="s" * 36, name="t", table_name="nt_t", schema_json={})
        db.data_sources.append(ds)
        session.add(db)
        session.flush()
        create_mirror(session, ds, _schema(props))
        ds_id = ds.id
    with Session(engine) as session:
        mirror = load_mirror(session, ds_id)
    # a marker value in each property's main column, remembered by (property id, type)
    markers = {("p0", "date"): "2026-01-01", ("p1", "rich_text"): "hello"}
    with engine.begin() as conn:
        conn.execute(
            sa.insert(mirror.table).values(
                {Col.PAGE_ID: "row", Col.RAW: {}, mirror.column("p0"): "2026-01-01",
                 mirror.column("p1"): "hello"}
            )
        )  # fmt: skip
    ever: set[str] = {c["name"] for c in sa.inspect(engine).get_columns("nt_t")}
    for step in steps:
        _apply(props, step)
        schema = _schema(props)
        evolve(engine, ds_id, schema)
        real = {c["name"] for c in sa.inspect(engine).get_columns("nt_t")}
        assert len(real) >= len(ever)  # columns are renamed or added, never dropped
        ever = real
        assert len({c.lower() for c in real}) == len(real)
        assert all(len(c) <= naming.MAX_IDENTIFIER for c in real)
        with Session(engine) as session:
            mirror = load_mirror(session, ds_id)
        assert set(mirror.active) == {conf["id"] for conf in schema.values()}
        for conf in schema.values():
            active = mirror.active[conf["id"]]
            assert active.property_type == conf["type"]
            assert [c.suffix for c in active.columns] == [s.suffix for s in codec.columns_for(conf)]
            assert set(active.names.values()) <= real
        with engine.connect() as conn:
            row = conn.execute(sa.select(mirror.table)).mappings().one()
        for (prop_id, prop_type), value in markers.items():
            # the marker is in the columns of that property in that type: active or kept
            candidates = [
                p for p in mirror.properties
                if p.property_id == prop_id and p.property_type == prop_type
            ]  # fmt: skip
            same_columns = [
                p for p in mirror.properties
                if p.property_id == prop_id and p.state is not ColumnState.RETYPED
                and "" in p.names and row[p.names[""]] == value
            ]  # fmt: skip
            found = [row[p.names[""]] for p in candidates if "" in p.names]
            assert value in found or same_columns, (prop_id, prop_type, mirror.properties)
    engine.dispose()
