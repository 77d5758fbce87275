"""Pagination and full scans against a scripted remote that caps results like Notion does."""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncbridge.http import close_clients
from syncbridge.notion.client import NotionClient
from syncbridge.notion.errors import InvalidCursorError, NotionScanError
from syncbridge.notion.pagination import Checkpoint, iterate, scan_data_source

DS = "11111111-1111-4111-8111-111111111111"


@dataclass
class QueryRemote:
    """Notion's query semantics in miniature: created_time sort and filter, cursors, a cap."""

    rows: list[dict[str, Any]]
    cap: int = 10_000
    reject_once: set[str] = field(default_factory=set)
    bodies: list[dict[str, Any]] = field(default_factory=list)

    def __call__(self, seen: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        body = dict(seen.body or {})
        self.bodies.append(body)
        cursor = body.get("start_cursor")
        if cursor in self.reject_once:
            self.reject_once.discard(cursor)
            return 400, {}, _error("validation_error", "body.start_cursor should be a valid cursor")
        since = _since(body.get("filter"))
        every = sorted(
            (r for r in self.rows if since is None or r["created_time"] >= since),
            key=lambda r: r["created_time"],
        )
        matching = every[: self.cap]
        start = int(cursor.split(":")[1]) if cursor else 0
        size = int(body.get("page_size", 100))
        chunk = matching[start : start + size]
        more = start + size < len(matching)
        answer: dict[str, Any] = {
            "object": "list",
            "results": chunk,
            "next_cursor": f"c:{start + size}" if more else None,
            "has_more": more,
            "type": "page_or_data_source",
        }
        if len(every) > self.cap and not more:
            answer["request_status"] = {
                "type": "incomplete",
                "incomplete_reason": "query_result_limit_reached",
            }
        return 200, {}, answer


def _since(flt: dict[str, Any] | None) -> str | None:
    if not flt:
        return None
    if "and" in flt:
        found = [_since(part) for part in flt["and"]]
        return next((f for f in found if f), None)
    if flt.get("timestamp") == "created_time":
        return str(flt["created_time"]["on_or_after"])
    return None


def _error(code: str, message: str) -> dict[str, Any]:
    return {"object": "error", "status": 400, "code": code, "message": message}


def make_rows(minutes: list[int]) -> list[dict[str, Any]]:
    return [
        {
            "object": "page",
            "id": f"00000000-0000-4000-8000-{i:012d}",
            "created_time": f"2026-01-01T{m // 60:02d}:{m % 60:02d}:00.000Z",
        }
        for i, m in enumerate(minutes)
    ]


def client_for(remote: Any) -> NotionClient:
    return NotionClient("tok", base_url=remote.base_url, rate_limit=None, retry_delay=0)


async def collect(remote: Any, **kwargs: Any) -> list[dict[str, Any]]:
    try:
        return [row async for row in scan_data_source(client_for(remote), DS, **kwargs)]
    finally:
        await close_clients()


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    minutes=st.lists(st.integers(min_value=0, max_value=6), min_size=0, max_size=40),
    cap=st.integers(min_value=4, max_value=12),
    page_size=st.integers(min_value=1, max_value=5),
)
def test_full_scan_returns_every_row_once_past_the_cap(
    fake_remote: Any, minutes: list[int], cap: int, page_size: int
) -> None:
    rows = make_rows(minutes)
    fake_remote.handler = QueryRemote(rows, cap=cap)
    per_minute = Counter(minutes)
    # Stuck exactly when one minute fills a whole query and more rows follow from there on.
    stuck = any(
        count >= cap and sum(c for m, c in per_minute.items() if m >= minute) > cap
        for minute, count in per_minute.items()
    )
    if stuck:
        with pytest.raises(NotionScanError, match="share created_time"):
            asyncio.run(collect(fake_remote, page_size=page_size))
        return
    got = asyncio.run(collect(fake_remote, page_size=page_size))
    assert sorted(r["id"] for r in got) == sorted(r["id"] for r in rows)
    times = [r["created_time"] for r in got]
    assert times == sorted(times)


async def test_windows_filter_on_created_time_and_keep_the_callers_filter(fake_remote: Any) -> None:
    rows = make_rows([0, 0, 1, 1, 2, 2, 3, 3, 4, 4])
    remote = QueryRemote(rows, cap=4)
    fake_remote.handler = remote
    user_filter = {"and": [{"property": "Done", "checkbox": {"equals": False}}]}
    got = await collect(fake_remote, filter=user_filter, page_size=3)
    assert len(got) == 10
    first, later = remote.bodies[0], remote.bodies[-1]
    assert first["sorts"] == [{"timestamp": "created_time", "direction": "ascending"}]
    assert first["filter"] == user_filter
    # Flattened into one "and": Notion allows only two levels of nesting.
    assert later["filter"]["and"][0] == user_filter["and"][0]
    assert later["filter"]["and"][1]["created_time"]["on_or_after"].startswith("2026-01-01T00:0")


