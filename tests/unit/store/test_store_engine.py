"""Store URLs: driver choice, SQLite tuning, and passwords kept out of errors."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest
from sqlalchemy import text

from syncbridge.store.engine import dialect_kind, make_engine, normalize_url, safe_url
from syncbridge.store.errors import StoreConfigError, StoreConnectionError
from syncbridge.store.migrate import migrate


@pytest.mark.parametrize(
    ("url", "driver", "kind"),
    [
        ("sqlite:///./x.db", "sqlite+pysqlite", "sqlite"),
        ("postgresql://u@h/db", "postgresql+psycopg", "postgresql"),
        ("postgres://u@h/db", "postgresql+psycopg", "postgresql"),
        ("mysql://u@h/db", "mysql+pymysql", "mysql"),
        ("mariadb://u@h/db", "mariadb+pymysql", "mysql"),
        ("postgresql+psycopg://u@h/db", "postgresql+psycopg", "postgresql"),
    ],
)
def test_driver_is_chosen_for_the_user(url: str, driver: str, kind: str) -> None:
    assert normalize_url(url).drivername == driver
    assert dialect_kind(url) == kind


def test_mysql_gets_utf8mb4_unless_told_otherwise() -> None:
    assert normalize_url("mysql://u@h/db").query["charset"] == "utf8mb4"
    assert normalize_url("mysql://u@h/db?charset=latin1").query["charset"] == "latin1"


@pytest.mark.parametrize("url", ["oracle://u:pw@h/db", "not a url", "mongodb://h/db"])
def test_unsupported_urls_are_refused_clearly(url: str) -> None:
    with pytest.raises(StoreConfigError, match="store URL") as info:
        make_engine(url)
    assert "pw" not in str(info.value)


def test_safe_url_hides_the_password() -> None:
    assert "s3cret" not in safe_url("postgresql://me:s3cret@db.example/x")
    assert "me:***@" in safe_url("postgresql://me:s3cret@db.example/x")


def test_sqlite_directory_must_exist(tmp_path: Path) -> None:
    with pytest.raises(StoreConfigError, match="does not exist"):
        make_engine(f"sqlite:///{tmp_path}/missing/x.db")


def test_sqlite_runs_in_wal_with_foreign_keys_and_busy_timeout(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 5000
    engine.dispose()


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize("scheme", ["postgresql", "mysql"])
def test_connection_errors_never_show_the_password(scheme: str) -> None:
    url = f"{scheme}://admin:Pa55w0rd-xyz@127.0.0.1:{_closed_port()}/db"
    with pytest.raises(StoreConnectionError) as info:
        migrate(url)
    message = str(info.value)
    assert "Pa55w0rd-xyz" not in message
    assert "admin:***@127.0.0.1" in message
    assert "migrating the store" in message
