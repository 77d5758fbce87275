"""Pagination over Notion list endpoints, and full data-source scans past the 10,000-row cap.

``iterate`` walks any paginated call (``next_cursor``/``has_more``). ``scan_data_source`` reads
every row of a data source: sorted by ``created_time`` ascending, re-querying with
``created_time on_or_after <last value>`` whenever one query reaches Notion's 10,000-result
limit, and skipping rows already delivered at that boundary minute.

An invalid ``start_cursor`` (Notion answers 400 ``validation_error``) is never ignored: the
iteration restarts from its beginning (``iterate``) or from its current window
(``scan_data_source``) and rows already delivered are not delivered twice.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from syncbridge.notion.errors import InvalidCursorError, NotionScanError, ValidationError

if TYPE_CHECKING:
    from syncbridge.notion.client import NotionClient

__all__ = [
    "QUERY_RESULT_LIMIT",
    "Checkpoint",
    "iterate",
    "scan_data_source",
]

log = logging.getLogger(__name__)

QUERY_RESULT_LIMIT = 10_000
"""Most rows one data-source query returns before Notion marks it incomplete."""

MAX_CURSOR_RESTARTS = 3
"""How many times an invalid cursor may restart one iteration before we give up."""

PageMethod = Callable[..., Awaitable[dict[str, Any]]]
CheckpointHook = Callable[[str, str], Awaitable[None] | None]


@dataclass(frozen=True)
class Checkpoint:
    """Where a full scan stands: the last delivered row's ``created_time`` and page id."""

    created_time: str
    page_id: str


def is_invalid_cursor(exc: BaseException) -> bool:
    """Whether ``exc`` is Notion rejecting the ``start_cursor`` we sent."""
    if isinstance(exc, InvalidCursorError):
        return True
    return isinstance(exc, ValidationError) and "start_cursor" in str(exc)


