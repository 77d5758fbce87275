"""Change-tracking triggers on mirror tables, one flavour per dialect.

Every INSERT, UPDATE and DELETE any program makes on a mirror table with plain SQL is logged in
``sb_changes`` (data source, page id, op, epoch time) and an UPDATE bumps the row's
``_sb_version``. syncbridge's own writes are not logged: they run inside :func:`ours`.

On SQLite and PostgreSQL that puts an uncommitted row into ``sb_sync_origin``; the triggers
skip while they can see one, and only the writing transaction can (the row is deleted before
commit, so no other session ever sees it): exact, since SQLite has one writer at a time and
PostgreSQL never shows another transaction's uncommitted rows. On MariaDB/MySQL a trigger's read
of a table inside an UPDATE is a *locking* read (local edits would wait for a pull's transaction,
and could deadlock with it), so there the marker is the session variable ``@sb_origin``, set and
cleared around our writes: exact too, a session variable is seen by its own session only.

The triggers name no property column, so schema evolution (ADD/RENAME COLUMN) leaves them valid;
:func:`ensure_triggers` re-creates any that are missing (a table rebuilt, a trigger dropped).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy import Connection

from syncbridge.store import naming

_PG_FUNCTION = """
CREATE OR REPLACE FUNCTION sb_track_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM sb_sync_origin) THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO sb_changes (data_source_id, page_id, op, changed_at)
        VALUES (TG_ARGV[0]::integer, OLD.page_id, 'delete',
                extract(epoch FROM clock_timestamp()));
        RETURN OLD;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        IF NEW._sb_version IS DISTINCT FROM OLD._sb_version THEN RETURN NEW; END IF;
        NEW._sb_version := OLD._sb_version + 1;
    END IF;
    INSERT INTO sb_changes (data_source_id, page_id, op, changed_at)
    VALUES (TG_ARGV[0]::integer, NEW.page_id, lower(TG_OP),
            extract(epoch FROM clock_timestamp()));
    RETURN NEW;
