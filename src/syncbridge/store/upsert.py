"""One INSERT-or-UPDATE for every dialect: ON CONFLICT (SQLite, PostgreSQL), ON DUPLICATE KEY."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection
from sqlalchemy.dialects import mysql, postgresql, sqlite

CHUNK = 500  # rows per statement: well inside every dialect's parameter limit


def upsert(
    conn: Connection,
    table: sa.Table,
    rows: Sequence[dict[str, Any]],
    key: Sequence[str],
) -> int:
    """Insert ``rows`` into ``table``, updating every given column where ``key`` already exists.

    All rows must have the same keys. Returns the number of rows sent.
    """
    if not rows:
        return 0
    update = [k for k in rows[0] if k not in key]
    name = conn.dialect.name
    stmt: Any
    if name in ("mysql", "mariadb"):
        my = mysql.insert(table)
        values = {k: my.inserted[k] for k in update} or {key[0]: my.inserted[key[0]]}
        stmt = my.on_duplicate_key_update(values)
    else:
        ins = (postgresql if name == "postgresql" else sqlite).insert(table)
        if update:
            stmt = ins.on_conflict_do_update(
                index_elements=list(key), set_={k: ins.excluded[k] for k in update}
            )
        else:
            stmt = ins.on_conflict_do_nothing(index_elements=list(key))
    for start in range(0, len(rows), CHUNK):
        conn.execute(stmt, list(rows[start : start + CHUNK]))
    return len(rows)
