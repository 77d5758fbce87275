"""Sync history: one ``sb_sync_runs`` row per run, opened when it starts, closed with its result."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from syncbridge.store.models import NotionDatabase, RunStatus, SyncRun

# The counters a finished run may carry (the columns of sb_sync_runs with those names).
COUNTERS = (
    "pages_seen",
    "inserted",
    "updated",
    "unchanged",
    "tombstoned",
    "pushed",
    "conflicts",
    "requests",
    "rate_limited",
    "retries",
)


def start_run(
    engine: Engine, database_id: int, data_source_id: int | None, mode: str, trigger: str
) -> int:
    """Record that a run began (status ``running``); returns its id."""
    with Session(engine) as session, session.begin():
        run = SyncRun(
            database_id=database_id,
            data_source_id=data_source_id,
            mode=mode,
            trigger=trigger,
            status=RunStatus.RUNNING.value,
            started_at=datetime.now(UTC),
        )
        session.add(run)
        session.flush()
        return int(run.id)


def finish_run(
    engine: Engine,
    run_id: int,
    *,
    status: str,
    mode: str,
    error: str | None,
    ended_at: datetime,
    **counts: int,
) -> None:
    """Close a run with its outcome and counters (unknown counter names are refused)."""
    unknown = set(counts) - set(COUNTERS)
    if unknown:
        raise ValueError(f"unknown sync-run counters: {sorted(unknown)}")
    with Session(engine) as session, session.begin():
        run = session.get(SyncRun, run_id)
        if run is None:
            raise LookupError(f"no sync run with id {run_id}")
        run.status = status
        run.mode = mode
        run.error = error
        run.ended_at = ended_at
        run.duration_seconds = (ended_at - run.started_at).total_seconds()
        for name, value in counts.items():
            setattr(run, name, value)


def recent_runs(
    engine: Engine, *, database_id: int | None = None, limit: int = 50
) -> list[dict[str, Any]]:
    """The latest runs, newest first, as JSON-ready dicts (with the database's name)."""
    query = (
        sa.select(SyncRun, NotionDatabase.name)
        .join(NotionDatabase, NotionDatabase.id == SyncRun.database_id)
        .order_by(SyncRun.started_at.desc(), SyncRun.id.desc())
        .limit(limit)
    )
    if database_id is not None:
        query = query.where(SyncRun.database_id == database_id)
    out = []
    with Session(engine) as session:
        for run, name in session.execute(query):
            item = {
                "id": run.id,
                "database_id": run.database_id,
                "database": name,
                "data_source_id": run.data_source_id,
                "mode": run.mode,
                "trigger": run.trigger,
                "status": run.status,
                "started_at": run.started_at.isoformat(),
                "ended_at": run.ended_at.isoformat() if run.ended_at else None,
                "duration_seconds": run.duration_seconds,
                "error": run.error,
            }
            item.update({name: getattr(run, name) for name in COUNTERS})
            out.append(item)
    return out
