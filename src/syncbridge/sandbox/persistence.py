"""Keeping the workspace in a SQLite file (``syncbridge sandbox --data FILE``).

One table of JSON documents keyed by (kind, id). The workspace records what changed
(``Workspace.dirty``); ``flush`` writes exactly those rows in one transaction, so a request
costs one small commit, and a restart loads everything back.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from pathlib import Path
from typing import Any

from syncbridge.sandbox.ws_base import TABLES, WorkspaceBase

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sandbox_objects (
    kind TEXT NOT NULL,
    id TEXT NOT NULL,
    body TEXT NOT NULL,
    PRIMARY KEY (kind, id)
)
"""


class SqliteStore:
    """The workspace's documents in one SQLite file (WAL)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self._conn = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._conn.execute("PRAGMA journal_mode=WAL")
        self._conn.execute("PRAGMA synchronous=NORMAL")
        self._conn.execute(_SCHEMA)
        self._lock = threading.Lock()

    def rows(self) -> list[tuple[str, str, Any]]:
        """Every stored (kind, id, document)."""
        with self._lock:
            cur = self._conn.execute("SELECT kind, id, body FROM sandbox_objects")
            return [(k, i, json.loads(b)) for k, i, b in cur.fetchall()]

    def write(
        self, upserts: list[tuple[str, str, str]], deletes: list[tuple[str, str]], *, clear: bool
    ) -> None:
        """Apply one batch of changes atomically."""
        with self._lock:
            self._conn.execute("BEGIN")
            try:
                if clear:
                    self._conn.execute("DELETE FROM sandbox_objects")
                self._conn.executemany("DELETE FROM sandbox_objects WHERE kind=? AND id=?", deletes)
                self._conn.executemany(
                    "INSERT OR REPLACE INTO sandbox_objects (kind, id, body) VALUES (?, ?, ?)",
                    upserts,
                )
                self._conn.execute("COMMIT")
            except BaseException:
                self._conn.execute("ROLLBACK")
                raise

    def close(self) -> None:
        """Close the connection."""
        with self._lock:
            self._conn.close()


def flush(ws: WorkspaceBase, store: SqliteStore) -> None:
    """Write the workspace's dirty documents (the caller holds the workspace lock)."""
    dirty, ws.dirty = ws.dirty, set()
    clear = ("reset", "") in dirty
    if clear:  # after a reset, write everything that exists now
        dirty = {(kind, i) for kind in TABLES for i in ws.table(kind)}
    upserts, deletes = [], []
    for kind, object_id in dirty:
        if kind not in TABLES:
            continue
        table = ws.table(kind)
        if object_id in table:
            upserts.append((kind, object_id, json.dumps(table[object_id], ensure_ascii=False)))
        else:
            deletes.append((kind, object_id))
    store.write(upserts, deletes, clear=clear)


def load(ws: WorkspaceBase, store: SqliteStore) -> bool:
    """Fill ``ws`` from ``store``; returns False when the store held nothing (a new file)."""
    rows = store.rows()
    if not rows:
        return False
    state: dict[str, dict[str, Any]] = {kind: {} for kind in TABLES}
    for kind, object_id, doc in rows:
        if kind in state:
            state[kind][object_id] = doc
    ws.import_state(state, dirty=False)
    return True


def attach_store(ws: WorkspaceBase, path: Path) -> bool:
    """Load ``ws`` from the SQLite file at ``path`` and keep it saved there.

    Returns:
        True when the file held no workspace yet (the caller may seed it).
    """
    store = SqliteStore(Path(path))
    loaded = load(ws, store)
    ws.set_flush_hook(lambda w: flush(w, store))
    return not loaded
