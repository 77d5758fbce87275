"""``OutboxWorker``: sends queued writes to Notion in per-page order, under the PUSH lane.

One loop claims due rows (each the first unfinished row of its page, so a page's writes go one
at a time, in order) with an expiring lease, sends up to ``concurrency`` at once through the
async ``NotionClient`` (its token bucket paces them), and then, per row:

* success → done (creates keep their row as the key → page id record);
* a transient error the shared ``RetryPolicy`` allows → rescheduled (``next_attempt_at``);
* otherwise → dead letter with the reason (``syncbridge outbox list --dead``; ``retry``).

Creates are never repeated blindly (see ``resolve.py``): the attempt is recorded before it is
sent, and after an unknown outcome the worker looks for the page before sending again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import uuid
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from syncbridge.http.errors import CircuitOpenError, HTTPError, StatusError
from syncbridge.http.ratelimit import Lane
from syncbridge.http.retry import RetryPolicy
from syncbridge.notion.client import NotionClient
from syncbridge.outbox import payload as pl
from syncbridge.outbox.db import Row
from syncbridge.outbox.queue import Outbox
from syncbridge.outbox.resolve import CreateResolver, LookLater, Uncertain, rich_text

__all__ = ["OutboxWorker", "WorkerStats"]

log = logging.getLogger(__name__)
T = TypeVar("T")
PUSH = Lane.PUSH
_PAGE_SOURCES_KEPT = 10_000


class WriteRejected(Exception):
    """A write that cannot succeed as queued (unknown property, value the schema refuses …)."""


@dataclass
class WorkerStats:
    """What one ``run`` did."""

    sent: int = 0
    retried: int = 0
    dead: int = 0
    adopted: int = 0  # creates found already made after an unknown outcome
    lost_leases: int = 0
    errors: deque[str] = field(default_factory=lambda: deque(maxlen=20))  # the latest ones

    def to_json(self) -> dict[str, Any]:
        """Counts for ``syncbridge worker --json``."""
        return {k: v for k, v in self.__dict__.items() if k != "errors"} | {
            "errors": list(self.errors)
        }


class OutboxWorker:
    """Drains an outbox into Notion.

    Args:
        outbox: the queue to drain.
        client: the async Notion client (shares the process's rate budget per token).
        policy: when to try a failed write again (default from settings).
        concurrency: writes in flight at once (different pages only).
        lease_seconds: how long a claimed row stays ours without renewal; a dead worker's
            rows are taken over after this.
        settle_seconds: before concluding from a content search that a create with an unknown
            outcome did not happen, wait this long after it was sent (search may lag).
        poll_interval: idle wait between claims when nothing is due.
        clock: wall clock (epoch seconds), injected in tests.
    """

    def __init__(
        self,
        outbox: Outbox,
        client: NotionClient,
        *,
        policy: RetryPolicy | None = None,
        concurrency: int = 4,
        lease_seconds: float = 60.0,
        settle_seconds: float = 5.0,
        poll_interval: float = 0.5,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.outbox = outbox
        self.db = outbox.db
        self.client = client
        self.policy = policy or _default_policy()
        self.concurrency = max(1, concurrency)
        self.lease_seconds = lease_seconds
        self.poll_interval = poll_interval
        self.owner = f"w-{uuid.uuid4().hex[:12]}"
        self._clock = clock
        self._schemas: dict[str, dict[str, Any]] = {}
        self._page_sources: dict[str, str] = {}
        self._inflight: dict[int, Row] = {}
        self._posted: set[int] = set()  # creates whose POST was attempted by this process
        self.resolver = CreateResolver(
            client, self.db, clock=clock, settle_seconds=settle_seconds, lane=PUSH
        )
        self.stats = WorkerStats()

    async def _db(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        # Store calls are short but blocking; keep them off the event loop.
        return await asyncio.to_thread(fn, *args, **kwargs)

    # -- the loop ----------------------------------------------------------------------------

    async def run(
        self,
        *,
        burst: bool = False,
        until_empty: bool = False,
        stop: asyncio.Event | None = None,
    ) -> WorkerStats:
        """Send writes until ``stop`` is set (or, with ``burst``, until nothing is due).

        Args:
            burst: return once no write is due now (writes rescheduled for later stay queued).
            until_empty: with ``burst``, wait for rescheduled writes too; return when nothing
                is left that could still be sent (only dead letters and what waits behind them).
            stop: set it to finish the writes in flight and return (graceful shutdown).
        """
        stop = stop or asyncio.Event()
        tasks: set[asyncio.Task[None]] = set()
        renewer = asyncio.create_task(self._renew_leases(stop))
        try:
            while not stop.is_set():
                free = self.concurrency - len(tasks)
                rows = await self._claim(free) if free > 0 else []
                for row in rows:
                    if row.id in self._inflight:
                        # Our lease ran out while we still work on it (a stalled loop): never
                        # send one write twice at once.
                        continue
                    self._inflight[row.id] = row
                    tasks.add(asyncio.create_task(self._process(row)))
                if not tasks:
                    idle = await self._idle_wait(burst, until_empty)
                    if idle is None:
                        break
                    await _wait(stop, idle)
                    continue
                _, tasks = await asyncio.wait(
                    tasks, timeout=self.poll_interval, return_when=asyncio.FIRST_COMPLETED
                )
            if tasks:
                await asyncio.wait(tasks)
        finally:
            renewer.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await renewer
        return self.stats

    async def _idle_wait(self, burst: bool, until_empty: bool) -> float | None:
        """How long to wait before claiming again when nothing is in flight; None = stop."""
        if not burst:
            return self.poll_interval
        if not until_empty:
            return None
        due = await self._db(self.db.next_due)
        if due is None:
            return None
        return min(self.poll_interval, max(0.01, due - self._clock()))

    async def _claim(self, limit: int) -> list[Row]:
        now = self._clock()
        return await self._db(
            self.db.claim,
            now=now,
            owner=self.owner,
            lease_until=now + self.lease_seconds,
            limit=limit,
        )

    async def _renew_leases(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            await _wait(stop, self.lease_seconds / 3)
            until = self._clock() + self.lease_seconds
            await self._db(self.db.extend_leases, list(self._inflight), self.owner, until)

    # -- one row -----------------------------------------------------------------------------

    async def _process(self, row: Row) -> None:
        try:
            page_id = await self._send(row)
        except (LookLater, Uncertain, WriteRejected, HTTPError) as exc:
            await self._failed(row, exc)
        except Exception as exc:  # a bug or a codec refusal: park it visibly, keep draining
            log.exception("outbox write %s failed", row.id, extra={"action": "outbox_error"})
            await self._bury(row, f"{type(exc).__name__}: {exc}")
        else:
            ok = await self._db(
                self.db.finish, row, self.owner, now=self._clock(), result_page_id=page_id
            )
            self._count(ok, "sent")
        finally:
            self._inflight.pop(row.id, None)
            self._posted.discard(row.id)

    def _count(self, ok: bool, what: str) -> None:
        if ok:
            setattr(self.stats, what, getattr(self.stats, what) + 1)
        else:
            self.stats.lost_leases += 1
            log.warning("outbox lease lost", extra={"action": "outbox_lease_lost"})

    async def _send(self, row: Row) -> str | None:
        if row.kind == "create":
            return await self._create(row)
        page_id, source = await self._page_id(row)
        if row.kind == "update":
            props = await self._encode(source, page_id, pl.unwrap(row.payload))
            await self.client.pages.update(page_id, properties=props, lane=PUSH)
        elif row.kind == "trash":
            await self._trash(page_id)
        elif row.kind == "append":
            children = row.payload["children"]
            await self.client.blocks.children.append(page_id, children=children, lane=PUSH)
        else:
            raise WriteRejected(f"unknown write kind {row.kind!r}")
        return None

    async def _trash(self, page_id: str) -> None:
        try:
            await self.client.pages.update(page_id, in_trash=True, lane=PUSH)
        except StatusError as exc:
            # Notion refuses to edit a trashed page (400): after a lost answer, that refusal
            # means the earlier attempt worked.
            if exc.status_code != 400:
                raise
            page = await self.client.pages.retrieve(page_id, lane=PUSH, cache=False)
            if not (page.get("in_trash") or page.get("archived")):
                raise

    async def _create(self, row: Row) -> str:
        assert row.data_source_id is not None
        assert row.idem_key is not None
        if row.state == "sending":
            found = await self.resolver.look(row)
            if found is not None:
                self.stats.adopted += 1
                return found
        body = row.payload
        props = await self._encode(row.data_source_id, None, body["properties"])
        key_prop = await self._db(self.db.key_property, row.data_source_id)
        if key_prop is not None:
            props[key_prop] = rich_text(row.idem_key)
        stored = {k: v for k, v in body.items() if k != "sent"} | {"sent": props}
        recorded = await self._db(
            self.db.mark_sending,
            row.id,
            self.owner,
            now=self._clock(),
            sent_hash=pl.fingerprint(props),
            payload=pl.dumps(stored, where="payload"),
        )
        if not recorded:
            raise WriteRejected("lease lost before sending")  # another worker owns it now
        request: dict[str, Any] = {"parent": {"data_source_id": row.data_source_id}}
        request["properties"] = props
        if body.get("children"):
            request["children"] = body["children"]
        self._posted.add(row.id)
        page = await self.client.pages.create(**request, lane=PUSH)
        return str(page["id"])

    async def _page_id(self, row: Row) -> tuple[str, str | None]:
        """The page a row writes to, and its data source when known."""
        if not row.page_key.startswith(pl.KEY_PREFIX):
            return row.page_key, row.data_source_id
        key = row.page_key[len(pl.KEY_PREFIX) :]
        created = await self._db(self.db.created, key)
        if created is None or created[1] is None:
            raise WriteRejected(f"no page was created with key {key!r} (queue its create first)")
        return created[1], row.data_source_id or created[2]

    # -- values through the schema -----------------------------------------------------------

    async def _encode(
        self, data_source_id: str | None, page_id: str | None, props: Mapping[str, Any]
    ) -> dict[str, Any]:
        if all(pl.is_property_json(v) for v in props.values()):
            return dict(props)
        if data_source_id is None:
            assert page_id is not None
            data_source_id = await self._source_of(page_id)
        schema = await self._schema(data_source_id)
        if any(name not in schema for name in props):  # the schema may have changed since
            schema = await self._schema(data_source_id, fresh=True)
        from syncbridge.notion.codec import encode

        out: dict[str, Any] = {}
        for name, value in props.items():
            prop_schema = schema.get(name)
            if prop_schema is None:
                raise WriteRejected(f"property {name!r}: not in data source {data_source_id}")
            out[name] = encode(prop_schema, value)
        return out

    async def _schema(self, data_source_id: str, *, fresh: bool = False) -> dict[str, Any]:
        cached = None if fresh else self._schemas.get(data_source_id)
        if cached is None:
            source = await self.client.data_sources.retrieve(
                data_source_id, lane=PUSH, cache=not fresh
            )
            props = source.get("properties") or {}
            cached = dict(props) | {p["id"]: p for p in props.values() if "id" in p}
            self._schemas[data_source_id] = cached
        return cached

    async def _source_of(self, page_id: str) -> str:
        found = self._page_sources.get(page_id)
        if found is None:
            page = await self.client.pages.retrieve(page_id, lane=PUSH)
            parent = page.get("parent") or {}
            found = parent.get("data_source_id") or parent.get("database_id")
            if not found:
                raise WriteRejected(f"page {page_id} is not in a data source; send property JSON")
            if len(self._page_sources) >= _PAGE_SOURCES_KEPT:
                self._page_sources.clear()  # a long-running worker must not grow without bound
            self._page_sources[page_id] = found
        return str(found)

    # -- failures ----------------------------------------------------------------------------

    async def _failed(self, row: Row, exc: Exception) -> None:
        now = self._clock()
        error = f"{type(exc).__name__}: {exc}"
        self.stats.errors.append(f"#{row.id} {error}")
        if isinstance(exc, LookLater):
            ok = await self._db(
                self.db.reschedule,
                row.id,
                self.owner,
                state="sending",
                next_attempt_at=exc.at,
                error=error,
            )
            self._count(ok, "retried")
            return
        if isinstance(exc, (Uncertain, WriteRejected)) or not isinstance(exc, HTTPError):
            await self._bury(row, error)
            return
        # A create is made safe to repeat by looking before sending again; an append is not.
        safe = row.kind != "append"
        if isinstance(exc, CircuitOpenError):  # not the write's fault: wait for the breaker
            delay: float | None = exc.half_open_in
        else:
            delay = self.policy.next_delay(exc, row.attempts + 1, safe=safe)
        if delay is None:
            if row.kind == "append" and _outcome_unknown(exc):
                error = f"outcome unknown (blocks may or may not be appended): {error}"
            await self._bury(row, error)
            return
        ok = await self._db(
            self.db.reschedule,
            row.id,
            self.owner,
            state=self._state_after(row, exc),
            next_attempt_at=now + delay,
            error=error,
        )
        self._count(ok, "retried")

    def _state_after(self, row: Row, exc: Exception) -> str:
        """ "sending" while a create may have made its page (look before the next attempt)."""
        if row.kind != "create":
            return "pending"
        if row.id in self._posted:  # the POST itself failed
            return "sending" if _outcome_unknown(exc) else "pending"
        return row.state  # failed before sending (schema, look): what we knew still holds

    async def _bury(self, row: Row, error: str) -> None:
        log.warning(
            "outbox write %s is a dead letter: %s", row.id, error, extra={"action": "outbox_dead"}
        )
        ok = await self._db(self.db.bury, row.id, self.owner, error=error)
        self._count(ok, "dead")


def _outcome_unknown(exc: Exception) -> bool:
    """True when the request may have been applied although it failed.

    Refused for sure: 429/529 and connections never made (``retry_any_method``) and every
    other 4xx answer. Unknown: 5xx, timeouts, resets, a garbled success answer.
    """
    if getattr(type(exc), "retry_any_method", False):
        return False
    return not (isinstance(exc, StatusError) and 400 <= exc.status_code < 500)


def _default_policy() -> RetryPolicy:
    from syncbridge.settings import load_settings

    settings = load_settings()
    return RetryPolicy(max(settings.max_retries, 5), settings.retry_delay, max_delay=300.0)


async def _wait(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), timeout=seconds)
