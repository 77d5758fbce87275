"""Alembic environment: compares against ``Base.metadata`` and ignores every other table.

Run programmatically by :func:`syncbridge.store.migrate.migrate`, which hands over an open
connection in ``config.attributes["connection"]``. The store may be the user's own database, so
mirror tables and the user's tables are invisible here: autogenerate never proposes to drop them.
"""

from __future__ import annotations

from typing import Any

from alembic import context

from syncbridge.store.engine import make_engine
from syncbridge.store.migrate import VERSION_TABLE, include_name, target_metadata

config = context.config


def _configure(connection: Any) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata(),
        version_table=VERSION_TABLE,
        include_name=include_name,
        render_as_batch=True,  # SQLite cannot ALTER most things in place
        compare_type=True,
    )


def run_migrations_online() -> None:
    """Migrate over the caller's connection, or one opened from ``sqlalchemy.url``."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _configure(connection)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        _configure(conn)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("syncbridge migrations run online only (syncbridge migrate)")
run_migrations_online()
