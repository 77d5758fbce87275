"""Named statements of two-way sync: change log, pending pushes, push errors, conflicts, rows.

The push and merge code in ``syncbridge.sync`` calls these and never builds SQL itself. Writes to
mirror rows made here must run inside :func:`syncbridge.store.triggers.ours` (the caller's job).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from syncbridge.store.mirror import Col, Mirror
from syncbridge.store.models import Conflict, ConflictStatus, RowBase
from syncbridge.store.outbox_models import OutboxEntry
from syncbridge.store.push_models import LocalChange, PendingPush, PushError
from syncbridge.store.upsert import CHUNK, upsert

_CHANGES: sa.Table = LocalChange.__table__  # type: ignore[assignment]
_PUSHES: sa.Table = PendingPush.__table__  # type: ignore[assignment]
_ERRORS: sa.Table = PushError.__table__  # type: ignore[assignment]
_BASES: sa.Table = RowBase.__table__  # type: ignore[assignment]
_CONFLICTS: sa.Table = Conflict.__table__  # type: ignore[assignment]
_OUTBOX: sa.Table = OutboxEntry.__table__  # type: ignore[assignment]


@dataclass(frozen=True)
class PageChanges:
    """What the change log holds for one page: its ops, newest entry id, newest time."""

    page_id: str
    ops: frozenset[str]
    last_id: int
    changed_at: datetime


@dataclass(frozen=True)
class Push:
    """A pending push (``sb_pushes`` row)."""

    page_id: str
    kind: str
    outbox_id: int
    idem_key: str | None
    properties: dict[str, Any]
    pushed_at: datetime


@dataclass(frozen=True)
class OutboxState:
    """Where an outbox row stands: ``pending``/``sending``/``dead``/``done`` (or ``gone``: sent)."""

    state: str
    page_id: str | None = None
    error: str | None = None

    @property
    def delivered(self) -> bool:
        """True once Notion has applied the write."""
        return self.state in ("done", "gone")


def _chunks(items: Collection[str]) -> Iterable[list[str]]:
    ids = list(items)
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


# -- change log --------------------------------------------------------------------------------


def page_changes(
    conn: Connection, data_source_id: int, page_ids: Collection[str] | None = None
) -> dict[str, PageChanges]:
    """Page id -> its logged local changes (every page of the data source when ids is None)."""
    c = _CHANGES.c
    query = (
        sa.select(c.page_id, c.op, sa.func.max(c.id), sa.func.max(c.changed_at))
        .where(c.data_source_id == data_source_id)
        .group_by(c.page_id, c.op)
    )
    found: dict[str, tuple[set[str], int, float]] = {}
    batches = [None] if page_ids is None else list(_chunks(page_ids))
    for chunk in batches:
        q = query if chunk is None else query.where(c.page_id.in_(chunk))
        for page_id, op, last_id, at in conn.execute(q):
            ops, prev_id, prev_at = found.get(page_id, (set(), 0, 0.0))
            ops.add(op)
            found[page_id] = (ops, max(prev_id, int(last_id)), max(prev_at, float(at)))
    return {
        pid: PageChanges(pid, frozenset(ops), last, datetime.fromtimestamp(at, UTC))
        for pid, (ops, last, at) in found.items()
    }


def consume_changes(conn: Connection, data_source_id: int, page_id: str, up_to: int) -> None:
    """Forget a page's logged changes up to entry ``up_to`` (they have been handled)."""
    c = _CHANGES.c
    conn.execute(
        sa.delete(_CHANGES).where(
            c.data_source_id == data_source_id, c.page_id == page_id, c.id <= up_to
        )
    )


def log_change(conn: Connection, data_source_id: int, page_id: str, op: str) -> None:
    """Log a local change ourselves (e.g. a conflict resolved in favour of the local value)."""
    conn.execute(
        sa.insert(_CHANGES).values(
            data_source_id=data_source_id,
            page_id=page_id,
            op=op,
            changed_at=datetime.now(UTC).timestamp(),
        )
    )


# -- mirror rows and bases ---------------------------------------------------------------------


