"""Column types that behave the same on SQLite, PostgreSQL and MySQL/MariaDB.

* :class:`UtcDateTime` stores naive UTC (microseconds kept on MySQL) and always returns an aware
  UTC ``datetime``, whatever the dialect hands back; naive input is rejected, not guessed at.
* :data:`JSON_TYPE` is ``jsonb`` on PostgreSQL and the dialect's JSON elsewhere (TEXT on SQLite,
  ``JSON``/``LONGTEXT`` with a validity check on MariaDB); SQL ``NULL`` for ``None``.
* :class:`JsonDocument` is the same JSON column for mirror tables, also accepting JSON *text*
  (what the property codec produces for JSON columns), stored parsed so SQL can query inside it.
* :data:`LONG_TEXT` is ``TEXT`` except on MySQL, whose ``TEXT`` stops at 64 KiB: ``LONGTEXT``.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Dialect, Text
from sqlalchemy.dialects import mysql, postgresql
from sqlalchemy.types import TypeDecorator, TypeEngine

_MYSQL = ("mysql", "mariadb")


class UtcDateTime(TypeDecorator[datetime]):
    """A timestamp stored as naive UTC and read back as an aware UTC ``datetime``."""

    impl = DateTime
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name in _MYSQL:
            # MySQL's DATETIME drops fractions unless told to keep them.
            return dialect.type_descriptor(mysql.DATETIME(fsp=6))
        return dialect.type_descriptor(DateTime())

    def process_bind_param(self, value: datetime | str | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # ISO-8601 as Notion sends it ("2026-06-18T17:51:00.000Z")
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} given; pass an aware one (UTC)")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, str):  # SQLite before the type took effect, e.g. raw SQL
            value = datetime.fromisoformat(value)
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)  # type: ignore[no-any-return]
        return value.astimezone(UTC)  # type: ignore[no-any-return]


class JsonDocument(TypeDecorator[Any]):
    """JSON column taking Python values or JSON text; ``jsonb`` on PostgreSQL, NULL for ``None``."""

    impl = JSON
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> TypeEngine[Any]:
        if dialect.name == "postgresql":
            return dialect.type_descriptor(postgresql.JSONB(none_as_null=True))
        return dialect.type_descriptor(JSON(none_as_null=True))

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        if isinstance(value, str | bytes):
            try:
                return json.loads(value)
            except json.JSONDecodeError as err:
                raise ValueError(f"not valid JSON text for a JSON column: {err}") from None
        return value


def _json() -> TypeEngine[Any]:
    return JSON(none_as_null=True).with_variant(postgresql.JSONB(none_as_null=True), "postgresql")


def _long_text() -> TypeEngine[str]:
    return Text().with_variant(mysql.LONGTEXT(), *_MYSQL)


JSON_TYPE: TypeEngine[Any] = _json()
LONG_TEXT: TypeEngine[str] = _long_text()
