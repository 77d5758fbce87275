"""Shared fixtures: real services (PostgreSQL, MariaDB, Redis), cassettes, the sandbox.

Tests that need a service skip with a message saying how to enable it, except under CI
(``CI=true``), where a missing service is a failure: CI must run every test.
"""

from __future__ import annotations

import os
import socket
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parent.parent
CASSETTES = ROOT.parent / "shared" / "notion-cassettes"
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}

PG_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
MYSQL_ADMIN_URL = "mysql+pymysql://root@127.0.0.1:3306/test"
REDIS_URL = "redis://127.0.0.1:6379/0"
PG_START = "pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def require_service(name: str, port: int, how: str) -> None:
    """Skip (or, under CI, fail) when a service does not answer on its port."""
    if _answers(port):
        return
    message = f"{name} does not answer on 127.0.0.1:{port}; to run these tests: {how}"
    if IN_CI:
        pytest.fail(message)
    pytest.skip(message)


@pytest.fixture(scope="session")
def cassettes_dir() -> Path:
    """The recorded Notion traffic in ../shared; tests using it skip cleanly when it is absent."""
    if not CASSETTES.is_dir():
        pytest.skip(f"no cassettes at {CASSETTES} (put the shared/ folder beside the project)")
    return CASSETTES


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    require_service("PostgreSQL", 5432, PG_START)
    import sqlalchemy as sa

    name = f"sb_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"postgresql+psycopg://postgres@127.0.0.1:5432/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def mysql_url() -> Iterator[str]:
    """A fresh, empty MariaDB database for one test; dropped afterwards."""
    require_service(
        "MariaDB", 3306, "start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd"
    )
    import sqlalchemy as sa

    name = f"sb_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(MYSQL_ADMIN_URL)
    with admin.begin() as conn:
        conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
    try:
        yield f"mysql+pymysql://root@127.0.0.1:3306/{name}?charset=utf8mb4"
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        admin.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A fresh SQLite file for one test."""
    return f"sqlite:///{tmp_path / 'syncbridge.db'}"


@pytest.fixture(params=["sqlite", "postgres", "mysql"])
def store_url(request: pytest.FixtureRequest) -> str:
    """Run the test once on each store: SQLite, PostgreSQL and MariaDB, all real."""
    fixture = {"sqlite": "sqlite_url", "postgres": "pg_url", "mysql": "mysql_url"}[request.param]
    return str(request.getfixturevalue(fixture))


@pytest.fixture
def redis_url() -> str:
    """Redis, flushed of nothing: tests use their own key prefixes."""
    require_service(
        "Redis",
        6379,
        'redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no',
    )
    return REDIS_URL


# ---- the sandbox (owned by SA) -------------------------------------------------------------


@pytest.fixture
def sandbox_factory() -> Iterator[Any]:
    """Start sandboxes with SandboxConfig overrides, e.g. ``sandbox_factory(empty=True)``.

    Defaults: a free port, rate limit off, no faults, the sample workspace. Every server started
    is stopped at the end of the test.
    """
    from syncbridge.sandbox.config import SandboxConfig
    from syncbridge.sandbox.server import SandboxServer

    started: list[SandboxServer] = []

    def start(**overrides: Any) -> SandboxServer:
        options: dict[str, Any] = {"port": 0, "rate_limit": 0.0, "faults": ""}
        options.update(overrides)
        server = SandboxServer(SandboxConfig(**options)).start()
        started.append(server)
        return server

    yield start
    for server in reversed(started):
        server.stop()


@pytest.fixture
def sandbox(sandbox_factory: Any) -> Any:
    """A running sandbox with a fresh sample workspace, rate limit off, no faults."""
    return sandbox_factory()
