"""SQLite connection set-up shared by the store and the outbox's own connections (stdlib only,
so the outbox's enqueue path does not import SQLAlchemy)."""

from __future__ import annotations

import sqlite3
import time
from typing import Any

BUSY_TIMEOUT_MS = 5_000


def set_wal(cursor: Any) -> None:
    """Switch to WAL, waiting out another process that holds the lock the switch needs.

    SQLite answers "database is locked" to a journal-mode change at once, without its busy
    handler, while another connection holds the file (two processes opening a new store together).
    """
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    while True:
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as err:
            if "locked" not in str(err) or time.monotonic() > deadline:
                raise
            time.sleep(0.02)