def local_rows(
    conn: Connection, mirror: Mirror, page_ids: Collection[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Page id -> the mirror row as stored (column name -> value); all rows when ids is None."""
    t = mirror.table
    found: dict[str, dict[str, Any]] = {}
    batches = [None] if page_ids is None else list(_chunks(page_ids))
    for chunk in batches:
        query = sa.select(t)
        if chunk is not None:
            query = query.where(t.c[Col.PAGE_ID].in_(chunk))
        for row in conn.execute(query).mappings():
            found[row[Col.PAGE_ID]] = dict(row)
    return found


def local_row_chunks(
    conn: Connection, mirror: Mirror, size: int = CHUNK
) -> Iterator[dict[str, dict[str, Any]]]:
    """Every mirror row, ``size`` at a time in page-id order, without the raw JSON and content.

    For scans of the whole table (the push safety net): memory stays flat as the table grows.
    """
    t = mirror.table
    heavy = {Col.RAW, Col.CONTENT, Col.CONTENT_TEXT}
    columns = [c for c in t.c if c.name not in heavy]
    last: str | None = None
    while True:
        query = sa.select(*columns).order_by(t.c[Col.PAGE_ID]).limit(size)
        if last is not None:
            query = query.where(t.c[Col.PAGE_ID] > last)
        rows = [dict(row) for row in conn.execute(query).mappings()]
        if not rows:
            return
        last = rows[-1][Col.PAGE_ID]
        yield {row[Col.PAGE_ID]: row for row in rows}


def orphan_bases(conn: Connection, mirror: Mirror) -> list[str]:
    """Pages with a base but no mirror row: rows deleted locally (with or without a trigger)."""
    t = mirror.table
    b = _BASES.c
    query = (
        sa.select(b.page_id)
        .select_from(_BASES.outerjoin(t, t.c[Col.PAGE_ID] == b.page_id))
        .where(b.data_source_id == mirror.data_source_id, t.c[Col.PAGE_ID].is_(None))
    )
    return list(conn.scalars(query))


def bases(
    conn: Connection, data_source_id: int, page_ids: Collection[str] | None = None
) -> dict[str, dict[str, Any]]:
    """Page id -> its row base's ``properties`` (property id -> {suffix: value})."""
    b = _BASES.c
    found: dict[str, dict[str, Any]] = {}
    batches = [None] if page_ids is None else list(_chunks(page_ids))
    for chunk in batches:
        query = sa.select(b.page_id, b.properties).where(b.data_source_id == data_source_id)
        if chunk is not None:
            query = query.where(b.page_id.in_(chunk))
        for page_id, props in conn.execute(query):
            found[page_id] = dict(props or {})
    return found


def update_base_properties(
    conn: Connection, data_source_id: int, page_id: str, properties: dict[str, Any]
) -> None:
    """Replace the merge base of some properties of one page (others keep theirs)."""
    b = _BASES.c
    where = (b.data_source_id == data_source_id, b.page_id == page_id)
    current = conn.execute(sa.select(b.properties).where(*where)).scalar_one_or_none()
    merged = dict(current or {}) | properties
    conn.execute(sa.update(_BASES).where(*where).values(properties=merged))


def write_columns(conn: Connection, mirror: Mirror, page_id: str, values: dict[str, Any]) -> None:
    """Set some columns of one mirror row (inside ``ours``: not a local edit)."""
    if values:
        t = mirror.table
        conn.execute(sa.update(t).where(t.c[Col.PAGE_ID] == page_id).values(values))


def rekey(conn: Connection, mirror: Mirror, old: str, new: str) -> None:
    """A locally inserted row got its Notion page id: move row, log and push record to it."""
    t = mirror.table
    conn.execute(sa.update(t).where(t.c[Col.PAGE_ID] == old).values({Col.PAGE_ID: new}))
    ds = mirror.data_source_id
    for table in (_CHANGES, _PUSHES, _ERRORS):
        conn.execute(
            sa.update(table)
            .where(table.c.data_source_id == ds, table.c.page_id == old)
            .values(page_id=new)
        )


# -- pushes ------------------------------------------------------------------------------------


def pushes(
    conn: Connection, data_source_id: int, page_ids: Collection[str] | None = None
) -> dict[str, Push]:
    """Page id -> its pending push."""
    p = _PUSHES.c
    found: dict[str, Push] = {}
    batches = [None] if page_ids is None else list(_chunks(page_ids))
    for chunk in batches:
        query = sa.select(_PUSHES).where(p.data_source_id == data_source_id)
        if chunk is not None:
            query = query.where(p.page_id.in_(chunk))
        for row in conn.execute(query).mappings():
            found[row["page_id"]] = Push(
                page_id=row["page_id"],
                kind=row["kind"],
                outbox_id=int(row["outbox_id"]),
                idem_key=row["idem_key"],
                properties=dict(row["properties"] or {}),
                pushed_at=_aware(row["pushed_at"]),
            )
    return found


def save_push(conn: Connection, data_source_id: int, push: Push) -> None:
    """Record (or replace) the pending push of a page."""
    upsert(
        conn,
        _PUSHES,
        [
            {
                "data_source_id": data_source_id,
                "page_id": push.page_id,
                "kind": push.kind,
                "outbox_id": push.outbox_id,
                "idem_key": push.idem_key,
                "properties": push.properties,
                "pushed_at": push.pushed_at,
            }
        ],
        key=("data_source_id", "page_id"),
    )


def drop_pushes(conn: Connection, data_source_id: int, page_ids: Collection[str]) -> None:
    """Forget pushes that Notion's answer has settled."""
    p = _PUSHES.c
    for chunk in _chunks(page_ids):
        conn.execute(
            sa.delete(_PUSHES).where(p.data_source_id == data_source_id, p.page_id.in_(chunk))
        )


def outbox_states(conn: Connection, outbox_ids: Collection[int]) -> dict[int, OutboxState]:
    """Outbox row id -> its state; an update or trash row that is gone was delivered."""
    o = _OUTBOX.c
    ids = list(outbox_ids)
    found = {i: OutboxState("gone") for i in ids}
    for start in range(0, len(ids), CHUNK):
        query = sa.select(o.id, o.state, o.result_page_id, o.last_error).where(
            o.id.in_(ids[start : start + CHUNK])
        )
        for row_id, state, page_id, error in conn.execute(query):
            found[int(row_id)] = OutboxState(state, page_id, error)
    return found


# -- errors ------------------------------------------------------------------------------------


def record_error(
    conn: Connection,
    data_source_id: int,
    page_id: str,
    message: str,
    *,
    property_id: str | None = None,
    property_name: str | None = None,
    value: Any = None,
) -> None:
    """Record why a local change was refused (shown by ``syncbridge conflicts list --errors``)."""
    conn.execute(
        sa.insert(_ERRORS).values(
            data_source_id=data_source_id,
            page_id=page_id,
            property_id=property_id,
            property_name=property_name,
            message=message,
            value=value,
            created_at=datetime.now(UTC),
        )
    )


def push_errors(conn: Connection, data_source_ids: Collection[int]) -> list[dict[str, Any]]:
    """Recorded push errors of these data sources, newest first, JSON-ready."""
    e = _ERRORS.c
    query = (
        sa.select(_ERRORS).where(e.data_source_id.in_(list(data_source_ids))).order_by(e.id.desc())
    )
    out = []
    for row in conn.execute(query).mappings():
        item = dict(row)
        item["created_at"] = _aware(item["created_at"]).isoformat()
        out.append(item)
    return out


# -- conflicts ---------------------------------------------------------------------------------


def open_conflicts(
    conn: Connection, data_source_id: int, page_ids: Collection[str] | None = None
) -> dict[tuple[str, str], int]:
    """(page id, property id) -> id of its open conflict."""
    c = _CONFLICTS.c
    query = sa.select(c.id, c.page_id, c.property_id).where(
        c.data_source_id == data_source_id, c.status == ConflictStatus.OPEN.value
    )
    found: dict[tuple[str, str], int] = {}
    batches = [None] if page_ids is None else list(_chunks(page_ids))
    for chunk in batches:
        q = query if chunk is None else query.where(c.page_id.in_(chunk))
        for conflict_id, page_id, prop_id in conn.execute(q):
            found[(page_id, prop_id)] = int(conflict_id)
    return found


def add_conflict(conn: Connection, values: dict[str, Any]) -> None:
    """Insert a ``sb_conflicts`` row (``values`` names its columns)."""
    conn.execute(sa.insert(_CONFLICTS).values(detected_at=datetime.now(UTC), **values))


def update_conflict(conn: Connection, conflict_id: int, **values: Any) -> None:
    """Change columns of a conflict (e.g. a newer remote value, or its resolution)."""
    conn.execute(sa.update(_CONFLICTS).where(_CONFLICTS.c.id == conflict_id).values(**values))


def _aware(value: datetime) -> datetime:
    return value if value.tzinfo else value.replace(tzinfo=UTC)
