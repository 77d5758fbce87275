"""Pull: Notion data source → typed mirror table, full or incremental, resumable.

Incremental pulls ask for ``last_edited_time on_or_after (cursor − lookback)`` sorted ascending
and skip a page only when (page id, last_edited_time, content hash) equals what is stored: Notion
rounds edit times down to the minute, so a strict ``after`` or a skip by id alone would lose a
second edit made in the same minute. The cursor is checkpointed after every page of results.

Full pulls scan by ``created_time`` ascending (past the 10,000-row cap), checkpoint (created_time,
page id) after every page of results so a killed run resumes, and only when the scan has really
finished tombstone the live rows it never met — unless that would remove more than the allowed
share, in which case the run stops and says why.

Trashed pages never come back from a plain query, so incremental pulls also ask for recently
trashed pages (``in_trash: true``), at most once per ``trash_check_seconds``; full scans catch the
rest. Schema changes are noticed from the pages themselves (a property id, name or type the
mirror does not know) or on every full pull, and evolve the table before rows are written.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from syncbridge.http.ratelimit import Lane
from syncbridge.notion.blocks import read_tree, to_plain_text
from syncbridge.notion.client import NotionClient
from syncbridge.notion.errors import ValidationError
from syncbridge.notion.pagination import Checkpoint as ScanPoint
from syncbridge.notion.pagination import is_invalid_cursor, scan_data_source
from syncbridge.store import rows, scan
from syncbridge.store.evolution import evolve
from syncbridge.store.mirror import Col, get_data_source, load_mirror
from syncbridge.store.models import ScanState
from syncbridge.store.triggers import ours
from syncbridge.sync.pending import PendingEdits
from syncbridge.sync.results import PullMode, PullResult, RequestCounter, RunOutcome

log = logging.getLogger(__name__)

LOOKBACK = timedelta(minutes=2)
PAGE_SIZE = 100
MAX_CURSOR_RESTARTS = 3

Progress = Callable[[int], None]


@dataclass(frozen=True)
class PullOptions:
    """How to pull one data source.

    Attributes:
        mode: ``full``, ``incremental``, or None for incremental when a cursor exists.
        force: Rewrite every row met (no unchanged-skip) and start a full scan afresh.
        delete_threshold: Largest share of live rows one full scan may tombstone.
        lookback: How far before the cursor an incremental pull starts.
        fetch_content: Also store changed pages' blocks (JSON and plain text).
        trash_check_seconds: Least time between two trash queries of incremental pulls.
        progress: Called with the number of pages seen so far.
    """

    mode: PullMode | None = None
    force: bool = False
    delete_threshold: float = 0.5
    lookback: timedelta = LOOKBACK
    fetch_content: bool = False
    trash_check_seconds: float = 300.0
    progress: Progress | None = None


@dataclass
class _Tally:
    seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    tombstoned: int = 0


@dataclass(frozen=True)
class _Mark:
    """Progress to record with a page of results: the incremental cursor or the scan point."""

    cursor: datetime | None = None
    scan_point: tuple[datetime, str] | None = None  # (created_time, page id) of the last row


_Batch = tuple[list[dict[str, Any]], tuple[str, str] | None]


async def _batches(pages: AsyncIterator[dict[str, Any]]) -> AsyncIterator[_Batch]:
    """Group a scan's rows into pages of results, each with its last (created_time, id)."""
    batch: list[dict[str, Any]] = []
    async for page in pages:
        batch.append(page)
        if len(batch) == PAGE_SIZE:
            yield batch, (batch[-1]["created_time"], batch[-1]["id"])
            batch = []
    if batch:
        yield batch, (batch[-1]["created_time"], batch[-1]["id"])


class _Stopped(Exception):
    """A safety rule halted the pull; the message says which and why."""


