"""Outbox rows in SQLite, PostgreSQL or MySQL, through each store's plain DB-API driver.

Every SQL statement of the outbox lives here; the queue and the worker call named methods.
One connection per thread (and per process: a forked child opens its own), autocommit, the
drivers' statement caches (``sqlite3`` caches by SQL text, psycopg prepares with
``prepare_threshold=0``).

Ordering and coalescing (see docs/outbox.md): a page's rows are sent in ``id`` order. The
newest pending update of a page carries ``coalesce_key = page_key``; a new update UPSERTs on that
unique column, merging properties (values are stored wrapped as ``[value]`` so the stores'
JSON merge-patch replaces a property whole, ``null`` included). Any other write for the page
clears the key first, so a later update starts a new row behind it; so does claiming a row.

* SQLite serialises writers and assigns ids inside the write lock: exact.
* PostgreSQL: the merge only happens when no later row of the page exists (``WHERE NOT EXISTS``
  in ``DO UPDATE``); otherwise the stale key is cleared and a new row inserted.
* MySQL: one short transaction per write that locks the page's tail row (``FOR UPDATE``).
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import sqlite3
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, NamedTuple

from syncbridge.outbox.errors import OutboxStoreError
from syncbridge.outbox.urls import StoreURL
from syncbridge.store.sqlite import set_wal

TABLE = "sb_outbox"
ACTIVE_STATES = ("pending", "sending")
_COLS = (
    "id, kind, page_key, data_source_id, idem_key, payload, state, attempts, enqueued_at, "
    "next_attempt_at, lease_until, lease_owner, sent_at, sent_hash, result_page_id, done_at, "
    "last_error"
)
_INSERT_COLS = "kind, page_key, data_source_id, idem_key, coalesce_key, payload, state, attempts, "
_INSERT_COLS += "enqueued_at, next_attempt_at"
_MYSQL_DEADLOCK = 1213
_MYSQL_ATTEMPTS = 50


@dataclass(frozen=True)
class Row:
    """One outbox row as the worker and the CLI see it."""

    id: int
    kind: str
    page_key: str
    data_source_id: str | None
    idem_key: str | None
    payload: dict[str, Any]
    state: str
    attempts: int
    enqueued_at: float
    next_attempt_at: float
    lease_until: float | None
    lease_owner: str | None
    sent_at: float | None
    sent_hash: str | None
    result_page_id: str | None
    done_at: float | None
    last_error: str | None

    def to_json(self) -> dict[str, Any]:
        """The row as a JSON-ready dict (``outbox list --json``, the REST API)."""
        return dict(self.__dict__)


class _Write(NamedTuple):
    """One write to queue (MySQL's path passes it through its deadlock retries)."""

    kind: str
    page_key: str
    data_source_id: str | None
    idem_key: str | None
    payload: str
    now: float


class _Holder:
    """A thread's connection; closed when the thread ends (its thread-local state is freed)."""

    def __init__(self, conn: Any) -> None:
        self.conn = conn
        self.pid = os.getpid()

    def close(self) -> None:
        conn, self.conn = self.conn, None
        # A forked child must not close (and so terminate) its parent's connection.
        if conn is not None and self.pid == os.getpid():
            with contextlib.suppress(Exception):
                conn.close()

    def __del__(self) -> None:
        self.close()


def _row(values: Sequence[Any]) -> Row:
    payload = values[5]
    if isinstance(payload, (str, bytes)):
        payload = json.loads(payload)
    return Row(values[0], values[1], values[2], values[3], values[4], payload, *values[6:])


class OutboxDB:
    """The outbox tables of one store, reached through thread-local driver connections."""

    def __init__(self, url: StoreURL, *, fsync: bool = False) -> None:
        self.url = url
        self.dialect = url.dialect
        self._fsync = fsync
        self._local = threading.local()
        self._p = "?" if self.dialect == "sqlite" else "%s"

    # -- connections -------------------------------------------------------------------------

    def _conn(self) -> Any:
        holder = getattr(self._local, "holder", None)
        if holder is not None and holder.pid == os.getpid():
            return holder.conn
        holder = _Holder(self._connect())
        self._local.holder = holder
        return holder.conn

    def _connect(self) -> Any:
        try:
            if self.dialect == "sqlite":
                conn = sqlite3.connect(
                    self.url.path, timeout=30, isolation_level=None, check_same_thread=False
                )
                set_wal(conn)
                # NORMAL: a commit survives a process crash; FULL also survives power loss.
                conn.execute(f"PRAGMA synchronous={'FULL' if self._fsync else 'NORMAL'}")
                return conn
            if self.dialect == "postgresql":
                import psycopg

                pg = psycopg.connect(**self.url.connect_args, autocommit=True, prepare_threshold=0)
                if not self._fsync:
                    # Like SQLite's NORMAL: committed in the server (survives our process),
                    # the WAL flush is not awaited (a server crash may lose the last ~0.6 s).
                    pg.execute("SET synchronous_commit = off")
                return pg
            import pymysql

            return pymysql.connect(**self.url.connect_args, autocommit=True)
        except Exception as exc:
            raise OutboxStoreError(
                f"cannot connect to the outbox store ({self.dialect}): {type(exc).__name__}"
            ) from None

    def close(self) -> None:
        """Close this thread's connection (others close when their thread ends)."""
        holder = getattr(self._local, "holder", None)
        self._local.holder = None
        if holder is not None:
            holder.close()

    def _sql(self, text: str) -> str:
        return text if self._p == "?" else text.replace("?", "%s")

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> Any:
        conn = self._conn()
        if self.dialect == "sqlite":
            return conn.execute(sql, params)
        cur = conn.cursor()
        cur.execute(self._sql(sql), params)
        return cur

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        conn = self._conn()
        if self.dialect == "sqlite":
            conn.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
        elif self.dialect == "postgresql":
            with conn.transaction():
                yield
        else:
            conn.begin()
            try:
                yield
            except BaseException:
                conn.rollback()
                raise
            conn.commit()

    @contextmanager
    def translated(self, action: str) -> Iterator[None]:
        """Turn a driver error into OutboxStoreError naming the action (no URL, no password)."""
        try:
            yield
        except OutboxStoreError:
            raise
        except Exception as exc:
            if not _is_driver_error(exc):
                raise
            raise OutboxStoreError(
                f"outbox store ({self.dialect}): {action} failed: {exc}"
            ) from exc

    # -- schema ------------------------------------------------------------------------------

    def table_exists(self) -> bool:
        """True when the outbox table is there (migrations have run)."""
        sql = {
            "sqlite": "SELECT 1 FROM sqlite_master WHERE type='table' AND name=?",
            "postgresql": "SELECT 1 FROM pg_tables WHERE tablename=? "
            "AND schemaname=ANY(current_schemas(false))",
            "mysql": "SELECT 1 FROM information_schema.tables WHERE table_name=? "
            "AND table_schema=DATABASE()",
        }[self.dialect]
        with self.translated("schema check"):
            return self._exec(sql, (TABLE,)).fetchone() is not None

    # -- enqueue -----------------------------------------------------------------------------

    def insert_update(
        self, page_key: str, data_source_id: str | None, payload: str, now: float
    ) -> int:
        """Queue a property update, merged into the page's newest pending update when it is last."""
        if self.dialect == "mysql":
            return self._mysql_write(_Write("update", page_key, data_source_id, None, payload, now))
        params = (
            "update",
            page_key,
            data_source_id,
            None,
            page_key,
            payload,
            "pending",
            0,
            now,
            now,
        )
        if self.dialect == "sqlite":
            return int(self._exec(_SQLITE_UPSERT, params).fetchone()[0])
        while True:
            found = self._exec(_PG_UPSERT, params).fetchone()
            if found is not None:
                return int(found[0])
            # The keyed row is no longer the page's last (a racing write landed behind it).
            self._exec(_CLEAR_KEY, (page_key,))

    def insert_write(
        self,
        kind: str,
        page_key: str,
        data_source_id: str | None,
        idem_key: str | None,
        payload: str,
        now: float,
    ) -> int:
        """Queue a create, append or trash behind everything queued for its page.

        A create whose idempotency key is already queued is not queued again; its id is returned.
        """
        if self.dialect == "mysql":
            return self._mysql_write(_Write(kind, page_key, data_source_id, idem_key, payload, now))
        params = (kind, page_key, data_source_id, idem_key, None, payload, "pending", 0, now, now)
        if self.dialect == "postgresql":
            # One statement: a stale key a racing update leaves is caught by _PG_UPSERT's guard.
            found = self._exec(_PG_CLEAR_AND_INSERT, (page_key, *params)).fetchone()
        else:
            with self._transaction():
                self._exec(_CLEAR_KEY, (page_key,))
                found = self._exec(_SQLITE_INSERT, params).fetchone()
        if found is None:  # that idempotency key was queued before
            sql = f"SELECT id FROM {TABLE} WHERE idem_key=?"
            found = self._exec(sql, (idem_key,)).fetchone()
        return int(found[0])

    def _mysql_write(self, write: _Write) -> int:
        import pymysql

        for attempt in range(_MYSQL_ATTEMPTS):
            try:
                with self._transaction():
                    return self._mysql_write_once(write)
            except pymysql.err.OperationalError as exc:
                # Writes racing for one page can deadlock on its gap lock; the loser is rolled
                # back whole, so trying again is safe.
                if exc.args[0] != _MYSQL_DEADLOCK or attempt == _MYSQL_ATTEMPTS - 1:
                    raise
                time.sleep(random.random() * 0.002 * (attempt + 1))
        raise AssertionError("unreachable")

    def _mysql_write_once(self, write: _Write) -> int:
        kind, page_key, data_source_id, idem_key, payload, now = write
        if idem_key is not None:
            found = self._exec(f"SELECT id FROM {TABLE} WHERE idem_key=?", (idem_key,)).fetchone()
            if found is not None:
                return int(found[0])
        tail = self._exec(
            f"SELECT id, coalesce_key FROM {TABLE} WHERE page_key=? ORDER BY id DESC LIMIT 1 "
            "FOR UPDATE",
            (page_key,),
        ).fetchone()
        if kind == "update" and tail is not None and tail[1] is not None:
            self._exec(
                f"UPDATE {TABLE} SET payload=JSON_MERGE_PATCH(payload, ?), "
                "data_source_id=COALESCE(?, data_source_id) WHERE id=?",
                (payload, data_source_id, tail[0]),
            )
            return int(tail[0])
        if tail is not None and tail[1] is not None:
            self._exec(f"UPDATE {TABLE} SET coalesce_key=NULL WHERE id=?", (tail[0],))
        key = page_key if kind == "update" else None
        cur = self._exec(
            f"INSERT INTO {TABLE} ({_INSERT_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?)",
            (kind, page_key, data_source_id, idem_key, key, payload, "pending", 0, now, now),
        )
        return int(cur.lastrowid)

    def count_active(self) -> int:
        """How many writes wait to be sent (pending or sending; dead letters not counted)."""
        with self.translated("count"):
            cur = self._exec(f"SELECT COUNT(*) FROM {TABLE} WHERE state IN ('pending', 'sending')")
            return int(cur.fetchone()[0])

    # -- worker side -------------------------------------------------------------------------

    def claim(self, *, now: float, owner: str, lease_until: float, limit: int) -> list[Row]:
        """Lease up to ``limit`` due rows, each the first unfinished row of its page."""
        with self.translated("claim"):
            if self.dialect == "postgresql":
                cur = self._exec(_PG_CLAIM, (now, now, limit, lease_until, owner))
                return sorted((_row(v) for v in cur.fetchall()), key=lambda r: r.id)
            with self._transaction():
                lock = " FOR UPDATE SKIP LOCKED" if self.dialect == "mysql" else ""
                ids = [v[0] for v in self._exec(_DUE + lock, (now, now, limit)).fetchall()]
                if not ids:
                    return []
                marks = ",".join("?" * len(ids))
                self._exec(
                    f"UPDATE {TABLE} SET lease_until=?, lease_owner=?, coalesce_key=NULL "
                    f"WHERE id IN ({marks})",
                    (lease_until, owner, *ids),
                )
                cur = self._exec(
                    f"SELECT {_COLS} FROM {TABLE} WHERE id IN ({marks}) ORDER BY id", ids
                )
                return [_row(v) for v in cur.fetchall()]

    def next_due(self) -> float | None:
        """When the next sendable row is due (leases included); None when none is left.

        Rows waiting behind a dead letter of their page are not sendable and not counted.
        """
        sql = (
            "SELECT MIN(CASE WHEN o.lease_until > o.next_attempt_at THEN o.lease_until "
            f"ELSE o.next_attempt_at END) FROM {TABLE} o WHERE o.state IN ('pending', 'sending') "
            f"AND NOT EXISTS (SELECT 1 FROM {TABLE} p WHERE p.page_key = o.page_key "
            "AND p.id < o.id AND p.state <> 'done')"
        )
        with self.translated("next due"):
            found = self._exec(sql).fetchone()
        return None if found is None or found[0] is None else float(found[0])

    def _owned(self, sql: str, params: Sequence[Any], row_id: int, owner: str) -> bool:
        with self.translated("update of a claimed row"):
            cur = self._exec(f"{sql} WHERE id=? AND lease_owner=?", (*params, row_id, owner))
            return bool(cur.rowcount)

    def extend_leases(self, row_ids: Sequence[int], owner: str, lease_until: float) -> int:
        """Keep claimed rows (one statement); returns how many are still ours."""
        if not row_ids:
            return 0
        marks = ",".join("?" * len(row_ids))
        sql = f"UPDATE {TABLE} SET lease_until=? WHERE lease_owner=? AND id IN ({marks})"
        with self.translated("lease renewal"):
            return int(self._exec(sql, (lease_until, owner, *row_ids)).rowcount)

    def mark_sending(
        self, row_id: int, owner: str, *, now: float, sent_hash: str, payload: str
    ) -> bool:
        """Record a create attempt before it is sent: what, when, and its content hash."""
        sql = f"UPDATE {TABLE} SET state='sending', sent_at=?, sent_hash=?, payload=?"
        return self._owned(sql, (now, sent_hash, payload), row_id, owner)

    def finish(self, row: Row, owner: str, *, now: float, result_page_id: str | None) -> bool:
        """A write arrived. Creates stay (state done) as the key → page id record; others go."""
        if row.kind == "create":
            sql = (
                f"UPDATE {TABLE} SET state='done', result_page_id=?, done_at=?, lease_until=NULL, "
                "lease_owner=NULL, last_error=NULL"
            )
            return self._owned(sql, (result_page_id, now), row.id, owner)
        return self._owned(f"DELETE FROM {TABLE}", (), row.id, owner)

    def reschedule(
        self, row_id: int, owner: str, *, state: str, next_attempt_at: float, error: str
    ) -> bool:
        """Try again later (``state`` "sending" = the outcome of the last create is unknown)."""
        sql = (
            f"UPDATE {TABLE} SET state=?, attempts=attempts+1, next_attempt_at=?, last_error=?, "
            "lease_until=NULL, lease_owner=NULL"
        )
        return self._owned(sql, (state, next_attempt_at, error), row_id, owner)

    def bury(self, row_id: int, owner: str, *, error: str) -> bool:
        """Park a write as a dead letter with the reason; its page's later writes wait behind it."""
        sql = (
            f"UPDATE {TABLE} SET state='dead', attempts=attempts+1, last_error=?, "
            "lease_until=NULL, lease_owner=NULL"
        )
        return self._owned(sql, (error,), row_id, owner)

    def created(self, idem_key: str) -> tuple[str, str | None, str | None] | None:
        """(state, page id, data source id) of the create queued with ``idem_key``, or None."""
        with self.translated("key lookup"):
            sql = f"SELECT state, result_page_id, data_source_id FROM {TABLE} WHERE idem_key=?"
            found = self._exec(sql, (idem_key,)).fetchone()
        return (found[0], found[1], found[2]) if found else None

    def adopted(self, page_id: str) -> bool:
        """True when some create already recorded ``page_id`` as the page it made."""
        with self.translated("page lookup"):
            sql = f"SELECT 1 FROM {TABLE} WHERE result_page_id=?"
            return self._exec(sql, (page_id,)).fetchone() is not None

    # -- inspection and repair ---------------------------------------------------------------

    def rows(self, states: Sequence[str], *, limit: int = 1000) -> list[Row]:
        """Rows in the given states, oldest first."""
        marks = ",".join("?" * len(states))
        sql = f"SELECT {_COLS} FROM {TABLE} WHERE state IN ({marks}) ORDER BY id LIMIT ?"
        with self.translated("list"):
            return [_row(v) for v in self._exec(sql, (*states, limit)).fetchall()]

    def retry(self, ids: Sequence[int] | None, *, now: float) -> int:
        """Put dead letters back in the queue (all when ``ids`` is None); returns how many.

        A create that was sent before is looked up again before any new attempt.
        """
        sql = (
            f"UPDATE {TABLE} SET "
            "state=CASE WHEN sent_at IS NULL THEN 'pending' ELSE 'sending' END, attempts=0, "
            "next_attempt_at=?, lease_until=NULL, lease_owner=NULL WHERE state='dead'"
        )
        params: list[Any] = [now]
        if ids is not None:
            if not ids:
                return 0
            sql += f" AND id IN ({','.join('?' * len(ids))})"
            params.extend(ids)
        with self.translated("retry"):
            return int(self._exec(sql, params).rowcount)

    def key_property(self, data_source_id: str) -> str | None:
        """The rich_text property that carries the idempotency key for this data source."""
        sql = "SELECT property_name FROM sb_outbox_key_property WHERE data_source_id=?"
        with self.translated("key property lookup"):
            found = self._exec(sql, (data_source_id,)).fetchone()
        return str(found[0]) if found else None

    def set_key_property(self, data_source_id: str, name: str | None) -> None:
        """Configure (or with None, remove) the key property of a data source."""
        with self.translated("key property update"), self._transaction():
            self._exec(
                "DELETE FROM sb_outbox_key_property WHERE data_source_id=?", (data_source_id,)
            )
            if name is not None:
                self._exec(
                    "INSERT INTO sb_outbox_key_property (data_source_id, property_name) "
                    "VALUES (?, ?)",
                    (data_source_id, name),
                )


def _is_driver_error(exc: Exception) -> bool:
    if isinstance(exc, sqlite3.Error):
        return True
    module = type(exc).__module__
    return module.startswith(("psycopg", "pymysql"))


_CLEAR_KEY = f"UPDATE {TABLE} SET coalesce_key=NULL WHERE coalesce_key=?"
_SQLITE_UPSERT = (
    f"INSERT INTO {TABLE} ({_INSERT_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (coalesce_key) DO UPDATE SET "
    f"payload=json_patch({TABLE}.payload, excluded.payload), "
    f"data_source_id=COALESCE(excluded.data_source_id, {TABLE}.data_source_id) RETURNING id"
)
_SQLITE_INSERT = (
    f"INSERT INTO {TABLE} ({_INSERT_COLS}) VALUES (?,?,?,?,?,?,?,?,?,?) "
    "ON CONFLICT (idem_key) DO NOTHING RETURNING id"
)
_PG_UPSERT = (
    f"INSERT INTO {TABLE} ({_INSERT_COLS}) VALUES (%s,%s,%s,%s,%s,%s::jsonb,%s,%s,%s,%s) "
    "ON CONFLICT (coalesce_key) DO UPDATE SET "
    f"payload={TABLE}.payload || EXCLUDED.payload, "
    f"data_source_id=COALESCE(EXCLUDED.data_source_id, {TABLE}.data_source_id) "
    f"WHERE NOT EXISTS (SELECT 1 FROM {TABLE} l WHERE l.page_key={TABLE}.page_key "
    f"AND l.id > {TABLE}.id) RETURNING id"
)
_PG_CLEAR_AND_INSERT = (
    f"WITH cleared AS (UPDATE {TABLE} SET coalesce_key=NULL WHERE coalesce_key=%s) "
    f"INSERT INTO {TABLE} ({_INSERT_COLS}) VALUES (%s,%s,%s,%s,%s,%s::jsonb,%s,%s,%s,%s) "
    "ON CONFLICT (idem_key) DO NOTHING RETURNING id"
)
_DUE = (
    f"SELECT o.id FROM {TABLE} o WHERE o.state IN ('pending', 'sending') "
    "AND o.next_attempt_at <= ? AND (o.lease_until IS NULL OR o.lease_until < ?) "
    f"AND NOT EXISTS (SELECT 1 FROM {TABLE} p WHERE p.page_key = o.page_key AND p.id < o.id "
    "AND p.state <> 'done') ORDER BY o.id LIMIT ?"
)
_PG_CLAIM = (
    f"WITH c AS ({_DUE.replace('?', '%s')} FOR UPDATE SKIP LOCKED) "
    f"UPDATE {TABLE} SET lease_until=%s, lease_owner=%s, coalesce_key=NULL FROM c "
    f"WHERE {TABLE}.id = c.id RETURNING "
    + ", ".join(f"{TABLE}.{c.strip()}" for c in _COLS.split(","))
)
