"""Typed mirror tables: one SQL table per Notion data source, evolving with its schema.

A mirror table has ``page_id`` (primary key), the columns of every property (from the codec's
:func:`~syncbridge.notion.codec.columns_for`, named by :mod:`syncbridge.store.naming`) and the
bookkeeping columns in :class:`Col`. Which columns belong to which property is kept in
``sb_columns`` keyed by the stable property id, so a rename renames the column and nothing is
matched by name. Columns are never dropped: a removed property's columns are marked ``removed``,
a retyped property's old columns are renamed ``<name>__<old type>`` and marked ``retyped``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.orm import Session, selectinload

from syncbridge.notion.codec import ColumnSpec, SqlType, columns_for, sqlalchemy_type
from syncbridge.store import naming
from syncbridge.store.base import MYSQL_TABLE_OPTIONS
from syncbridge.store.errors import SchemaEvolutionError
from syncbridge.store.models import ColumnMapping, ColumnState, DataSource
from syncbridge.store.triggers import ensure_triggers
from syncbridge.store.types import LONG_TEXT, JsonDocument, UtcDateTime


class Col:
    """Names of the columns every mirror table has besides its properties' columns."""

    PAGE_ID = naming.PAGE_ID  # Notion page id with dashes; primary key
    RAW = "_sb_raw"  # the whole page JSON as Notion sent it
    CREATED_TIME = "_sb_created_time"
    LAST_EDITED_TIME = "_sb_last_edited_time"
    HASH = "_sb_hash"  # content hash of the synced properties (skip unchanged rows)
    SYNCED_AT = "_sb_synced_at"
    DELETED = "_sb_deleted"  # tombstone: trashed in Notion or gone from a finished full scan
    DELETED_AT = "_sb_deleted_at"
    CONTENT = "_sb_content"  # page blocks JSON (databases with fetch_content)
    CONTENT_TEXT = "_sb_content_text"  # the blocks' plain text
    VERSION = "_sb_version"  # bumped on local edits (push, issue 5)