END $$
"""

_SQLITE_NOW = "((julianday('now') - 2440587.5) * 86400.0)"
_MYSQL_NOW = "UNIX_TIMESTAMP(NOW(6))"
_NOT_OURS = "NOT EXISTS (SELECT 1 FROM sb_sync_origin)"
_MYSQL_NOT_OURS = "@sb_origin IS NULL"


def trigger_names(table: str) -> dict[str, str]:
    """Op -> trigger name for a mirror table (PostgreSQL uses one trigger, named for ``all``)."""
    return {op: naming.fit(f"sb_{table}_{op[:3]}") for op in ("insert", "update", "delete", "all")}


def _sqlite(table: str, ds_id: int) -> list[str]:
    q = f'"{table}"'
    names = trigger_names(table)

    def log(ref: str, op: str) -> str:
        return (
            "INSERT INTO sb_changes (data_source_id, page_id, op, changed_at) "
            f"VALUES ({ds_id}, {ref}.page_id, '{op}', {_SQLITE_NOW});"
        )

    return [
        f'CREATE TRIGGER IF NOT EXISTS "{names["insert"]}" AFTER INSERT ON {q} '
        f"WHEN {_NOT_OURS} BEGIN {log('NEW', 'insert')} END",
        f'CREATE TRIGGER IF NOT EXISTS "{names["update"]}" AFTER UPDATE ON {q} '
        f"WHEN NEW._sb_version = OLD._sb_version AND {_NOT_OURS} BEGIN "
        f"UPDATE {q} SET _sb_version = OLD._sb_version + 1 WHERE page_id = NEW.page_id; "
        f"{log('NEW', 'update')} END",
        f'CREATE TRIGGER IF NOT EXISTS "{names["delete"]}" AFTER DELETE ON {q} '
        f"WHEN {_NOT_OURS} BEGIN {log('OLD', 'delete')} END",
    ]


def _mysql(table: str, ds_id: int) -> list[str]:
    q = f"`{table}`"
    names = trigger_names(table)

    def log(ref: str, op: str) -> str:
        return (
            "INSERT INTO sb_changes (data_source_id, page_id, op, changed_at) "
            f"VALUES ({ds_id}, {ref}.page_id, '{op}', {_MYSQL_NOW});"
        )

    return [
        f"CREATE TRIGGER `{names['insert']}` AFTER INSERT ON {q} FOR EACH ROW BEGIN "
        f"IF {_MYSQL_NOT_OURS} THEN {log('NEW', 'insert')} END IF; END",
        f"CREATE TRIGGER `{names['update']}` BEFORE UPDATE ON {q} FOR EACH ROW BEGIN "
        f"IF NEW._sb_version = OLD._sb_version AND {_MYSQL_NOT_OURS} THEN "
        f"SET NEW._sb_version = OLD._sb_version + 1; {log('NEW', 'update')} END IF; END",
        f"CREATE TRIGGER `{names['delete']}` AFTER DELETE ON {q} FOR EACH ROW BEGIN "
        f"IF {_MYSQL_NOT_OURS} THEN {log('OLD', 'delete')} END IF; END",
    ]


def _postgres(table: str, ds_id: int) -> list[str]:
    name = trigger_names(table)["all"]
    return [
        _PG_FUNCTION,
        f'CREATE TRIGGER "{name}" BEFORE INSERT OR UPDATE OR DELETE ON "{table}" '
        f"FOR EACH ROW EXECUTE FUNCTION sb_track_change('{int(ds_id)}')",
    ]


def existing_triggers(conn: Connection, table: str) -> set[str]:
    """Names of the triggers on ``table``."""
    dialect = conn.dialect.name
    if dialect == "sqlite":
        query = "SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = :t"
    elif dialect == "postgresql":
        query = (
            "SELECT tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "WHERE c.relname = :t AND c.relnamespace = current_schema()::regnamespace "
            "AND NOT t.tgisinternal"
        )
    else:
        query = (
            "SELECT trigger_name FROM information_schema.triggers "
            "WHERE event_object_schema = DATABASE() AND event_object_table = :t"
        )
    return {str(r[0]) for r in conn.execute(sa.text(query), {"t": table})}


def ensure_triggers(conn: Connection, table: str, data_source_id: int) -> bool:
    """Create the change-tracking triggers of a mirror table that are missing.

    Returns:
        True when any trigger had to be created (changes made meanwhile were not logged:
        the caller should compare the whole table with its bases).
    """
    dialect = conn.dialect.name
    if dialect == "sqlite":
        wanted, statements = ["insert", "update", "delete"], _sqlite(table, data_source_id)
    elif dialect == "postgresql":
        wanted, statements = ["all"], _postgres(table, data_source_id)
    else:
        wanted, statements = ["insert", "update", "delete"], _mysql(table, data_source_id)
    names = trigger_names(table)
    have = existing_triggers(conn, table)
    missing = [op for op in wanted if names[op] not in have]
    if not missing:
        return False
    if dialect == "postgresql":
        conn.execute(sa.text(statements[0]))
        conn.execute(sa.text(statements[1]))
        return True
    for op, statement in zip(wanted, statements, strict=True):
        if op in missing:
            conn.exec_driver_sql(statement)
    return True


def drop_triggers(conn: Connection, table: str) -> None:
    """Remove a mirror table's change-tracking triggers (the table stays)."""
    dialect = conn.dialect.name
    names = trigger_names(table)
    if dialect == "postgresql":
        conn.execute(sa.text(f'DROP TRIGGER IF EXISTS "{names["all"]}" ON "{table}"'))
        return
    quote = '"' if dialect == "sqlite" else "`"
    for op in ("insert", "update", "delete"):
        conn.exec_driver_sql(f"DROP TRIGGER IF EXISTS {quote}{names[op]}{quote}")


@contextmanager
def ours(conn: Connection) -> Iterator[None]:
    """Mark the writes made inside as syncbridge's own (not logged as local edits).

    Use within a transaction; the marker row is removed before the block ends, so it is never
    committed (if the block fails, the caller's rollback removes it). On MariaDB/MySQL the
    marker is the session variable ``@sb_origin``, cleared when the block ends.
    """
    if conn.dialect.name in ("mysql", "mariadb"):
        conn.exec_driver_sql("SET @sb_origin = 1")
        try:
            yield
        finally:
            conn.exec_driver_sql("SET @sb_origin = NULL")
        return
    token = str(uuid.uuid4())
    conn.execute(sa.text("INSERT INTO sb_sync_origin (token) VALUES (:t)"), {"t": token})
    try:
        yield
    finally:
        conn.execute(sa.text("DELETE FROM sb_sync_origin WHERE token = :t"), {"t": token})


def clear_stale_markers(conn: Connection) -> int:
    """Delete committed markers (only a bug could leave one; it would hide every local edit)."""
    return int(conn.execute(sa.text("DELETE FROM sb_sync_origin")).rowcount or 0)