async def iterate(method: PageMethod, **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
    """Yield every result of a paginated call, following ``next_cursor``.

    Args:
        method: Any paginated client method, e.g. ``client.blocks.children.list``.
        **kwargs: Its arguments; ``page_size`` defaults to 100, ``start_cursor`` starts midway.

    Raises:
        InvalidCursorError: The server kept rejecting cursors after several restarts.
    """
    kwargs.setdefault("page_size", 100)
    first_cursor = kwargs.pop("start_cursor", None)
    cursor = first_cursor
    yielded: set[str] = set()
    restarts = 0
    while True:
        try:
            response = await _call_page(method, kwargs, cursor)
        except ValidationError as exc:
            if cursor is None or cursor == first_cursor or not is_invalid_cursor(exc):
                raise
            restarts += 1
            if restarts > MAX_CURSOR_RESTARTS:
                raise InvalidCursorError.after_restarts(restarts - 1, exc) from exc
            log.warning("invalid start_cursor, restarting iteration", extra={"action": "restart"})
            cursor = first_cursor
            continue
        for item in response.get("results") or []:
            item_id = item.get("id") if isinstance(item, dict) else None
            if isinstance(item_id, str):
                if item_id in yielded:
                    continue
                yielded.add(item_id)
            yield item
        cursor = response.get("next_cursor")
        if not response.get("has_more") or not cursor:
            return


async def _call_page(
    method: PageMethod, kwargs: dict[str, Any], cursor: str | None
) -> dict[str, Any]:
    if cursor is None:
        return await method(**kwargs)
    return await method(**kwargs, start_cursor=cursor)


def _window_filter(user_filter: dict[str, Any] | None, since: str | None) -> dict[str, Any] | None:
    """Combine the caller's filter with ``created_time on_or_after since``."""
    if since is None:
        return user_filter
    bound = {"timestamp": "created_time", "created_time": {"on_or_after": since}}
    if user_filter is None:
        return bound
    if set(user_filter) == {"and"} and isinstance(user_filter["and"], list):
        # Flattening keeps us within Notion's two-level nesting limit.
        return {"and": [*user_filter["and"], bound]}
    return {"and": [user_filter, bound]}


@dataclass
class _ScanState:
    boundary: str | None  # created_time of the last delivered row
    seen_at_boundary: set[str]
    last_id: str | None

    def accept(self, row: dict[str, Any]) -> bool:
        created = row.get("created_time")
        row_id = row.get("id")
        if not isinstance(created, str) or not isinstance(row_id, str):
            raise NotionScanError(f"query result without created_time/id: {str(row)[:200]}")
        if self.boundary is not None and created < self.boundary:
            return False  # before the window: delivered already (ISO-8601 "Z" strings sort)
        if created == self.boundary:
            if row_id in self.seen_at_boundary:
                return False
        else:
            self.boundary = created
            self.seen_at_boundary = set()
        self.seen_at_boundary.add(row_id)
        self.last_id = row_id
        return True


async def scan_data_source(
    client: NotionClient,
    data_source_id: str,
    *,
    filter: dict[str, Any] | None = None,
    page_size: int = 100,
    resume: Checkpoint | None = None,
    on_checkpoint: CheckpointHook | None = None,
    **query_kwargs: Any,
) -> AsyncIterator[dict[str, Any]]:
    """Yield every row of a data source, past the 10,000-row query cap.

    Rows come in ``created_time`` ascending order. After each page of results
    ``on_checkpoint(created_time, page_id)`` is called with the last delivered row, so a store can
    persist it and later pass ``resume=Checkpoint(...)``. A resumed scan re-delivers the rows that
    share the checkpoint's minute (Notion gives no order within it), except the checkpoint's page.

    Args:
        client: The Notion client (under API version 2022-06-28 ``data_source_id`` may be a
            database id; the database query endpoint is used).
        data_source_id: The data source to read.
        filter: An optional Notion filter, combined with the created_time window.
        page_size: Rows per request (≤ 100).
        resume: Continue after this checkpoint instead of from the first row.
        on_checkpoint: Called (sync or async) after each page of results.
        **query_kwargs: Passed to the query call (``lane``, ``filter_properties``, ``in_trash``).

    Raises:
        NotionScanError: One minute holds more rows than a single query can return.
    """
    state = _ScanState(
        boundary=resume.created_time if resume else None,
        seen_at_boundary={resume.page_id} if resume else set(),
        last_id=resume.page_id if resume else None,
    )
    restarts = 0
    while True:
        window_start = state.boundary
        delivered = 0
        complete = True
        pages = _window_pages(
            _query_for(client, data_source_id),
            _window_filter(filter, window_start),
            page_size,
            query_kwargs,
        )
        try:
            async for batch, status_complete in pages:
                for row in batch:
                    if state.accept(row):
                        delivered += 1
                        yield row
                if on_checkpoint is not None and state.boundary and state.last_id:
                    outcome = on_checkpoint(state.boundary, state.last_id)
                    if outcome is not None:
                        await outcome
                complete = status_complete
        except _RestartWindow as exc:
            # Rows already delivered sit before the boundary or in its seen-set: none repeat.
            restarts = restarts + 1 if delivered == 0 else 1
            if restarts > MAX_CURSOR_RESTARTS:
                raise InvalidCursorError.after_restarts(restarts - 1, exc.cause) from exc.cause
            log.warning(
                "invalid start_cursor, re-querying from the last row", extra={"action": "restart"}
            )
            continue
        if complete:
            return
        if delivered == 0:
            raise NotionScanError(
                f"data source {data_source_id}: more than {QUERY_RESULT_LIMIT} rows share "
                f"created_time {window_start}; a created_time window cannot split them"
            )
        log.info(
            "query result limit reached, re-querying from %s",
            state.boundary,
            extra={"action": "scan_window", "data_source_id": data_source_id},
        )


class _RestartWindow(Exception):
    """Notion rejected a cursor mid-window: start a new window at the last delivered row."""

    def __init__(self, cause: ValidationError) -> None:
        super().__init__(str(cause))
        self.cause = cause


def _query_for(client: NotionClient, data_source_id: str) -> PageMethod:
    if client.legacy_databases:
        return functools.partial(client.databases.query, data_source_id)
    return functools.partial(client.data_sources.query, data_source_id)


async def _window_pages(
    query: PageMethod,
    window_filter: dict[str, Any] | None,
    page_size: int,
    query_kwargs: dict[str, Any],
) -> AsyncIterator[tuple[list[dict[str, Any]], bool]]:
    """Pages of one created_time window; the flag says whether the query was complete."""
    body: dict[str, Any] = {
        **query_kwargs,
        "sorts": [{"timestamp": "created_time", "direction": "ascending"}],
        "page_size": page_size,
    }
    if window_filter is not None:
        body["filter"] = window_filter
    cursor: str | None = None
    returned = 0
    while True:
        try:
            response = await _call_page(query, body, cursor)
        except ValidationError as exc:
            if cursor is not None and is_invalid_cursor(exc):
                raise _RestartWindow(exc) from exc
            raise
        results = list(response.get("results") or [])
        returned += len(results)
        cursor = response.get("next_cursor")
        has_more = bool(response.get("has_more")) and bool(cursor)
        status = response.get("request_status") or {}
        incomplete = status.get("type") == "incomplete" or returned >= QUERY_RESULT_LIMIT
        yield results, has_more or not incomplete
        if not has_more:
            return
