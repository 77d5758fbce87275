"""Schema evolution: bring a mirror table in line with its data source's new schema.

* a new property gets its columns (``ALTER TABLE … ADD COLUMN``);
* a renamed property (same id, new name) renames its columns;
* a property whose type changed so that its columns differ keeps the old columns, renamed to
  ``<name>__<old type>`` and marked ``retyped``, and gets new columns under its name; a type change
  with identical columns (``select`` → ``status``) just updates the map;
* a removed property's columns stay, marked ``removed`` (restored if the id comes back).

Nothing is dropped. It works on SQLite (3.25+), PostgreSQL and MySQL 8 / MariaDB 10.5+. On
PostgreSQL and SQLite the DDL and the column map commit together; MySQL commits each DDL statement
by itself, so evolution is written to be re-run safely after a crash (it checks the real table).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, inspect, text
from sqlalchemy.orm import Session

from syncbridge.notion.codec import ColumnSpec, columns_for, sqlalchemy_type
from syncbridge.store import naming
from syncbridge.store.engine import translate_errors
from syncbridge.store.errors import SchemaEvolutionError
from syncbridge.store.mirror import (
    BOOKKEEPING,
    EvolutionResult,
    MirrorColumn,
    allocate_columns,
    columns_json,
    get_data_source,
    ordered_properties,
    property_columns,
)
from syncbridge.store.models import ColumnMapping, ColumnState, DataSource, utcnow

log = logging.getLogger(__name__)


@dataclass
class _Changes:
    added: list[str] = field(default_factory=list)
    renamed: list[tuple[str, str]] = field(default_factory=list)
    retyped: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    restored: list[str] = field(default_factory=list)


@dataclass
class _Table:
    """The table being evolved: its connection, name, and every column name in use (lower case)."""

    conn: Connection
    name: str
    actual: set[str]
    taken: set[str]

    def add(self, column: MirrorColumn) -> None:
        prep = self.conn.dialect.identifier_preparer
        sql_type = sqlalchemy_type(column.sql_type).compile(dialect=self.conn.dialect)
        table, name = prep.quote(self.name), prep.quote(column.name)
        self.conn.execute(text(f"ALTER TABLE {table} ADD COLUMN {name} {sql_type}"))
        self.actual.add(column.name.lower())

    def rename(self, old: str, new: MirrorColumn) -> None:
        if old.lower() not in self.actual:
            # Only after a crash mid-evolution on MySQL: the old column is gone, so start afresh.
            log.warning(
                "column %s.%s missing; adding %s",
                self.name,
                old,
                new.name,
                extra={"action": "mirror.rename_missing"},
            )
            self.add(new)
            return
        prep = self.conn.dialect.identifier_preparer
        self.conn.execute(
            text(
                f"ALTER TABLE {prep.quote(self.name)} "
                f"RENAME COLUMN {prep.quote(old)} TO {prep.quote(new.name)}"
            )
        )
        self.actual.discard(old.lower())
        self.actual.add(new.name.lower())


def evolve(
    engine: Engine, data_source: DataSource | int, new_schema: dict[str, Any]
) -> EvolutionResult:
    """Evolve a data source's mirror table to ``new_schema`` (Notion's ``properties`` object).

    Args:
        engine: The store.
        data_source: The data source row (or its id in ``sb_data_sources``).
        new_schema: The data source's ``properties`` as Notion now sends them.

    Returns:
        What changed; ``result.changed`` is False when the schema was already in line.

    Raises:
        SchemaEvolutionError: the data source or its table does not exist.
        StoreError: the database refused a statement.
    """
    with (
        translate_errors(engine, "evolving a mirror table"),
        Session(engine) as session,
        session.begin(),
    ):
        return evolve_in(session, data_source, new_schema)


def evolve_in(
    session: Session, data_source: DataSource | int, new_schema: dict[str, Any]
) -> EvolutionResult:
    """:func:`evolve` inside the caller's session and transaction."""
    ds = get_data_source(session, data_source)
    conn = session.connection()
    inspector = inspect(conn)
    if not inspector.has_table(ds.table_name):
        raise SchemaEvolutionError(
            f"mirror table {ds.table_name!r} of data source {ds.notion_data_source_id} is missing"
        )
    actual = {c["name"].lower() for c in inspector.get_columns(ds.table_name)}
    rows = list(ds.columns)
    taken = {n.lower() for n in BOOKKEEPING} | actual
    taken |= {c["name"].lower() for row in rows for c in row.columns}
    table = _Table(conn, ds.table_name, actual, taken)
    current = {r.property_id: r for r in rows if r.state != ColumnState.RETYPED.value}
    changes = _Changes()
    seen: set[str] = set()
    for name, conf in ordered_properties(new_schema):
        seen.add(conf["id"])
        row = current.get(conf["id"])
        if row is None:
            _add_property(ds, table, name, conf, columns_for(conf), None)
            changes.added.append(name)
        else:
            _update_property(ds, table, row, name, conf, changes)
    for prop_id, row in current.items():
        if prop_id not in seen and row.state == ColumnState.ACTIVE.value:
            row.state = ColumnState.REMOVED.value
            changes.removed.append(row.property_name)
    ds.schema_json = new_schema
    ds.updated_at = utcnow()
    session.flush()
    result = EvolutionResult(
        table=ds.table_name,
        added=tuple(changes.added),
        renamed=tuple(changes.renamed),
        retyped=tuple(changes.retyped),
        removed=tuple(changes.removed),
        restored=tuple(changes.restored),
    )
    if result.changed:
        log.info("evolved %s: %s", ds.table_name, result, extra={"action": "mirror.evolve"})
    return result


