"""SQLAlchemy column types for ``SqlType`` on SQLite, PostgreSQL and MySQL/MariaDB."""

from __future__ import annotations

from typing import Any

from sqlalchemy import BigInteger, Boolean, DateTime, Double, Text
from sqlalchemy.dialects import mysql
from sqlalchemy.types import TypeEngine

from syncbridge.notion.codec.values import SqlType


def _long_text() -> TypeEngine[Any]:
    # MySQL TEXT stops at 64 KB; a rich text value may reach 200,000 characters.
    return Text().with_variant(mysql.LONGTEXT(), "mysql", "mariadb")


def sqlalchemy_type(sql_type: SqlType) -> TypeEngine[Any]:
    """The column type to declare for ``sql_type``.

    JSON is stored as text on every dialect (exact, portable; cast to ``jsonb`` or use
    ``JSON_EXTRACT`` to query it). FLOAT is a double (MySQL ``FLOAT`` would be single precision).
    """
    if sql_type in (SqlType.TEXT, SqlType.JSON):
        return _long_text()
    if sql_type is SqlType.INTEGER:
        return BigInteger()
    if sql_type is SqlType.FLOAT:
        return Double()
    if sql_type is SqlType.BOOLEAN:
        return Boolean()
    return DateTime(timezone=True)
