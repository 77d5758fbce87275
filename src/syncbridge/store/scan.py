"""Bookkeeping of pulls: row bases, which scan saw a row, checkpoints. Named statements only.

The pull engine calls these; it never builds SQL itself::

    cp = checkpoint(session, data_source_id)           # created on first use
    save_bases(conn, data_source_id, bases)            # last synced state + scan that saw it
    mark_seen(conn, data_source_id, page_ids, scan_id) # unchanged rows a full scan met
    gone = unseen_live_ids(conn, mirror, scan_id)      # live rows a finished scan never met
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.orm import Session

from syncbridge.store.mirror import Col, Mirror
from syncbridge.store.models import Checkpoint, RowBase
from syncbridge.store.types import UtcDateTime
from syncbridge.store.upsert import CHUNK, upsert

_BASES: sa.Table = RowBase.__table__  # type: ignore[assignment]


def checkpoint(session: Session, data_source_id: int) -> Checkpoint:
    """The data source's checkpoint row, created (not yet committed) when missing."""
    found = session.get(Checkpoint, data_source_id, populate_existing=True)
    if found is None:
        found = Checkpoint(data_source_id=data_source_id)
        session.add(found)
        session.flush()
    return found


def save_bases(conn: Connection, rows: Sequence[dict[str, Any]]) -> int:
    """Upsert row bases; each dict has every ``sb_row_bases`` column."""
    return upsert(conn, _BASES, rows, key=("data_source_id", "page_id"))


def mark_seen(
    conn: Connection, data_source_id: int, page_ids: Collection[str], scan_id: str
) -> None:
    """Record that scan ``scan_id`` met these pages (unchanged ones get no other write)."""
    ids = list(page_ids)
    for start in range(0, len(ids), CHUNK):
        conn.execute(
            sa.update(_BASES)
            .where(
                _BASES.c.data_source_id == data_source_id,
                _BASES.c.page_id.in_(ids[start : start + CHUNK]),
            )
            .values(seen_scan_id=scan_id)
        )


def unseen_live_ids(conn: Connection, mirror: Mirror, scan_id: str) -> list[str]:
    """Live mirror rows that scan ``scan_id`` did not meet: gone from Notion, or trashed."""
    t = mirror.table.c
    query = (
        sa.select(t[Col.PAGE_ID])
        .select_from(
            mirror.table.outerjoin(
                _BASES,
                sa.and_(
                    _BASES.c.page_id == t[Col.PAGE_ID],
                    _BASES.c.data_source_id == mirror.data_source_id,
                ),
            )
        )
        .where(
            t[Col.DELETED] == sa.false(),
            _BASES.c.page_id.is_not(None),  # rows inserted locally, not yet in Notion, stay
            sa.or_(_BASES.c.seen_scan_id.is_(None), _BASES.c.seen_scan_id != scan_id),
        )
    )
    return list(conn.scalars(query))


def live_count(conn: Connection, mirror: Mirror) -> int:
    """How many mirror rows are not tombstoned."""
    t = mirror.table.c
    query = sa.select(sa.func.count()).select_from(mirror.table).where(t[Col.DELETED] == sa.false())
    return int(conn.scalar(query) or 0)


def newest_edit(conn: Connection, mirror: Mirror) -> datetime | None:
    """The latest ``last_edited_time`` the mirror holds: where incremental pulls continue."""
    value = conn.scalar(sa.select(sa.func.max(mirror.table.c[Col.LAST_EDITED_TIME])))
    if isinstance(value, datetime):
        return value
    return None


def record_progress(
    conn: Connection,
    data_source_id: int,
    *,
    cursor: datetime | None = None,
    scan_point: tuple[datetime, str] | None = None,
    scanned: int | None = None,
) -> None:
    """Move a checkpoint on, in the caller's transaction (the one that wrote the rows).

    ``cursor`` only ever advances; ``scan_point`` is the (created_time, page id) of the last row
    a full scan wrote, ``scanned`` how many rows the scan has seen so far.
    """
    table: sa.Table = Checkpoint.__table__  # type: ignore[assignment]
    values: dict[str, Any] = {}
    if cursor is not None:
        new = sa.literal(cursor, UtcDateTime())
        values["cursor"] = sa.case(
            (sa.or_(table.c.cursor.is_(None), table.c.cursor < new), new), else_=table.c.cursor
        )
    if scan_point is not None:
        values["scan_last_created_time"], values["scan_last_page_id"] = scan_point
    if scanned is not None:
        values["scan_pages"] = scanned
    if values:
        conn.execute(
            sa.update(table).where(table.c.data_source_id == data_source_id).values(values)
        )
