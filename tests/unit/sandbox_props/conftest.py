"""A small in-memory world (users, data sources, pages) for the property-model tests.

The property functions are pure and read the workspace only through ``PropertyContext``; this
world plays the workspace with plain dicts, creating pages the way the real workspace does
(``new_page_properties`` then ``recompute``).
"""

from __future__ import annotations

import itertools
import uuid
from typing import Any

import pytest

from syncbridge.sandbox.properties import (
    PropertyContext,
    create_schema,
    new_page_properties,
    recompute,
    schema_with_new_options,
    update_page_properties,
)

JSON = dict[str, Any]
BOT = {
    "object": "user",
    "id": "00000000-0000-4000-8000-0000000000f1",
    "name": "Sandbox Bot",
    "avatar_url": None,
    "type": "bot",
    "bot": {"owner": {"type": "workspace", "workspace": True}},
}
ALICE = {
    "object": "user",
    "id": "00000000-0000-4000-8000-0000000000fa",
    "name": "Alice",
    "avatar_url": None,
    "type": "person",
    "person": {"email": "alice@example.com"},
}
NOW = "2026-06-27T17:01:00.000Z"


class World:
    """Users, data sources and pages in dicts, plus helpers that act like the workspace."""

    def __init__(self) -> None:
        self.users: dict[str, JSON] = {BOT["id"]: BOT, ALICE["id"]: ALICE}
        self.data_sources: dict[str, JSON] = {}
        self.pages: dict[str, JSON] = {}
        self.counters: dict[str, itertools.count[int]] = {}
        self.now = NOW

    def ctx(self, ds_id: str = "") -> PropertyContext:
        ds = self.data_sources.get(ds_id, {})
        return PropertyContext(
            now=self.now,
            user={"object": "user", "id": BOT["id"]},
            get_page=self.pages.get,
            get_user=self.users.get,
            get_data_source=self.data_sources.get,
            next_unique_id=self._next,
            data_source_id=ds_id,
            database_id=ds.get("parent", {}).get("database_id", ""),
            data_source_title=ds.get("title", "Tasks"),
        )

    def _next(self, ds_id: str, prop_id: str) -> int:
        return next(self.counters.setdefault(f"{ds_id}/{prop_id}", itertools.count(1)))

    def data_source(self, properties: JSON, title: str = "Tasks") -> str:
        ds_id = str(uuid.uuid4())
        self.data_sources[ds_id] = {
            "object": "data_source",
            "id": ds_id,
            "title": title,
            "parent": {"type": "database_id", "database_id": str(uuid.uuid4())},
            "properties": {},
        }
        self.data_sources[ds_id]["properties"] = create_schema(properties, ctx=self.ctx(ds_id))
        return ds_id

    def schema(self, ds_id: str) -> JSON:
        return self.data_sources[ds_id]["properties"]

    def create(self, ds_id: str, properties: JSON, *, created: str | None = None) -> JSON:
        ctx = self.ctx(ds_id)
        values = new_page_properties(self.schema(ds_id), properties, ctx=ctx)
        self._learn_options(ds_id, values)
        at = created or self.now
        page = {
            "object": "page",
            "id": str(uuid.uuid4()),
            "created_time": at,
            "last_edited_time": at,
            "created_by": {"object": "user", "id": BOT["id"]},
            "last_edited_by": {"object": "user", "id": BOT["id"]},
            "parent": {"type": "data_source_id", "data_source_id": ds_id},
            "in_trash": False,
        }
        page["properties"] = recompute(self.schema(ds_id), values, page=page, ctx=ctx)
        self.pages[page["id"]] = page
        return page

    def update(self, page: JSON, properties: JSON) -> JSON:
        ds_id = page["parent"]["data_source_id"]
        ctx = self.ctx(ds_id)
        values = update_page_properties(self.schema(ds_id), page["properties"], properties, ctx=ctx)
        self._learn_options(ds_id, values)
        new = {**page, "last_edited_time": self.now}
        new["properties"] = recompute(self.schema(ds_id), values, page=new, ctx=ctx)
        self.pages[page["id"]] = new
        return new

    def _learn_options(self, ds_id: str, values: JSON) -> None:
        grown = schema_with_new_options(self.schema(ds_id), values)
        if grown is not None:
            self.data_sources[ds_id]["properties"] = grown

    def refresh(self, page: JSON) -> JSON:
        """Recompute a page (after related pages changed)."""
        ds_id = page["parent"]["data_source_id"]
        current = self.pages[page["id"]]
        current["properties"] = recompute(
            self.schema(ds_id), current["properties"], page=current, ctx=self.ctx(ds_id)
        )
        return current


@pytest.fixture
def world() -> World:
    return World()


def value(page: JSON, name: str) -> Any:
    """The inner value of property ``name`` (``page.properties[name][type]``)."""
    prop = page["properties"][name]
    return prop[prop["type"]]
