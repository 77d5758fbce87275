"""Cost of push's change-tracking triggers, per store (SQLite, PostgreSQL, MariaDB).

Columns: a forced full pull of the sandbox's 300 sample Tasks rows with the triggers and after
dropping them (median of 3, seconds), and 300 single-row SQL UPDATEs in one transaction with and
without them (median of 3, ms). Needs the local PostgreSQL and MariaDB of the dev setup.

    python bench/push_triggers.py
"""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import sqlalchemy as sa

from syncbridge.notion.client import NotionClient
from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.server import SandboxServer
from syncbridge.store.migrate import open_store
from syncbridge.store.registry import register_database
from syncbridge.store.triggers import drop_triggers
from syncbridge.sync.pull import PullOptions
from syncbridge.sync.runner import sync_database

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MY_ADMIN = "mysql+pymysql://root@127.0.0.1:3306/test"


def stores() -> Iterator[tuple[str, str, Callable[[], None]]]:
    """(label, store URL, drop function) for a fresh database on each store."""
    name = "sb_bench_" + uuid.uuid4().hex[:8]
    yield "sqlite", f"sqlite:///{tempfile.gettempdir()}/{name}.db", lambda: None
    for label, admin, url in (
        ("postgres", PG_ADMIN, f"postgresql://postgres@127.0.0.1:5432/{name}"),
        ("mariadb", MY_ADMIN, f"mysql://root@127.0.0.1:3306/{name}"),
    ):
        engine = sa.create_engine(admin, isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(f"CREATE DATABASE {name}"))

        def drop(engine: sa.Engine = engine) -> None:
            with engine.connect() as conn:
                conn.execute(sa.text(f"DROP DATABASE {name}"))
            engine.dispose()

        yield label, url, drop


def measure(server: SandboxServer, url: str) -> tuple[float, float, float, float]:
    """Median pull seconds and update milliseconds, with and without the triggers."""

    def client(metrics: Any = None) -> NotionClient:
        return NotionClient(
            "sandbox-token", base_url=server.base_url, rate_limit=None, metrics=metrics
        )

    engine = open_store(url)
    runner = asyncio.Runner()
    db = runner.run(register_database(engine, client(), server.sample_ids["tasks_database"]))
    table = db.data_sources[0].table_name
    options = PullOptions(mode="full", force=True)

    def pull() -> float:
        start = time.perf_counter()
        result = runner.run(sync_database(engine, client, db.id, options, push_changes=False))
        assert result.ok
        return time.perf_counter() - start

    def updates() -> float:
        with engine.connect() as conn:
            ids = [r[0] for r in conn.execute(sa.text(f"SELECT page_id FROM {table}"))]
        start = time.perf_counter()
        statement = sa.text(f"UPDATE {table} SET name = name WHERE page_id = :p")
        with engine.begin() as conn:
            for page_id in ids:
                conn.execute(statement, {"p": page_id})
        return (time.perf_counter() - start) * 1000

    pull()  # warm up
    on = statistics.median(pull() for _ in range(3))
    u_on = statistics.median(updates() for _ in range(3))
    with engine.begin() as conn:
        drop_triggers(conn, table)
    off = statistics.median(pull() for _ in range(3))
    u_off = statistics.median(updates() for _ in range(3))
    runner.close()
    engine.dispose()
    return on, off, u_on, u_off


def main() -> None:
    """Print one line per store."""
    with SandboxServer(SandboxConfig(port=0, rate_limit=0.0, faults="")) as server:
        head = ("store", "pull trig s", "pull none s", "300 upd trig ms", "300 upd none ms")
        print("{:9} {:>12} {:>12} {:>16} {:>16}".format(*head))
        for label, url, drop in stores():
            on, off, u_on, u_off = measure(server, url)
            print(f"{label:9} {on:12.3f} {off:12.3f} {u_on:16.1f} {u_off:16.1f}")
            drop()


if __name__ == "__main__":
    main()
