"""Sync a registered database: pull each data source, then queue its local edits (push).

Each data source is pulled first (rows with local edits are merged, conflicts settled by the
database's strategy), then its local edits are queued in the outbox; ``syncbridge worker``
delivers them. Each data source's run is recorded in the history.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
from collections.abc import Callable

from sqlalchemy import Engine

from syncbridge.http.metrics import MetricsHook
from syncbridge.notion.client import NotionClient
from syncbridge.outbox.queue import Outbox
from syncbridge.store import history
from syncbridge.store.registry import get_database
from syncbridge.sync.pull import PullOptions, pull
from syncbridge.sync.push import PushResult, open_outbox, push
from syncbridge.sync.results import PullResult, RequestCounter, SyncResult

log = logging.getLogger(__name__)

ClientFactory = Callable[[MetricsHook], NotionClient]
"""Makes a Notion client reporting to the given metrics hook (one per run, to count requests)."""


async def sync_database(
    engine: Engine,
    make_client: ClientFactory,
    ident: str | int,
    options: PullOptions | None = None,
    *,
    trigger: str = "manual",
    outbox: Outbox | None = None,
    push_changes: bool = True,
) -> SyncResult:
    """Pull every data source of the database ``ident`` (our id or the Notion id), then push.

    ``outbox`` defaults to the store's own; ``push_changes=False`` only pulls. A full pull
    (``options.mode == "full"``) also compares every row with its base before pushing.

    Raises:
        UnknownDatabaseError: no database is registered under ``ident``.
    """
    db = get_database(engine, ident)
    options = options or PullOptions()
    if db.fetch_content and not options.fetch_content:
        options = dataclasses.replace(options, fetch_content=True)
    pulls: list[PullResult] = []
    pushes: list[PushResult] = []
    box = outbox or (open_outbox(engine) if push_changes else None)
    for ds in db.data_sources:
        run_id = history.start_run(engine, db.id, ds.id, options.mode or "auto", trigger)
        counter = RequestCounter()
        result = await pull(engine, make_client(counter), ds.id, options, counter)
        pushed = None
        status, error = result.status, result.error
        if box is not None and result.status == "succeeded":
            full = options.mode == "full"
            pushed = await asyncio.to_thread(_push, engine, ds.id, box, full, outbox is None)
            pushes.append(pushed)
            if pushed.error is not None:
                status, error = "failed", pushed.error
        history.finish_run(
            engine,
            run_id,
            status=status,
            mode=result.mode,
            error=error,
            ended_at=result.ended_at,
            pages_seen=result.pages_seen,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            tombstoned=result.tombstoned,
            requests=result.requests,
            rate_limited=result.rate_limited,
            retries=result.retries,
            pushed=pushed.queued if pushed else 0,
            conflicts=result.conflicts,
        )
        pulls.append(result)
    if box is not None and outbox is None:
        box.close()
    return SyncResult(database_id=db.id, name=db.name, pulls=tuple(pulls), pushes=tuple(pushes))


def _push(engine: Engine, ds_id: int, box: Outbox, full: bool, owned: bool) -> PushResult:
    """Push one data source (in a worker thread); a failure is recorded, not raised."""
    try:
        return push(engine, ds_id, box, full=full)
    except Exception as exc:  # recorded in the run's result, like a failed pull
        log.error("push of data source %s failed: %s", ds_id, exc, extra={"action": "push.failed"})
        return PushResult(data_source_id=ds_id, table="", error=f"{type(exc).__name__}: {exc}")
    finally:
        if owned:
            box.close()  # this thread's outbox connection