def _bookkeeping() -> list[sa.Column[Any]]:
    return [
        sa.Column(Col.RAW, JsonDocument(), nullable=False),
        sa.Column(Col.CREATED_TIME, UtcDateTime()),
        sa.Column(Col.LAST_EDITED_TIME, UtcDateTime()),
        sa.Column(Col.HASH, sa.String(64)),
        sa.Column(Col.SYNCED_AT, UtcDateTime()),
        sa.Column(Col.DELETED, sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column(Col.DELETED_AT, UtcDateTime()),
        sa.Column(Col.CONTENT, JsonDocument()),
        sa.Column(Col.CONTENT_TEXT, LONG_TEXT),
        sa.Column(Col.VERSION, sa.BigInteger(), nullable=False, server_default=sa.text("0")),
    ]


BOOKKEEPING: tuple[str, ...] = (Col.PAGE_ID, *(c.name for c in _bookkeeping()))


@dataclass(frozen=True)
class MirrorColumn:
    """One SQL column of a property."""

    suffix: str
    name: str
    sql_type: SqlType


@dataclass(frozen=True)
class PropertyColumns:
    """The columns of one property in one type, and whether the data source still feeds them."""

    property_id: str
    property_name: str
    property_type: str
    state: ColumnState
    columns: tuple[MirrorColumn, ...]

    @property
    def names(self) -> dict[str, str]:
        """Codec suffix -> column name."""
        return {c.suffix: c.name for c in self.columns}


@dataclass(frozen=True)
class Mirror:
    """A data source's mirror table and its property columns (every state)."""

    data_source_id: int
    table: sa.Table
    properties: tuple[PropertyColumns, ...]
    schema: dict[str, Any] = field(default_factory=dict)

    @cached_property
    def active(self) -> dict[str, PropertyColumns]:
        """Property id -> columns, for the properties the data source has now."""
        return {p.property_id: p for p in self.properties if p.state is ColumnState.ACTIVE}

    @cached_property
    def schema_by_id(self) -> dict[str, dict[str, Any]]:
        """Property id -> its schema entry (what the codec takes as ``prop_schema``)."""
        return {conf["id"]: conf for conf in self.schema.values()}

    def column(self, property_id: str, suffix: str = "") -> str:
        """The column holding ``suffix`` of the active property ``property_id``.

        Raises:
            KeyError: no active property with that id, or it has no such column.
        """
        try:
            return self.active[property_id].names[suffix]
        except KeyError:
            raise KeyError(
                f"{self.table.name}: no column {suffix!r} for property id {property_id!r}"
            ) from None


@dataclass(frozen=True)
class EvolutionResult:
    """What :func:`evolve` changed; names are property names, pairs are (old, new) columns."""

    table: str
    added: tuple[str, ...] = ()
    renamed: tuple[tuple[str, str], ...] = ()
    retyped: tuple[str, ...] = ()
    removed: tuple[str, ...] = ()
    restored: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the table or its column map changed."""
        return bool(self.added or self.renamed or self.retyped or self.removed or self.restored)


def build_table(table_name: str, properties: Iterable[PropertyColumns]) -> sa.Table:
    """The SQLAlchemy ``Table`` of a mirror (on its own ``MetaData``; not one of our models)."""
    prop_columns = [
        sa.Column(c.name, sqlalchemy_type(c.sql_type), nullable=True)
        for p in properties
        for c in p.columns
    ]
    return sa.Table(
        table_name,
        sa.MetaData(),
        sa.Column(Col.PAGE_ID, sa.String(36), nullable=False),
        *prop_columns,
        *_bookkeeping(),
        sa.PrimaryKeyConstraint(Col.PAGE_ID, name=naming.fit(f"pk_{table_name}")),
        sa.Index(naming.index_name(table_name, Col.LAST_EDITED_TIME), Col.LAST_EDITED_TIME),
        **MYSQL_TABLE_OPTIONS,
    )


def ordered_properties(schema: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    """(name, config) pairs, the title first, then in Notion's order (which decides collisions)."""
    items = list(schema.items())
    return sorted(items, key=lambda item: item[1].get("type") != "title")


def allocate_columns(
    name: str, prop_id: str, specs: Sequence[ColumnSpec], taken: set[str], base: str | None = None
) -> tuple[MirrorColumn, ...]:
    """Name the columns of a property (``base`` or its name's slug) and add them to ``taken``."""
    wanted = base if base is not None else naming.column_base(name, prop_id)
    names = naming.allocate_columns(wanted, [s.suffix for s in specs], taken)
    taken.update(n.lower() for n in names.values())
    return tuple(MirrorColumn(s.suffix, names[s.suffix], s.sql_type) for s in specs)


def columns_json(columns: Iterable[MirrorColumn]) -> list[dict[str, str]]:
    """The ``sb_columns.columns`` JSON of a property's columns."""
    return [{"suffix": c.suffix, "name": c.name, "sql_type": c.sql_type.value} for c in columns]


def property_columns(row: ColumnMapping) -> PropertyColumns:
    """A ``sb_columns`` row as a value object."""
    return PropertyColumns(
        property_id=row.property_id,
        property_name=row.property_name,
        property_type=row.property_type,
        state=ColumnState(row.state),
        columns=tuple(
            MirrorColumn(c["suffix"], c["name"], SqlType(c["sql_type"])) for c in row.columns
        ),
    )


def plan_columns(schema: dict[str, Any]) -> list[PropertyColumns]:
    """Allocate column names for every property of a new data source's schema."""
    taken = {n.lower() for n in BOOKKEEPING}
    planned = []
    for name, conf in ordered_properties(schema):
        cols = allocate_columns(name, conf["id"], columns_for(conf), taken)
        planned.append(PropertyColumns(conf["id"], name, conf["type"], ColumnState.ACTIVE, cols))
    return planned


def create_mirror(session: Session, data_source: DataSource, schema: dict[str, Any]) -> Mirror:
    """Create the mirror table of ``data_source`` and record its columns (in the session's
    transaction; the caller commits).
    """
    planned = plan_columns(schema)
    table = build_table(data_source.table_name, planned)
    table.create(session.connection())
    for prop in planned:
        data_source.columns.append(
            ColumnMapping(
                property_id=prop.property_id,
                property_name=prop.property_name,
                property_type=prop.property_type,
                columns=columns_json(prop.columns),
                state=prop.state.value,
            )
        )
    data_source.schema_json = schema
    session.flush()
    # Local SQL edits are logged from the start (see store.triggers; sync.push sends them).
    ensure_triggers(session.connection(), data_source.table_name, data_source.id)
    return Mirror(data_source.id, table, tuple(planned), schema)


def load_mirror(session: Session, data_source: DataSource | int) -> Mirror:
    """The mirror of a data source as recorded in ``sb_columns``."""
    ds = get_data_source(session, data_source)
    props = tuple(property_columns(row) for row in ds.columns)
    return Mirror(ds.id, build_table(ds.table_name, props), props, dict(ds.schema_json))


def drop_mirror(connection: Connection, table_name: str) -> None:
    """Drop a mirror table if it exists (used by ``db remove --drop-table``)."""
    sa.Table(table_name, sa.MetaData()).drop(connection, checkfirst=True)


def get_data_source(session: Session, data_source: DataSource | int) -> DataSource:
    """The data source row (fresh from the database) with its column map loaded."""
    ds_id = data_source if isinstance(data_source, int) else data_source.id
    stmt = (
        sa.select(DataSource)
        .where(DataSource.id == ds_id)
        .options(selectinload(DataSource.columns))
        .execution_options(populate_existing=True)
    )
    ds = session.scalars(stmt).one_or_none()
    if ds is None:
        raise SchemaEvolutionError(f"no data source with id {ds_id} in sb_data_sources")
    return ds