def _add_property(
    ds: DataSource,
    table: _Table,
    name: str,
    conf: dict[str, Any],
    specs: Sequence[ColumnSpec],
    base: str | None,
) -> None:
    columns = allocate_columns(name, conf["id"], specs, table.taken, base)
    for column in columns:
        table.add(column)
    ds.columns.append(
        ColumnMapping(
            property_id=conf["id"],
            property_name=name,
            property_type=conf["type"],
            columns=columns_json(columns),
            state=ColumnState.ACTIVE.value,
        )
    )


def _base_of(row: ColumnMapping) -> str | None:
    for col in row.columns:
        suffix, col_name = col["suffix"], col["name"]
        return col_name[: len(col_name) - len(suffix)] if suffix else col_name
    return None


def _update_property(
    ds: DataSource,
    table: _Table,
    row: ColumnMapping,
    name: str,
    conf: dict[str, Any],
    changes: _Changes,
) -> None:
    if row.state == ColumnState.REMOVED.value:
        row.state = ColumnState.ACTIVE.value
        changes.restored.append(name)
    specs = columns_for(conf)
    have = {c["suffix"]: c["sql_type"] for c in row.columns}
    want = {s.suffix: s.sql_type.value for s in specs}
    if any(have.get(suffix, sql) != sql for suffix, sql in want.items()) or (set(have) - set(want)):
        _retype(ds, table, row, name, conf, specs)
        changes.retyped.append(name)
        return
    row.property_type = conf["type"]  # same columns (or a superset): the data carries over
    if row.property_name != name:
        _rename(table, row, name, changes)
    missing = [s for s in specs if s.suffix not in have]
    if missing:  # e.g. a newer codec splits a value into one more column
        base = _base_of(row) or naming.column_base(name, row.property_id)
        extra = allocate_columns(name, row.property_id, missing, table.taken, base)
        for column in extra:
            table.add(column)
        row.columns = [*row.columns, *columns_json(extra)]


def _rename(table: _Table, row: ColumnMapping, name: str, changes: _Changes) -> None:
    old = property_columns(row).columns
    row.property_name = name
    if not old:
        return
    for col in old:
        table.taken.discard(col.name.lower())
    wanted = naming.column_base(name, row.property_id)
    new = allocate_columns(
        name, row.property_id, [ColumnSpec(c.suffix, c.sql_type) for c in old], table.taken, wanted
    )
    moves = [(b, a) for b, a in zip(old, new, strict=True) if b.name != a.name]
    # A new name may be another of this property's old names ("Due" -> "Due end" turns due_end
    # into due_end_end while due becomes due_end): move through temporary names first.
    olds = {b.name.lower() for b, _ in moves}
    if any(a.name.lower() in olds for _, a in moves):
        staged = []
        for i, (before, after) in enumerate(moves):
            temp = MirrorColumn(before.suffix, f"_sb_tmp_{i}", before.sql_type)
            table.rename(before.name, temp)
            staged.append((before, temp, after))
        for before, temp, after in staged:
            table.rename(temp.name, after)
            changes.renamed.append((before.name, after.name))
    else:
        for before, after in moves:
            table.rename(before.name, after)
            changes.renamed.append((before.name, after.name))
    row.columns = columns_json(new)


def _retype(
    ds: DataSource,
    table: _Table,
    row: ColumnMapping,
    name: str,
    conf: dict[str, Any],
    specs: Sequence[ColumnSpec],
) -> None:
    old = property_columns(row).columns
    old_base = _base_of(row)
    retired: tuple[MirrorColumn, ...] = ()
    if old:
        for col in old:
            table.taken.discard(col.name.lower())
        keep = f"{old_base}__{naming.slug(row.property_type)}"
        retired = allocate_columns(
            row.property_name,
            row.property_id,
            [ColumnSpec(c.suffix, c.sql_type) for c in old],
            table.taken,
            keep,
        )
        for before, after in zip(old, retired, strict=True):
            table.rename(before.name, after)
    row.columns = columns_json(retired)
    row.state = ColumnState.RETYPED.value
    base = old_base if name == row.property_name and old_base else None
    _add_property(ds, table, name, conf, specs, base)
