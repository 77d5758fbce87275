"""Errors of the outbox.

::

    OutboxError                 base
    ├── OutboxFullError         the backlog bound (``outbox_max_pending``) is reached
    ├── OutboxInputError        a write cannot be queued as given (names what and where)
    └── OutboxStoreError        the store refused or could not be reached (driver errors)
"""

from __future__ import annotations


class OutboxError(Exception):
    """Base class of every outbox failure."""


class OutboxFullError(OutboxError):
    """The outbox holds ``outbox_max_pending`` writes; nothing was queued (nothing is dropped)."""


class OutboxInputError(OutboxError, ValueError):
    """A write cannot be queued as given; the message says which argument and why."""


class OutboxStoreError(OutboxError):
    """The store could not take or give outbox rows; the message never holds a password."""
