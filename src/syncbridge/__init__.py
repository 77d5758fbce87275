"""syncbridge: two-way sync between Notion (and any JSON API) and a SQL database.

The public library surface is re-exported here: ``from syncbridge import NotionClient, Outbox``.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"

# Imported on first use so ``import syncbridge`` stays cheap for the CLI and the outbox hot path.
_LAZY = {
    "NotionClient": "syncbridge.notion.client",
    "Outbox": "syncbridge.outbox.queue",
}

__all__ = sorted(["NotionClient", "Outbox", "__version__"])


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'syncbridge' has no attribute {name!r}")
    return getattr(import_module(module), name)
