"""Shared by the push tests: a sandbox database (made with the official SDK) mirrored into a
store, with helpers to edit it with plain SQL, sync, deliver the outbox and read Notion back.
"""

from __future__ import annotations

import asyncio
from typing import Any

import sqlalchemy as sa
from notion_client import Client

from syncbridge.notion.client import NotionClient
from syncbridge.outbox.queue import Outbox
from syncbridge.outbox.worker import OutboxWorker
from syncbridge.store.migrate import open_store
from syncbridge.store.registry import get_database, register_database
from syncbridge.sync.pull import PullOptions
from syncbridge.sync.results import SyncResult
from syncbridge.sync.runner import sync_database

TOKEN = "sandbox-token"
SCHEMA: dict[str, Any] = {
    "Name": {"title": {}},
    "Points": {"number": {"format": "number"}},
    "Stage": {"select": {"options": [{"name": "todo"}, {"name": "doing"}, {"name": "done"}]}},
    "Due": {"date": {}},
    "Notes": {"rich_text": {}},
    "Double": {"formula": {"expression": 'prop("Points") * 2'}},
}


def _text(value: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": value}}]


class World:
    """A sandbox database (made with the SDK), registered and mirrored into a store."""

    def __init__(self, sandbox: Any, store_url: str, rows: int = 4) -> None:
        self.sandbox = sandbox
        self.store_url = store_url
        self.sdk = Client(auth=TOKEN, base_url=sandbox.base_url)
        db = self.sdk.databases.create(
            parent={"type": "page_id", "page_id": sandbox.sample_ids["sample_page"]},
            title=_text("Push test"),
            initial_data_source={"properties": SCHEMA},
        )
        self.data_source_id = db["data_sources"][0]["id"]
        self.pages = [self.create(i) for i in range(rows)]
        self.engine = open_store(store_url)
        self.outbox = Outbox.open(store_url)
        self.loop = asyncio.Runner()  # one loop: its HTTP pool serves every call of the test
        self.db_id = self.loop.run(register_database(self.engine, self.client(), db["id"])).id
        self.sync()

    def create(self, i: int) -> str:
        parent = {"type": "data_source_id", "data_source_id": self.data_source_id}
        props = {
            "Name": {"title": _text(f"row {i}")},
            "Points": {"number": i},
            "Stage": {"select": {"name": "todo"}},
        }
        return str(self.sdk.pages.create(parent=parent, properties=props)["id"])

    def client(self, metrics: Any = None) -> NotionClient:
        return NotionClient(TOKEN, base_url=self.sandbox.base_url, rate_limit=None, metrics=metrics)

    def sync(self, **options: Any) -> SyncResult:
        options.setdefault("trash_check_seconds", 0)
        opts = PullOptions(**options)
        result = self.loop.run(
            sync_database(self.engine, self.client, self.db_id, opts, outbox=self.outbox)
        )
        assert result.ok, result.as_json()
        return result

    def deliver(self) -> None:
        async def drain() -> None:
            worker = OutboxWorker(self.outbox, self.client(), poll_interval=0.01)
            stats = await worker.run(burst=True, until_empty=True)
            assert stats.dead == 0, stats.errors

        self.loop.run(drain())

    def cycle(self) -> SyncResult:
        """Pull + push, deliver, then pull + push again (settles what was delivered)."""
        first = self.sync()
        self.deliver()
        second = self.sync()
        assert second.pushes[0].queued == 0, second.as_json()  # nothing echoes back
        return first

    @property
    def table(self) -> str:
        return get_database(self.engine, self.db_id).data_sources[0].table_name

    def sql(self, statement: str, **params: Any) -> None:
        """Plain SQL on the mirror table, as another program would run it."""
        with self.engine.begin() as conn:
            conn.execute(sa.text(statement.replace("{t}", self.quoted)), params)

    @property
    def quoted(self) -> str:
        return self.engine.dialect.identifier_preparer.quote(self.table)

    def row(self, page_id: str) -> dict[str, Any]:
        with self.engine.connect() as conn:
            found = conn.execute(
                sa.text(f"SELECT * FROM {self.quoted} WHERE page_id = :p"), {"p": page_id}
            ).mappings()
            return dict(found.one())

    def remote(self, page_id: str) -> dict[str, Any]:
        page = self.sdk.pages.retrieve(page_id=page_id)
        props = page["properties"]
        return {
            "name": "".join(t["plain_text"] for t in props["Name"]["title"]),
            "points": props["Points"]["number"],
            "stage": (props["Stage"]["select"] or {}).get("name"),
            "due": (props["Due"]["date"] or {}).get("start"),
            "trashed": page.get("in_trash") or page.get("archived"),
            "edited": page["last_edited_time"],
        }

    def edit_remote(self, page_id: str, **props: Any) -> None:
        self.sdk.pages.update(page_id=page_id, properties=props)

    def pending_state(self) -> tuple[int, int]:
        with self.engine.connect() as conn:
            changes = conn.execute(sa.text("SELECT count(*) FROM sb_changes")).scalar_one()
            pushes = conn.execute(sa.text("SELECT count(*) FROM sb_pushes")).scalar_one()
        return int(changes), int(pushes)

    def close(self) -> None:
        self.loop.close()
        self.sdk.close()
        self.outbox.close()
        self.engine.dispose()
