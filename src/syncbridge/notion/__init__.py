"""syncbridge.notion: the async Notion client, its errors, pagination, blocks, and the codec.

The client modules are imported on first use so that importing the codec alone stays cheap.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_LAZY = {
    "NotionClient": "syncbridge.notion.client",
    "SyncNotionClient": "syncbridge.notion.sync_client",
    "NotionAPIError": "syncbridge.notion.errors",
    "iterate": "syncbridge.notion.pagination",
    "scan_data_source": "syncbridge.notion.pagination",
    "Checkpoint": "syncbridge.notion.pagination",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'syncbridge.notion' has no attribute {name!r}")
    return getattr(import_module(module), name)
