"""Engines for the store URL (``SYNCBRIDGE_STORE_URL``); the one place driver errors are translated.

Accepted URLs (the driver is chosen for the user):

* ``sqlite:///./syncbridge.db`` (default), ``sqlite:////abs/path.db``, ``sqlite://`` (memory):
  WAL journal, ``busy_timeout`` and foreign keys switched on for every connection;
* ``postgresql://user:pw@host/db`` (also ``postgres://``): psycopg 3;
* ``mysql://user:pw@host/db`` or ``mariadb://…``: PyMySQL with ``charset=utf8mb4``.

An explicit driver (``postgresql+psycopg://``) is kept as given.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, exc
from sqlalchemy.engine import URL, make_url

from syncbridge.store.errors import StoreConfigError, StoreConnectionError, StoreError
from syncbridge.store.sqlite import BUSY_TIMEOUT_MS as SQLITE_BUSY_TIMEOUT_MS
from syncbridge.store.sqlite import set_wal

_DEFAULT_DRIVERS = {
    "sqlite": "sqlite+pysqlite",
    "postgresql": "postgresql+psycopg",
    "mysql": "mysql+pymysql",
    "mariadb": "mariadb+pymysql",
}
_KINDS = {"sqlite": "sqlite", "postgresql": "postgresql", "mysql": "mysql", "mariadb": "mysql"}


def safe_url(url: str | URL) -> str:
    """The URL as text with its password replaced by ``***``, for messages and logs."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except exc.ArgumentError:
        return re.sub(r"://([^/:@]*):[^@/]*@", r"://\1:***@", str(url))


def normalize_url(url: str | URL) -> URL:
    """Parse a store URL and pick the driver syncbridge uses for its kind of database.

    Raises:
        StoreConfigError: the URL is malformed or its kind is not SQLite, PostgreSQL or MySQL.
    """
    try:
        parsed = make_url(url)
    except exc.ArgumentError:
        raise StoreConfigError(f"store URL {safe_url(url)!r} is not a database URL") from None
    backend = parsed.get_backend_name()
    if backend == "postgres":  # Heroku-style alias SQLAlchemy no longer accepts
        parsed = parsed.set(drivername="postgresql" + parsed.drivername[len("postgres") :])
        backend = "postgresql"
    if backend not in _DEFAULT_DRIVERS:
        raise StoreConfigError(
            f"store URL {safe_url(parsed)!r}: unsupported database {backend!r}; "
            "use sqlite:///, postgresql:// or mysql://"
        )
    if "+" not in parsed.drivername:
        parsed = parsed.set(drivername=_DEFAULT_DRIVERS[backend])
    if backend in ("mysql", "mariadb") and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def dialect_kind(url: str | URL) -> str:
    """``"sqlite"``, ``"postgresql"`` or ``"mysql"`` (MariaDB counts as MySQL)."""
    return _KINDS[normalize_url(url).get_backend_name()]


def make_engine(url: str | URL, **kwargs: Any) -> Engine:
    """Create the SQLAlchemy engine for a store URL, tuned for its kind of database.

    Args:
        url: The store URL (see the module docstring).
        **kwargs: Passed on to :func:`sqlalchemy.create_engine`.

    Raises:
        StoreConfigError: the URL is malformed, unsupported, or its driver is not installed.
    """
    parsed = normalize_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        _check_sqlite_dir(parsed)
    else:
        kwargs.setdefault("pool_pre_ping", True)
    if backend in ("mysql", "mariadb"):
        kwargs.setdefault("pool_recycle", 3600)  # MySQL closes idle connections after 8 h
    try:
        engine = create_engine(parsed, **kwargs)
    except (exc.ArgumentError, exc.NoSuchModuleError, ImportError) as err:
        raise StoreConfigError(f"store URL {safe_url(parsed)!r}: {err}") from None
    if backend == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _check_sqlite_dir(url: URL) -> None:
    path = url.database
    if not path or path == ":memory:" or path.startswith("file:"):
        return
    parent = Path(path).expanduser().resolve().parent
    if not parent.is_dir():
        raise StoreConfigError(f"store URL {url!s}: directory {parent} does not exist")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        set_wal(cursor)
        cursor.execute("PRAGMA foreign_keys=ON")
    finally:
        cursor.close()


@contextmanager
def translate_errors(engine: Engine | str | URL, action: str) -> Iterator[None]:
    """Turn SQLAlchemy and driver errors raised inside the block into :class:`StoreError`.

    The message names the action and the store (password hidden) and never echoes the password.
    """
    url = engine.url if isinstance(engine, Engine) else make_url(engine)
    try:
        yield
    except (exc.OperationalError, exc.InterfaceError) as err:
        raise StoreConnectionError(_describe(url, action, err)) from None
    except exc.SQLAlchemyError as err:
        raise StoreError(_describe(url, action, err)) from None


def _describe(url: URL, action: str, err: BaseException) -> str:
    detail = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
    if url.password:
        detail = detail.replace(str(url.password), "***")
    return f"{action} failed on store {safe_url(url)}: {detail}"
