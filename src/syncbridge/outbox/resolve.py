"""Did a create whose answer was lost make a page? Look before sending it again.

Notion has no idempotency key, so a create that timed out (or got a 5xx, or a reset, or whose
worker died after sending) may or may not have made its page. The worker records every attempt
(state ``sending``, time, content hash, what it sent) before sending; on the next attempt it asks:

1. the data source has a key property (``Outbox.set_key_property``): one filtered query on the
   idempotency key answers for certain — found (adopt that page) or not (send again);
2. otherwise: pages created by our integration (``created_by`` = our bot user) since the minute
   before the attempt, whose sent properties hash to what we sent and which no other create
   has adopted. One match: adopt it. None, once ``settle_seconds`` have passed since sending:
   send again. Several, or nothing comparable was sent: uncertain.

Uncertain creates become dead letters with the reason: never guess by creating again.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from syncbridge.http.ratelimit import Lane
from syncbridge.notion.client import NotionClient
from syncbridge.outbox import payload as pl
from syncbridge.outbox.db import OutboxDB, Row

MAX_SCAN_PAGES = 20  # 2,000 recently created rows; past that the window is not "recent"


class LookLater(Exception):
    """Too early to conclude from a search that the create did not happen; look at ``at``."""

    def __init__(self, at: float) -> None:
        super().__init__(f"looking again for the page of an unanswered create at {at:.0f}")
        self.at = at


class Uncertain(Exception):
    """Whether the create made its page cannot be told; the reason says why."""


class CreateResolver:
    """Finds the page a create with an unknown outcome made, if it made one."""

    def __init__(
        self,
        client: NotionClient,
        db: OutboxDB,
        *,
        clock: Callable[[], float] = time.time,
        settle_seconds: float = 5.0,
        lane: Lane = Lane.PUSH,
    ) -> None:
        self.client = client
        self.db = db
        self._clock = clock
        self.settle_seconds = settle_seconds
        self._lane = lane
        self._bot_id: str | None = None

    async def look(self, row: Row) -> str | None:
        """The id of the page ``row``'s create made, or None when it certainly made none.

        Raises:
            LookLater: a content search found nothing, but too soon after sending to be sure.
            Uncertain: cannot tell (ambiguous matches, nothing comparable sent).
        """
        assert row.data_source_id is not None
        assert row.idem_key is not None
        key_prop = await asyncio.to_thread(self.db.key_property, row.data_source_id)
        if key_prop is not None:
            return await self._by_key(row.data_source_id, key_prop, row.idem_key)
        return await self._by_content(row)

    async def _by_key(self, data_source_id: str, prop: str, key: str) -> str | None:
        body = {"filter": {"property": prop, "rich_text": {"equals": key}}, "page_size": 100}
        async for page in self._query(data_source_id, body):
            # Checked here too: a filter the server ignored must not adopt a stranger's page.
            value = (page.get("properties") or {}).get(prop) or {}
            if pl.fingerprint({prop: value}) == pl.fingerprint({prop: rich_text(key)}):
                return str(page["id"])
        return None

    async def _by_content(self, row: Row) -> str | None:
        sent = row.payload.get("sent")
        if not isinstance(sent, dict) or not row.sent_hash or row.sent_at is None:
            raise Uncertain(
                "create outcome unknown and nothing comparable was sent; set a key property "
                "(Outbox.set_key_property) so the worker can look the page up"
            )
        if self._clock() < row.sent_at + self.settle_seconds:
            raise LookLater(row.sent_at + self.settle_seconds)
        bot = await self._bot()
        matches = []
        async for page in self._created_since(row.data_source_id or "", row.sent_at - 60):
            if _norm((page.get("created_by") or {}).get("id")) != bot:
                continue
            if pl.fingerprint(sent, page.get("properties") or {}) != row.sent_hash:
                continue
            if await asyncio.to_thread(self.db.adopted, str(page["id"])):
                continue
            matches.append(str(page["id"]))
        if len(matches) > 1:
            raise Uncertain(
                f"create outcome unknown: {len(matches)} pages created by this integration "
                "since the attempt match what was sent; set a key property to tell them apart"
            )
        return matches[0] if matches else None

    async def _created_since(self, data_source_id: str, since: float) -> AsyncIterator[Any]:
        start = time.strftime("%Y-%m-%dT%H:%M:00.000Z", time.gmtime(since))
        body: dict[str, Any] = {
            "filter": {"timestamp": "created_time", "created_time": {"on_or_after": start}},
            "sorts": [{"timestamp": "created_time", "direction": "ascending"}],
            "page_size": 100,
        }
        async for page in self._query(data_source_id, body):
            if str(page.get("created_time", "")) >= start[:16]:
                yield page

    async def _query(self, data_source_id: str, body: dict[str, Any]) -> AsyncIterator[Any]:
        body = dict(body)
        for _ in range(MAX_SCAN_PAGES):
            answer = await self.client.data_sources.query(data_source_id, **body, lane=self._lane)
            for page in answer.get("results") or []:
                yield page
            if not answer.get("has_more") or not answer.get("next_cursor"):
                return
            body["start_cursor"] = answer["next_cursor"]
        raise Uncertain("create outcome unknown: too many pages to search for it")

    async def _bot(self) -> str:
        if self._bot_id is None:
            me = await self.client.users.me(lane=self._lane)
            self._bot_id = _norm(me.get("id"))
        return self._bot_id


def rich_text(content: str) -> dict[str, Any]:
    """A rich_text property value (request shape) holding ``content``."""
    return {"rich_text": [{"type": "text", "text": {"content": content}}]}


def _norm(value: Any) -> str:
    return str(value or "").replace("-", "").lower()
