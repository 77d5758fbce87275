"""What the pure property functions may read from the workspace."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

JSON = dict[str, Any]


def _none(_: str) -> JSON | None:
    return None


@dataclass
class PropertyContext:
    """Lookups and facts for one request; every property function takes one.

    Attributes:
        now: ISO time, ``.000Z``, already minute-rounded for pages.
        user: The acting user (``{"object": "user", "id": ...}``).
        get_page: Page by id (for relations, rollups and page mentions).
        get_user: User by id (people values, mentions).
        get_data_source: Data source by id (relation targets, rollups).
        next_unique_id: ``(data_source_id, property_id) -> next number`` for unique_id.
        data_source_id: The data source being written.
        database_id: Its database (relations to the data source itself need it).
        workspace_id: Used in stored formula expressions, as Notion writes them.
        get_database: Database by id (2022-06-28 relation configs name a database).
        data_source_title: Title of the data source (names the back property of a two-way relation).
    """

    now: str
    user: JSON
    get_page: Callable[[str], JSON | None]
    get_user: Callable[[str], JSON | None]
    get_data_source: Callable[[str], JSON | None]
    next_unique_id: Callable[[str, str], int]
    data_source_id: str
    database_id: str = ""
    workspace_id: str = "00000000-0000-4000-8000-000000000000"
    get_database: Callable[[str], JSON | None] = _none
    data_source_title: str = ""
