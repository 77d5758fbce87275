"""Alembic ``upgrade head`` produces exactly the models, on SQLite, PostgreSQL and MariaDB."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

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


_RACER = """
import sys, time, pathlib
from syncbridge.store.migrate import migrate
url, ready, go = sys.argv[1], pathlib.Path(sys.argv[2]), pathlib.Path(sys.argv[3])
ready.touch()
while not go.exists():
    time.sleep(0.005)
print(migrate(url))
"""


def test_processes_starting_together_migrate_once(store_url: str, tmp_path: Path) -> None:
    """Two processes released at the same instant on an empty store both end at head."""
    go = tmp_path / "go"
    ready = [tmp_path / f"ready{i}" for i in range(2)]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", _RACER, store_url, str(r), str(go)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for r in ready
    ]
    deadline = time.monotonic() + 60
    while not all(r.exists() for r in ready) and time.monotonic() < deadline:
        time.sleep(0.01)
    go.touch()
    results = [p.communicate(timeout=60) for p in procs]
    assert [out.strip() for out, _err in results] == [head_revision()] * 2, results
    engine = make_engine(store_url)
    assert _diff(engine) == []
    engine.dispose()