class Puller:
    """Pulls one data source; create one per run."""

    def __init__(
        self,
        engine: Engine,
        client: NotionClient,
        data_source_id: int,
        options: PullOptions,
        counter: RequestCounter | None = None,
    ) -> None:
        self.engine = engine
        self.client = client
        self.options = options
        self.counter = counter or RequestCounter()
        self.tally = _Tally()
        self.changes: list[str] = []
        self._scanned_before = 0  # rows an interrupted scan had already seen
        with Session(engine) as session:
            ds = get_data_source(session, data_source_id)
            self.ds_id = ds.id
            self.notion_id = ds.notion_data_source_id
            self.mirror = load_mirror(session, ds)
            self.strategy = ds.database.conflict_strategy  # for rows with local edits (push)
        self.conflicts = 0

    async def run(self) -> PullResult:
        """Pull, returning the typed result (errors are recorded in it, not raised)."""
        started = datetime.now(UTC)
        mode: PullMode = self.options.mode or ("incremental" if self._has_cursor() else "full")
        status: RunOutcome = "succeeded"
        error: str | None = None
        resumed = False
        try:
            if mode == "full":
                resumed = await self._full()
            else:
                await self._incremental()
        except _Stopped as exc:
            status, error = "aborted", str(exc)
        except Exception as exc:  # recorded in the run's result; the caller decides what next
            log.error(
                "pull of %s failed: %s",
                self.notion_id,
                exc,
                exc_info=log.isEnabledFor(logging.DEBUG),
                extra={"action": "pull.failed"},
            )
            status, error = "failed", f"{type(exc).__name__}: {exc}"
        return PullResult(
            data_source_id=self.ds_id,
            notion_data_source_id=self.notion_id,
            table=self.mirror.table.name,
            mode=mode,
            status=status,
            started_at=started,
            ended_at=datetime.now(UTC),
            pages_seen=self.tally.seen,
            inserted=self.tally.inserted,
            updated=self.tally.updated,
            unchanged=self.tally.unchanged,
            tombstoned=self.tally.tombstoned,
            requests=self.counter.requests,
            rate_limited=self.counter.rate_limited,
            retries=self.counter.retries,
            resumed=resumed,
            conflicts=self.conflicts,
            schema_changes=tuple(self.changes),
            error=error,
        )

    # -- full ------------------------------------------------------------------------------
    async def _full(self) -> bool:
        """Scan every row; returns whether an interrupted scan was resumed."""
        with Session(self.engine) as session, session.begin():
            cp = scan.checkpoint(session, self.ds_id)
            resume = (
                cp.scan_state == ScanState.RUNNING.value
                and cp.scan_id is not None
                and not self.options.force
            )
            if not resume:
                cp.scan_id = str(uuid.uuid4())
                cp.scan_state = ScanState.RUNNING.value
                cp.scan_started_at = datetime.now(UTC)
                cp.scan_last_created_time = None
                cp.scan_last_page_id = None
                cp.scan_pages = 0
            scan_id = str(cp.scan_id)
            self._scanned_before = cp.scan_pages if resume else 0
            point = None
            if resume and cp.scan_last_created_time and cp.scan_last_page_id:
                point = ScanPoint(_iso(cp.scan_last_created_time), cp.scan_last_page_id)
        await self._refresh_schema()
        pages = scan_data_source(
            self.client,
            self.notion_id,
            page_size=PAGE_SIZE,
            resume=point,
            on_checkpoint=None,
            lane=Lane.PULL,
        )
        await self._pipeline(_batches(pages), scan_id=scan_id)
        self._finish_scan(scan_id)
        return point is not None

    def _finish_scan(self, scan_id: str) -> None:
        """Tombstone what the finished scan never met, within the allowed share."""
        with self.engine.begin() as conn, ours(conn):
            gone = scan.unseen_live_ids(conn, self.mirror, scan_id)
            live = scan.live_count(conn, self.mirror)
            limit = self.options.delete_threshold * live
            if gone and len(gone) > limit:
                self._end_scan(conn, ScanState.IDLE)
                raise _Stopped(
                    f"the full scan would tombstone {len(gone)} of {live} live rows of "
                    f"{self.mirror.table.name}, more than the allowed "
                    f"{self.options.delete_threshold:.0%}; nothing was tombstoned"
                )
            self.tally.tombstoned += rows.tombstone(conn, self.mirror, gone)
            self._end_scan(conn, ScanState.COMPLETE, cursor=scan.newest_edit(conn, self.mirror))

    def _end_scan(
        self, conn: Connection, state: ScanState, *, cursor: datetime | None = None
    ) -> None:
        with Session(bind=conn) as session:
            cp = scan.checkpoint(session, self.ds_id)
            cp.scan_state = state.value
            if state is ScanState.COMPLETE:
                cp.last_full_scan_at = datetime.now(UTC)
                cp.trash_checked_at = datetime.now(UTC)
                if cursor is not None:
                    cp.cursor = cursor
            session.flush()

    # -- incremental -----------------------------------------------------------------------
    async def _incremental(self) -> None:
        with Session(self.engine) as session:
            cp = scan.checkpoint(session, self.ds_id)
            cursor = cp.cursor
            checked = cp.trash_checked_at
            session.commit()
        if cursor is None:
            await self._full()
            return
        since = cursor - self.options.lookback
        await self._edited_since(since, trash=False)
        now = datetime.now(UTC)
        if checked is None or (now - checked).total_seconds() >= self.options.trash_check_seconds:
            await self._edited_since(checked - self.options.lookback if checked else since, True)
            with Session(self.engine) as session, session.begin():
                scan.checkpoint(session, self.ds_id).trash_checked_at = now

    async def _edited_since(self, since: datetime, trash: bool) -> None:
        """Pages edited on or after ``since`` (trashed ones if ``trash``), oldest edit first."""
        window = since
        restarts = 0
        while True:
            body: dict[str, Any] = {
                "filter": {
                    "timestamp": "last_edited_time",
                    "last_edited_time": {"on_or_after": _iso(window)},
                },
                "sorts": [{"timestamp": "last_edited_time", "direction": "ascending"}],
                "page_size": PAGE_SIZE,
            }
            if trash:
                body["in_trash"] = True
            start: str | None = None
            last: str | None = None
            while True:
                try:
                    answer = await self.client.data_sources.query(
                        self.notion_id,
                        lane=Lane.PULL,
                        **body,
                        **({"start_cursor": start} if start else {}),
                    )
                except ValidationError as exc:
                    if (
                        start is None
                        or not is_invalid_cursor(exc)
                        or restarts >= MAX_CURSOR_RESTARTS
                    ):
                        raise
                    restarts += 1  # re-query the window: unchanged rows are skipped by hash
                    start = None
                    continue
                results = list(answer.get("results") or [])
                if results:
                    last = results[-1].get("last_edited_time") or last
                    mark = _Mark(cursor=_parse(last)) if last and not trash else None
                    await self._apply(results, scan_id=None, mark=mark)
                start = answer.get("next_cursor") if answer.get("has_more") else None
                if start is None:
                    break
            status = answer.get("request_status") or {}
            if status.get("type") != "incomplete" or last is None or _parse(last) <= window:
                return
            window = _parse(last)  # past the 10,000-row cap: continue from the last sort value

    # -- shared ----------------------------------------------------------------------------
    def _has_cursor(self) -> bool:
        with Session(self.engine) as session:
            cp = scan.checkpoint(session, self.ds_id)
            has = cp.cursor is not None and cp.scan_state != ScanState.RUNNING.value
            session.commit()
            return has

    async def _refresh_schema(self) -> None:
        """Fetch the data source's schema and evolve the mirror table to it."""
        data_source = await self.client.data_sources.retrieve(
            self.notion_id, lane=Lane.PULL, cache=False
        )
        result = evolve(self.engine, self.ds_id, data_source.get("properties") or {})
        if result.changed:
            self.changes.append(str(result))
        with Session(self.engine) as session:
            self.mirror = load_mirror(session, self.ds_id)

    def _drifted(self, page: dict[str, Any]) -> bool:
        """Whether a page shows properties the mirror does not know as they are."""
        known = self.mirror.schema_by_id
        props = page.get("properties") or {}
        if len(props) != len(known):
            return True
        for name, value in props.items():
            conf = known.get(value.get("id"))
            if conf is None or conf.get("type") != value.get("type") or conf.get("name") != name:
                return True
        return False

    async def _pipeline(self, batches: AsyncIterator[_Batch], *, scan_id: str) -> None:
        """Write each page of results while the next one is being fetched.

        A bounded queue keeps memory flat; the checkpoint of a page of results is written in the
        same transaction as its rows, so a kill at any instant resumes exactly.
        """
        queue: asyncio.Queue[_Batch | BaseException | None] = asyncio.Queue(maxsize=2)

        async def produce() -> None:
            try:
                async for batch in batches:
                    await queue.put(batch)
                await queue.put(None)
            except BaseException as exc:  # handed to the consumer, which raises it
                await queue.put(exc)

        producer = asyncio.create_task(produce())
        try:
            while (item := await queue.get()) is not None:
                if isinstance(item, BaseException):
                    raise item
                pages, last = item
                mark = _Mark(scan_point=(_parse(last[0]), last[1])) if last else None
                await self._apply(pages, scan_id=scan_id, mark=mark)
        finally:
            producer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await producer

    async def _apply(
        self, pages: list[dict[str, Any]], *, scan_id: str | None, mark: _Mark | None = None
    ) -> None:
        """Write one page of results: changed rows upserted, unchanged ones only marked seen."""
        if not pages:
            return
        if self._drifted(pages[0]):
            await self._refresh_schema()
        contents: dict[str, tuple[list[dict[str, Any]], str]] = {}
        if self.options.fetch_content:
            stored = await asyncio.to_thread(self._stored, [p["id"] for p in pages])
            for page in pages:
                if not self._unchanged(stored.get(page["id"]), page):
                    contents[page["id"]] = await self._content(page)
        await asyncio.to_thread(self._write, pages, scan_id, mark, contents)
        if self.options.progress is not None:
            self.options.progress(self.tally.seen)

    def _stored(self, ids: list[str]) -> dict[str, rows.StoredVersion]:
        with self.engine.connect() as conn:
            return rows.stored_versions(conn, self.mirror, ids)

    def _unchanged(self, have: rows.StoredVersion | None, page: dict[str, Any]) -> bool:
        return have is not None and not self.options.force and _same(have, page)

    def _write(
        self,
        pages: list[dict[str, Any]],
        scan_id: str | None,
        mark: _Mark | None,
        contents: dict[str, tuple[list[dict[str, Any]], str]],
    ) -> None:
        """One transaction: read what is stored, upsert what changed, record bases and mark."""
        with self.engine.begin() as conn, ours(conn):
            ids = [p["id"] for p in pages]
            # First: lock the rows, then read their local edits (merged, never overwritten).
            edits = PendingEdits.load(conn, self.mirror, ids, self.strategy)
            stored = rows.stored_versions(conn, self.mirror, ids)
            changed: list[dict[str, Any]] = []
            unchanged: list[str] = []
            counts = _Tally()
            for page in pages:
                have = stored.get(page["id"])
                if self._unchanged(have, page) and page["id"] not in edits:
                    unchanged.append(page["id"])
                    continue
                content = contents.get(page["id"])
                changed.append(
                    rows.page_row(
                        self.mirror,
                        page,
                        content=content[0] if content else None,
                        content_text=content[1] if content else None,
                    )
                )
                if have is None:
                    counts.inserted += 1
                elif _trashed(page) and not have.deleted:
                    counts.tombstoned += 1
                else:
                    counts.updated += 1
            if self.options.fetch_content and len(contents) != len(changed):
                # Content columns must be given for every row of one upsert, or for none.
                changed = [r for r in changed if r[Col.PAGE_ID] in contents]
            bases = [self._base(row, scan_id) for row in changed]
            # Rows with local edits are merged (three-way, per property), never overwritten.
            changed, bases = edits.merge(conn, changed, bases, {p["id"]: p for p in pages})
            self.conflicts += edits.conflicts_seen
            rows.upsert_rows(conn, self.mirror, changed)
            scan.save_bases(conn, bases)
            if scan_id is not None and unchanged:
                scan.mark_seen(conn, self.ds_id, unchanged, scan_id)
            seen = self.tally.seen + len(pages)
            if mark is not None:
                scan.record_progress(
                    conn,
                    self.ds_id,
                    cursor=mark.cursor,
                    scan_point=mark.scan_point,
                    scanned=self._scanned_before + seen if mark.scan_point else None,
                )
        self.tally.inserted += counts.inserted
        self.tally.updated += counts.updated
        self.tally.tombstoned += counts.tombstoned
        self.tally.unchanged += len(unchanged)
        self.tally.seen = seen

    async def _content(self, page: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
        blocks = await read_tree(self.client, page["id"], lane=Lane.PULL)
        return blocks, to_plain_text(blocks)

    def _base(self, row: dict[str, Any], scan_id: str | None) -> dict[str, Any]:
        """The row base: the synced value of each property's columns, by property id."""
        values = {
            prop_id: {suffix: _jsonable(row.get(col)) for suffix, col in prop.names.items()}
            for prop_id, prop in self.mirror.active.items()
        }
        return {
            "data_source_id": self.ds_id,
            "page_id": row[Col.PAGE_ID],
            "last_edited_time": row[Col.LAST_EDITED_TIME],
            "content_hash": row[Col.HASH],
            "properties": values,
            "seen_scan_id": scan_id,
            "synced_at": datetime.now(UTC),
        }


async def pull(
    engine: Engine,
    client: NotionClient,
    data_source_id: int,
    options: PullOptions | None = None,
    counter: RequestCounter | None = None,
) -> PullResult:
    """Pull one data source (our ``sb_data_sources`` id) into its mirror table."""
    return await Puller(engine, client, data_source_id, options or PullOptions(), counter).run()


def _trashed(page: dict[str, Any]) -> bool:
    return bool(page.get("in_trash") or page.get("archived"))


def _same(have: rows.StoredVersion, page: dict[str, Any]) -> bool:
    edited = page.get("last_edited_time")
    trashed = _trashed(page)
    return (
        have.content_hash == rows.page_hash(page)
        and have.last_edited_time is not None
        and edited is not None
        and have.last_edited_time == _parse(edited)
        and have.deleted == trashed
    )


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _iso(value: datetime) -> str:
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
