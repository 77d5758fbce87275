"""Bring syncbridge's own tables to the newest schema (Alembic ``upgrade head``).

Run by ``syncbridge migrate`` and at the start of every command that uses the store. Concurrent
callers serialise on a database lock (PostgreSQL advisory lock, MySQL ``GET_LOCK``, SQLite
``BEGIN IMMEDIATE``), so two workers starting together do not both try to create the tables.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, Engine, MetaData, text
from sqlalchemy.engine import URL

from syncbridge.store import models as _models  # noqa: F401  (declares every table on Base)
from syncbridge.store.base import Base
from syncbridge.store.engine import make_engine, translate_errors
from syncbridge.store.errors import MigrationError

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
VERSION_TABLE = "sb_alembic_version"
_LOCK_NAME = "syncbridge_migrate"
_LOCK_KEY = 0x5B_0001  # PostgreSQL advisory lock key for migrations
_IN_PROCESS = threading.Lock()


def target_metadata() -> MetaData:
    """What the migrations must produce: every table on ``Base`` (ours and the outbox's)."""
    return Base.metadata


def include_name(name: str | None, type_: str, parent_names: Any) -> bool:
    """Alembic filter: only syncbridge's own tables take part in comparisons.

    The store may be the user's own database; mirror tables and the user's tables are never
    candidates for autogenerate to drop.
    """
    if type_ == "table":
        return name in target_metadata().tables
    return True


def alembic_config() -> Config:
    """An Alembic config pointing at the packaged migration scripts."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    return cfg


def head_revision() -> str:
    """The newest revision the installed package knows."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    if head is None:
        raise MigrationError(f"no migration scripts found in {MIGRATIONS_DIR}")
    return head


def current_revision(engine: Engine) -> str | None:
    """The revision the store is at, or ``None`` for a store never migrated."""
    with translate_errors(engine, "reading the schema version"), engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


def migrate(url: str | URL | Engine, revision: str = "head") -> str | None:
    """Upgrade the store at ``url`` (or behind an engine) to ``revision``; return the new revision.

    Raises:
        StoreError: the store cannot be reached (``StoreConnectionError``) or a statement failed.
        MigrationError: Alembic itself failed (e.g. an unknown revision).
    """
    engine = url if isinstance(url, Engine) else make_engine(url)
    cfg = alembic_config()
    try:
        with _IN_PROCESS:  # Alembic loads env.py as a module: not safe from two threads at once
            return _upgrade(engine, cfg, revision)
    except CommandError as err:
        raise MigrationError(f"migrating the store failed: {err}") from None
    finally:
        if not isinstance(url, Engine):
            engine.dispose()


def _upgrade(engine: Engine, cfg: Config, revision: str) -> str | None:
    with (
        translate_errors(engine, "migrating the store"),
        engine.begin() as conn,
        _migration_lock(conn),
    ):
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, revision)
        ctx = MigrationContext.configure(conn, opts={"version_table": VERSION_TABLE})
        return ctx.get_current_revision()


@contextmanager
def _migration_lock(conn: Connection) -> Iterator[None]:
    name = conn.dialect.name
    if name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _LOCK_KEY})
        yield
    elif name in ("mysql", "mariadb"):
        conn.execute(text("SELECT GET_LOCK(:n, 60)"), {"n": _LOCK_NAME})
        try:
            yield
        finally:
            conn.execute(text("SELECT RELEASE_LOCK(:n)"), {"n": _LOCK_NAME})
    else:
        # SQLite: take the write lock before Alembic reads the version, so a second process
        # waits (busy_timeout) and then finds the schema already at head.
        conn.exec_driver_sql("BEGIN IMMEDIATE")
        yield


def open_store(url: str | URL | None = None) -> Engine:
    """The store's engine, migrated to head: what every command that uses the store starts with.

    Args:
        url: The store URL; default ``SYNCBRIDGE_STORE_URL`` from the settings.
    """
    if url is None:
        from syncbridge.settings import load_settings

        url = load_settings().store_url
    engine = make_engine(url)
    migrate(engine)
    return engine
