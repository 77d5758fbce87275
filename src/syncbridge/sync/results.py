"""Typed results of sync steps: what history, metrics, the CLI and the API all read."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from syncbridge.http.metrics import RequestRecord

PullMode = Literal["full", "incremental"]
RunOutcome = Literal["succeeded", "failed", "aborted"]


@dataclass(frozen=True)
class PullResult:
    """One pull of one data source into its mirror table.

    ``status`` is ``aborted`` when a safety rule halted the run (e.g. it would have tombstoned
    more than the allowed share of rows); ``error`` then says why.
    """

    data_source_id: int
    notion_data_source_id: str
    table: str
    mode: PullMode
    status: RunOutcome
    started_at: datetime
    ended_at: datetime
    pages_seen: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    tombstoned: int = 0
    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    resumed: bool = False
    conflicts: int = 0  # properties edited on both sides (see sync.merge)
    schema_changes: tuple[str, ...] = ()
    error: str | None = None

    @property
    def duration(self) -> float:
        """Seconds the pull took."""
        return (self.ended_at - self.started_at).total_seconds()

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times in ISO-8601, duration in seconds)."""
        data = asdict(self)
        data["started_at"] = self.started_at.isoformat()
        data["ended_at"] = self.ended_at.isoformat()
        data["schema_changes"] = list(self.schema_changes)
        data["duration"] = round(self.duration, 3)
        return data


@dataclass(frozen=True)
class SyncResult:
    """One sync of a registered database: a pull per data source."""

    database_id: int
    name: str
    pulls: tuple[PullResult, ...]
    pushes: tuple[Any, ...] = ()  # sync.push.PushResult per data source (after its pull)

    @property
    def ok(self) -> bool:
        """True when every pull (and every push) succeeded."""
        pulled = all(p.status == "succeeded" for p in self.pulls)
        return pulled and all(getattr(p, "error", None) is None for p in self.pushes)

    def total(self, field_name: str) -> int:
        """The sum of one counter over the pulls, e.g. ``total("inserted")``."""
        return sum(int(getattr(p, field_name)) for p in self.pulls)

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict with per-data-source results."""
        return {
            "database_id": self.database_id,
            "name": self.name,
            "ok": self.ok,
            "pulls": [p.as_json() for p in self.pulls],
            "pushes": [p.as_json() for p in self.pushes],
        }


@dataclass
class RequestCounter:
    """A metrics hook counting one run's requests, 429s and retries."""

    requests: int = 0
    rate_limited: int = 0
    retries: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def record(self, record: RequestRecord) -> None:
        """Count one finished request (all its attempts)."""
        if record.cached:
            return
        with self._lock:
            self.requests += record.attempts
            self.rate_limited += record.rate_limited
            self.retries += record.retries
