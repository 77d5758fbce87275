"""Tables of the outbox (the durable write queue); owned by syncbridge.outbox.

The hot path does not go through SQLAlchemy: ``syncbridge.outbox.db`` speaks to these tables with
the stdlib ``sqlite3`` module, psycopg or pymysql directly. These declarations are the schema's
single source for Alembic (revision ``0002_outbox``) and for ``create_all`` in tests.

Times are epoch seconds in DOUBLE columns: the same arithmetic on every store, no time zones.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Double, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from syncbridge.store.base import MYSQL_TABLE_OPTIONS, Base
from syncbridge.store.types import JSON_TYPE

# On SQLite the id must be exactly INTEGER PRIMARY KEY to be the rowid (monotonic, cheap).
_ID = BigInteger().with_variant(Integer(), "sqlite")


class OutboxEntry(Base):
    """One queued write: an update, create, block append or trash of a Notion page.

    ``page_key`` orders a page's writes (rows of one page are sent in ``id`` order). It is the
    page id, or ``key:<idempotency key>`` for a page the outbox is still creating.
    ``coalesce_key`` is set only on the newest pending update of a page; a later update merges
    into that row through an UPSERT on this unique column.
    """

    __tablename__ = "sb_outbox"

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(16))
    page_key: Mapped[str] = mapped_column(String(255))
    data_source_id: Mapped[str | None] = mapped_column(String(64))
    idem_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    coalesce_key: Mapped[str | None] = mapped_column(String(255), unique=True)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON_TYPE)
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    enqueued_at: Mapped[float] = mapped_column(Double)
    next_attempt_at: Mapped[float] = mapped_column(Double)
    lease_until: Mapped[float | None] = mapped_column(Double)
    lease_owner: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[float | None] = mapped_column(Double)
    sent_hash: Mapped[str | None] = mapped_column(String(64))
    result_page_id: Mapped[str | None] = mapped_column(String(64))
    done_at: Mapped[float | None] = mapped_column(Double)
    last_error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (
        Index("ix_sb_outbox_page_key_id", "page_key", "id"),
        Index("ix_sb_outbox_state_next_attempt_at", "state", "next_attempt_at"),
        # Ids are never reused (a delivered row is deleted; "id gone" must keep meaning that).
        MYSQL_TABLE_OPTIONS | {"sqlite_autoincrement": True},
    )


class OutboxKeyProperty(Base):
    """The rich_text property a data source's creates carry their idempotency key in."""

    __tablename__ = "sb_outbox_key_property"

    data_source_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    property_name: Mapped[str] = mapped_column(String(255))

    __table_args__ = (MYSQL_TABLE_OPTIONS,)


OUTBOX_TABLES = (OutboxEntry.__table__, OutboxKeyProperty.__table__)
