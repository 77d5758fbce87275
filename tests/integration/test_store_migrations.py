"""Alembic ``upgrade head`` produces exactly the models, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext

from syncbridge.store.engine import make_engine
from syncbridge.store.migrate import (
    VERSION_TABLE,
    current_revision,
    head_revision,
    include_name,
    migrate,
    target_metadata,
)


def _diff(engine: sa.Engine) -> list[object]:
    with engine.connect() as conn:
        ctx = MigrationContext.configure(
            conn,
            opts={
                "version_table": VERSION_TABLE,
                "include_name": include_name,
                "compare_type": True,
            },
        )
        return list(compare_metadata(ctx, target_metadata()))


def test_upgrade_head_matches_the_models(store_url: str) -> None:
    engine = make_engine(store_url)
    assert current_revision(engine) is None
    assert migrate(engine) == head_revision()
    assert _diff(engine) == []
    tables = set(sa.inspect(engine).get_table_names())
    assert set(target_metadata().tables) <= tables
    engine.dispose()


def test_migrate_twice_is_a_no_op_and_leaves_user_tables_alone(store_url: str) -> None:
    engine = make_engine(store_url)
    with engine.begin() as conn:
        conn.execute(sa.text("CREATE TABLE customers (id INTEGER PRIMARY KEY, name VARCHAR(50))"))
        conn.execute(sa.text("INSERT INTO customers VALUES (1, 'Kim')"))
    migrate(engine)
    migrate(engine)
    assert current_revision(engine) == head_revision()
    assert _diff(engine) == []  # the user's table is not ours to drop
    with engine.connect() as conn:
        assert conn.execute(sa.text("SELECT name FROM customers")).scalar() == "Kim"
    engine.dispose()
