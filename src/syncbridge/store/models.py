"""syncbridge's own tables (not the per-source mirror tables, which ``mirror.py`` builds).

Every table is prefixed ``sb_`` so it cannot collide with the user's tables in a shared database.
States are plain strings whose values are the :class:`~enum.StrEnum` members below.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Double,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from syncbridge.store import outbox_models as _outbox_models  # noqa: F401  (Alembic sees its tables)
from syncbridge.store import push_models as _push_models  # noqa: F401  (Alembic sees its tables)
from syncbridge.store.base import MYSQL_TABLE_OPTIONS, Base
from syncbridge.store.types import JSON_TYPE, UtcDateTime

NOTION_ID = String(36)  # a UUID with dashes, always stored in that form
SHORT = String(32)


def utcnow() -> datetime:
    """The current time, aware, in UTC (the default of every timestamp column)."""
    return datetime.now(UTC)


class ColumnState(StrEnum):
    """Whether a property's mirror columns are still fed by the data source."""

    ACTIVE = "active"
    REMOVED = "removed"  # property deleted in Notion; column and data kept
    RETYPED = "retyped"  # property changed type; these are the old type's columns, kept


class RunStatus(StrEnum):
    """Outcome of one sync run."""

    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"
    ABORTED = "aborted"  # stopped on purpose, e.g. the delete threshold was exceeded


class ScanState(StrEnum):
    """Progress of a data source's full scan (resumable from its checkpoint)."""

    IDLE = "idle"
    RUNNING = "running"
    COMPLETE = "complete"


class ConflictStatus(StrEnum):
    """Whether a conflict still waits for a decision."""

    OPEN = "open"
    RESOLVED = "resolved"


class NotionDatabase(Base):
    """A registered Notion database and its sync settings."""

    __tablename__ = "sb_databases"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    notion_database_id: Mapped[str] = mapped_column(NOTION_ID, unique=True)
    name: Mapped[str] = mapped_column(String(255))
    database_type: Mapped[str] = mapped_column(SHORT, default="generic")
    sync_interval: Mapped[int | None] = mapped_column(Integer)  # seconds; None = settings default
    cron: Mapped[str | None] = mapped_column(String(255))
    conflict_strategy: Mapped[str] = mapped_column(SHORT, default="remote_wins")
    fetch_content: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (MYSQL_TABLE_OPTIONS,)

    data_sources: Mapped[list[DataSource]] = relationship(
        back_populates="database", cascade="all, delete-orphan", order_by="DataSource.id"
    )


class DataSource(Base):
    """One data source of a registered database, mirrored into table ``table_name``."""

    __tablename__ = "sb_data_sources"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    database_id: Mapped[int] = mapped_column(ForeignKey("sb_databases.id", ondelete="CASCADE"))
    notion_data_source_id: Mapped[str] = mapped_column(NOTION_ID, unique=True)
    name: Mapped[str] = mapped_column(String(255))
    table_name: Mapped[str] = mapped_column(String(64), unique=True)
    # The data source's ``properties`` object as Notion last sent it (name -> config).
    schema_json: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    database: Mapped[NotionDatabase] = relationship(back_populates="data_sources")
    columns: Mapped[list[ColumnMapping]] = relationship(
        back_populates="data_source", cascade="all, delete-orphan", order_by="ColumnMapping.id"
    )

    __table_args__ = (Index("ix_sb_data_sources_database_id", "database_id"), MYSQL_TABLE_OPTIONS)


class ColumnMapping(Base):
    """The mirror columns of one property (by its stable id) in one of its types.

    A property has exactly one ``active`` (or ``removed``) row; each type it had before keeps a
    ``retyped`` row whose columns still hold the old values.
    """

    __tablename__ = "sb_columns"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE")
    )
    property_id: Mapped[str] = mapped_column(String(255))
    property_name: Mapped[str] = mapped_column(Text)
    property_type: Mapped[str] = mapped_column(SHORT)
    # [{"suffix": "", "name": "due", "sql_type": "TEXT"}, {"suffix": "_end", ...}]
    columns: Mapped[list[dict[str, str]]] = mapped_column(JSON_TYPE)
    state: Mapped[str] = mapped_column(SHORT, default=ColumnState.ACTIVE.value)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    data_source: Mapped[DataSource] = relationship(back_populates="columns")

    __table_args__ = (
        Index("ix_sb_columns_data_source_id_property_id", "data_source_id", "property_id"),
        MYSQL_TABLE_OPTIONS,
    )


