"""Tables of two-way sync (owned by syncbridge.sync's push side; Alembic revision ``0003_push``).

* ``sb_changes`` — the change log the mirror tables' triggers write: one row per local INSERT,
  UPDATE or DELETE made by any program with plain SQL (not by syncbridge's own writes).
* ``sb_sync_origin`` — the marker of syncbridge's own writes: a transaction that writes mirror
  rows inserts a row here first and deletes it before committing, and the triggers log nothing
  while they can see one (only that transaction can: the row is never committed).
* ``sb_pushes`` — local changes handed to the outbox and not yet seen back from Notion.
* ``sb_push_errors`` — local changes refused before sending (e.g. a read-only property edited).

Times written by triggers are epoch seconds (DOUBLE): the same SQL arithmetic on every dialect.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Double, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from syncbridge.store.base import MYSQL_TABLE_OPTIONS, Base
from syncbridge.store.types import JSON_TYPE, UtcDateTime

_ID = BigInteger().with_variant(Integer(), "sqlite")


class ChangeOp(StrEnum):
    """What a local statement did to a mirror row."""

    INSERT = "insert"
    UPDATE = "update"
    DELETE = "delete"


class PushKind(StrEnum):
    """Which outbox write carries a local change."""

    UPDATE = "update"
    CREATE = "create"
    TRASH = "trash"


class LocalChange(Base):
    """One local write to a mirror row, logged by the table's trigger."""

    __tablename__ = "sb_changes"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE")
    )
    page_id: Mapped[str] = mapped_column(String(36))
    op: Mapped[str] = mapped_column(String(16))
    changed_at: Mapped[float] = mapped_column(Double)  # epoch seconds, the database's clock

    __table_args__ = (
        Index("ix_sb_changes_data_source_id_page_id", "data_source_id", "page_id"),
        MYSQL_TABLE_OPTIONS,
    )


class SyncOrigin(Base):
    """Present (uncommitted, in the writing transaction only) while syncbridge writes a mirror."""

    __tablename__ = "sb_sync_origin"

    token: Mapped[str] = mapped_column(String(36), primary_key=True)

    __table_args__ = (MYSQL_TABLE_OPTIONS,)


class PendingPush(Base):
    """Local changes of one page queued in the outbox, until the pull sees Notion's answer."""

    __tablename__ = "sb_pushes"

    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE"), primary_key=True
    )
    page_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    outbox_id: Mapped[int] = mapped_column(BigInteger)  # the newest outbox row of the page
    idem_key: Mapped[str | None] = mapped_column(String(255))
    # Property id -> {suffix: SQL value} as sent (what the row held when it was queued).
    properties: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)
    pushed_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (MYSQL_TABLE_OPTIONS,)


class PushError(Base):
    """A local change that was refused and not sent, with the reason."""

    __tablename__ = "sb_push_errors"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    data_source_id: Mapped[int] = mapped_column(
        ForeignKey("sb_data_sources.id", ondelete="CASCADE")
    )
    page_id: Mapped[str] = mapped_column(String(36))
    property_id: Mapped[str | None] = mapped_column(String(255))
    property_name: Mapped[str | None] = mapped_column(Text)
    message: Mapped[str] = mapped_column(Text)
    value: Mapped[Any] = mapped_column(JSON_TYPE, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)

    __table_args__ = (
        Index("ix_sb_push_errors_data_source_id_page_id", "data_source_id", "page_id"),
        MYSQL_TABLE_OPTIONS,
    )


PUSH_TABLES = (
    LocalChange.__table__,
    SyncOrigin.__table__,
    PendingPush.__table__,
    PushError.__table__,
)
