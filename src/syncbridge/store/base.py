"""The declarative base shared by every table syncbridge owns (not the per-source mirror tables)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Deterministic constraint names, so Alembic migrations match across SQLite, PostgreSQL and MySQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Base class of syncbridge's own models; all share one ``MetaData``."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# Table options for MySQL/MariaDB: full Unicode whatever the server's default, and binary
# collation so names and ids compare exactly as on SQLite and PostgreSQL.
MYSQL_TABLE_OPTIONS: dict[str, Any] = {"mysql_charset": "utf8mb4", "mysql_collate": "utf8mb4_bin"}