class SyncRun(Base):
    """One sync run of a database (or one of its data sources) and its typed result."""

    __tablename__ = "sb_sync_runs"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    database_id: Mapped[int] = mapped_column(ForeignKey("sb_databases.id", ondelete="CASCADE"))
    data_source_id: Mapped[int | None] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE")
    )
    mode: Mapped[str] = mapped_column(SHORT)  # "full", "incremental", "push", …
    trigger: Mapped[str] = mapped_column(SHORT, default="manual")  # "manual", "schedule", "webhook"
    status: Mapped[str] = mapped_column(SHORT, default=RunStatus.RUNNING.value)
    started_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    duration_seconds: Mapped[float | None] = mapped_column(Double)
    pages_seen: Mapped[int] = mapped_column(Integer, default=0)
    inserted: Mapped[int] = mapped_column(Integer, default=0)
    updated: Mapped[int] = mapped_column(Integer, default=0)
    unchanged: Mapped[int] = mapped_column(Integer, default=0)
    tombstoned: Mapped[int] = mapped_column(Integer, default=0)
    pushed: Mapped[int] = mapped_column(Integer, default=0)
    conflicts: Mapped[int] = mapped_column(Integer, default=0)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    rate_limited: Mapped[int] = mapped_column(Integer, default=0)  # 429 answers received
    retries: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_sb_sync_runs_database_id_started_at", "database_id", "started_at"),
        Index("ix_sb_sync_runs_data_source_id", "data_source_id"),
        MYSQL_TABLE_OPTIONS,
    )


class Checkpoint(Base):
    """Where a data source's incremental pull and its (resumable) full scan stand."""

    __tablename__ = "sb_checkpoints"

    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE"), primary_key=True
    )
    # Incremental pull: highest last_edited_time seen; the next query starts at cursor - lookback.
    cursor: Mapped[datetime | None] = mapped_column(UtcDateTime)
    scan_id: Mapped[str | None] = mapped_column(String(36))
    scan_state: Mapped[str] = mapped_column(SHORT, default=ScanState.IDLE.value)
    scan_started_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Full scan windows by created_time ascending; resume after (created_time, page id).
    scan_last_created_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    scan_last_page_id: Mapped[str | None] = mapped_column(NOTION_ID)
    scan_pages: Mapped[int] = mapped_column(Integer, default=0)
    last_full_scan_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Incremental pulls ask for recently trashed pages at most this often (see sync.pull).
    trash_checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (MYSQL_TABLE_OPTIONS,)


class RowBase(Base):
    """The last synced state of one row: the base of the three-way merge."""

    __tablename__ = "sb_row_bases"

    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE"), primary_key=True
    )
    page_id: Mapped[str] = mapped_column(NOTION_ID, primary_key=True)
    last_edited_time: Mapped[datetime | None] = mapped_column(UtcDateTime)
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # Property id -> last synced value (the codec's Python value).
    properties: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)
    # Scan that last saw the page; a finished scan tombstones pages it did not see.
    seen_scan_id: Mapped[str | None] = mapped_column(String(36))
    synced_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)

    __table_args__ = (MYSQL_TABLE_OPTIONS,)


class Conflict(Base):
    """A property changed on both sides to different values since the last sync."""

    __tablename__ = "sb_conflicts"

    id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer(), "sqlite"), primary_key=True
    )
    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE")
    )
    page_id: Mapped[str] = mapped_column(NOTION_ID)
    property_id: Mapped[str] = mapped_column(String(255))
    property_name: Mapped[str] = mapped_column(Text)
    base_value: Mapped[Any] = mapped_column(JSON_TYPE, nullable=True)
    local_value: Mapped[Any] = mapped_column(JSON_TYPE, nullable=True)
    remote_value: Mapped[Any] = mapped_column(JSON_TYPE, nullable=True)
    status: Mapped[str] = mapped_column(SHORT, default=ConflictStatus.OPEN.value)
    resolution: Mapped[str | None] = mapped_column(SHORT)  # "local", "remote", "value", strategy
    resolved_value: Mapped[Any] = mapped_column(JSON_TYPE, nullable=True)
    detected_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_sb_conflicts_data_source_id_status", "data_source_id", "status"),
        Index("ix_sb_conflicts_page_id", "page_id"),
        MYSQL_TABLE_OPTIONS,
    )


__all__ = [
    "Checkpoint",
    "ColumnMapping",
    "ColumnState",
    "Conflict",
    "ConflictStatus",
    "DataSource",
    "NotionDatabase",
    "RowBase",
    "RunStatus",
    "ScanState",
    "SyncRun",
    "utcnow",
]
