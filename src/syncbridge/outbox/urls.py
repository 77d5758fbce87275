"""Store URLs for the outbox's plain DB-API connections.

The outbox's hot path talks to the drivers directly (stdlib ``sqlite3``, psycopg, pymysql) and
must not import SQLAlchemy just to read a URL (a git hook pays for every import), so this module
parses the few URL forms syncbridge accepts with ``urllib``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from syncbridge.outbox.errors import OutboxInputError

_DIALECTS = {"sqlite": "sqlite", "postgresql": "postgresql", "postgres": "postgresql"}
_DIALECTS |= {"mysql": "mysql", "mariadb": "mysql"}


@dataclass(frozen=True)
class StoreURL:
    """Where the outbox lives.

    Attributes:
        dialect: ``"sqlite"``, ``"postgresql"`` or ``"mysql"``.
        url: the URL as given (never shown in errors: it may hold a password).
        path: the SQLite file.
        connect_args: keyword arguments of ``psycopg.connect`` / ``pymysql.connect``.
    """

    dialect: str
    url: str = field(repr=False)
    path: str = ""
    connect_args: dict[str, Any] = field(default_factory=dict, repr=False)


def parse_store_url(url: str) -> StoreURL:
    """Parse ``sqlite:///file.db``, ``postgresql[+driver]://…`` or ``mysql[+driver]://…``.

    Raises:
        OutboxInputError: not one of those forms (the message never repeats a password).
    """
    scheme, sep, rest = url.partition("://")
    dialect = _DIALECTS.get(scheme.split("+", 1)[0].lower()) if sep else None
    if dialect is None:
        raise OutboxInputError(
            f"store URL: unsupported scheme {scheme.split('+', 1)[0]!r}; "
            "use sqlite:///FILE, postgresql://… or mysql://…"
        )
    if dialect == "sqlite":
        path = rest[1:] if rest.startswith("/") else rest
        path = path.split("?", 1)[0]
        if not path or path == ":memory:":
            raise OutboxInputError(
                "store URL: the outbox needs a SQLite file (sqlite:///FILE), not memory"
            )
        return StoreURL("sqlite", url, path=unquote(path))
    parts = urlsplit("x://" + rest)
    query = dict(parse_qsl(parts.query))
    if dialect == "postgresql":
        args: dict[str, Any] = {
            "host": parts.hostname or "localhost",
            "port": parts.port or 5432,
            "user": unquote(parts.username or ""),
            "password": unquote(parts.password or ""),
            "dbname": parts.path.lstrip("/"),
        }
        args |= {k: v for k, v in query.items() if k in {"sslmode", "application_name"}}
        return StoreURL("postgresql", url, connect_args=args)
    args = {
        "host": parts.hostname or "localhost",
        "port": parts.port or 3306,
        "user": unquote(parts.username or ""),
        "password": unquote(parts.password or ""),
        "database": parts.path.lstrip("/"),
        "charset": query.get("charset", "utf8mb4"),
    }
    return StoreURL("mysql", url, connect_args=args)
