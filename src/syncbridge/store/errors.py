"""Errors of the store layer.

SQLAlchemy and driver exceptions are translated into these in one place,
:func:`syncbridge.store.engine.translate_errors`, with any password removed from the text::

    StoreError                    base; every store failure
    ├── StoreConfigError          a malformed or unsupported store URL
    ├── StoreConnectionError      the database does not answer or refuses us
    ├── MigrationError            Alembic could not bring the schema to head
    ├── UnknownDatabaseError      no registered database (or data source) with that id
    ├── RegistrationError         a database cannot be registered (bad option, already there)
    └── SchemaEvolutionError      a mirror table cannot follow a schema change
"""

from __future__ import annotations


class StoreError(Exception):
    """Base class of every store failure; the message never contains a password."""


class StoreConfigError(StoreError):
    """The store URL is malformed or names a database kind syncbridge does not support."""


class StoreConnectionError(StoreError):
    """The database cannot be reached or refused the connection."""


class MigrationError(StoreError):
    """Upgrading syncbridge's own tables failed."""


class UnknownDatabaseError(StoreError, LookupError):
    """No registered database or data source matches the id given (the message names it)."""


class RegistrationError(StoreError, ValueError):
    """A database cannot be registered as asked (bad option, already registered, no access)."""


class SchemaEvolutionError(StoreError):
    """A mirror table cannot be brought in line with its data source's new schema."""