async def test_checkpoints_allow_resuming(fake_remote: Any) -> None:
    rows = make_rows([0, 1, 1, 2, 3, 3, 3, 4, 5, 6])
    fake_remote.handler = QueryRemote(rows, cap=5)
    marks: list[tuple[str, str]] = []

    async def on_checkpoint(created_time: str, page_id: str) -> None:
        marks.append((created_time, page_id))

    full = await collect(fake_remote, page_size=2, on_checkpoint=on_checkpoint)
    assert len(marks) >= len(rows) // 2
    assert marks[-1] == (full[-1]["created_time"], full[-1]["id"])
    created, page_id = marks[2]
    resumed = await collect(fake_remote, page_size=2, resume=Checkpoint(created, page_id))
    delivered_before = {r["id"] for r in full[: [r["id"] for r in full].index(page_id) + 1]}
    resumed_ids = [r["id"] for r in resumed]
    assert page_id not in resumed_ids
    assert len(resumed_ids) == len(set(resumed_ids))
    # Everything after the checkpoint arrives; only rows of the checkpoint's minute may repeat.
    assert {r["id"] for r in full} - delivered_before <= set(resumed_ids)
    repeated = delivered_before & set(resumed_ids)
    assert all(r["created_time"] == created for r in rows if r["id"] in repeated)


async def test_invalid_cursor_restarts_the_window_without_duplicates(fake_remote: Any) -> None:
    rows = make_rows(list(range(12)))
    remote = QueryRemote(rows, cap=100, reject_once={"c:6"})
    fake_remote.handler = remote
    got = await collect(fake_remote, page_size=3)
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    cursors = [b.get("start_cursor") for b in remote.bodies]
    restart = cursors.index("c:6") + 1
    assert cursors[restart] is None  # a fresh query from the last delivered row
    assert "filter" in remote.bodies[restart]


async def test_iterate_restarts_after_invalid_cursor_and_dedupes(fake_remote: Any) -> None:
    rows = make_rows(list(range(7)))
    remote = QueryRemote(rows, reject_once={"c:4"})
    fake_remote.handler = remote
    client = client_for(fake_remote)
    try:
        got = [r async for r in iterate(client.data_sources.query, data_source_id=DS, page_size=2)]
    finally:
        await close_clients()
    assert [r["id"] for r in got] == [r["id"] for r in rows]
    assert [b.get("start_cursor") for b in remote.bodies][:4] == [None, "c:2", "c:4", None]


async def test_iterate_gives_up_when_cursors_keep_failing(fake_remote: Any) -> None:
    def handler(seen: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        if seen.query.get("start_cursor"):
            return 400, {}, _error("validation_error", "start_cursor is invalid")
        return (
            200,
            {},
            {"object": "list", "results": [{"id": "a"}], "next_cursor": "x", "has_more": True},
        )

    fake_remote.handler = handler
    client = client_for(fake_remote)
    with pytest.raises(InvalidCursorError, match="restarts"):
        async for _ in iterate(client.users.list):
            pass
    await close_clients()


async def test_iterate_follows_cursors_in_the_query_string_for_gets(fake_remote: Any) -> None:
    users = [{"object": "user", "id": f"u{i}"} for i in range(5)]

    def handler(seen: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        start = int(seen.query.get("start_cursor", ["0"])[0])
        size = int(seen.query["page_size"][0])
        more = start + size < len(users)
        return (
            200,
            {},
            {
                "object": "list",
                "results": users[start : start + size],
                "next_cursor": str(start + size) if more else None,
                "has_more": more,
            },
        )

    fake_remote.handler = handler
    client = client_for(fake_remote)
    try:
        got = [u["id"] async for u in client.iterate(client.users.list, page_size=2)]
    finally:
        await close_clients()
    assert got == [u["id"] for u in users]
    assert [r.method for r in fake_remote.requests] == ["GET"] * 3


async def test_scan_gives_up_when_every_cursor_is_rejected(fake_remote: Any) -> None:
    rows = make_rows([0, 0, 0, 0, 0])

    def handler(seen: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        if (seen.body or {}).get("start_cursor"):
            return 400, {}, _error("validation_error", "start_cursor is invalid")
        return QueryRemote(rows)(seen)

    fake_remote.handler = handler
    with pytest.raises(InvalidCursorError, match="restarts"):
        await collect(fake_remote, page_size=2)
