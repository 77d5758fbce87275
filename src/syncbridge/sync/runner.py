"""Sync a registered database: pull each data source, record each run in the history."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Engine

from syncbridge.http.metrics import MetricsHook
from syncbridge.notion.client import NotionClient
from syncbridge.store import history
from syncbridge.store.registry import get_database
from syncbridge.sync.pull import PullOptions, pull
from syncbridge.sync.results import PullResult, RequestCounter, SyncResult

ClientFactory = Callable[[MetricsHook], NotionClient]
"""Makes a Notion client reporting to the given metrics hook (one per run, to count requests)."""


async def sync_database(
    engine: Engine,
    make_client: ClientFactory,
    ident: str | int,
    options: PullOptions | None = None,
    *,
    trigger: str = "manual",
) -> SyncResult:
    """Pull every data source of the database ``ident`` (our id or the Notion id).

    Raises:
        UnknownDatabaseError: no database is registered under ``ident``.
    """
    db = get_database(engine, ident)
    options = options or PullOptions(fetch_content=db.fetch_content)
    if db.fetch_content and not options.fetch_content:
        options = PullOptions(**{**options.__dict__, "fetch_content": True})
    pulls: list[PullResult] = []
    for ds in db.data_sources:
        run_id = history.start_run(engine, db.id, ds.id, options.mode or "auto", trigger)
        counter = RequestCounter()
        result = await pull(engine, make_client(counter), ds.id, options, counter)
        history.finish_run(
            engine,
            run_id,
            status=result.status,
            mode=result.mode,
            error=result.error,
            ended_at=result.ended_at,
            pages_seen=result.pages_seen,
            inserted=result.inserted,
            updated=result.updated,
            unchanged=result.unchanged,
            tombstoned=result.tombstoned,
            requests=result.requests,
            rate_limited=result.rate_limited,
            retries=result.retries,
        )
        pulls.append(result)
    return SyncResult(database_id=db.id, name=db.name, pulls=tuple(pulls))
