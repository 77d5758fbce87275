"""Per-request metrics: a hook protocol, a no-op default and an in-memory aggregator.

Every request made through :class:`~syncbridge.http.client.HttpClient` reports one
:class:`RequestRecord` when it ends (after its retries): method, route template, final status
(None when no answer came), duration, retries and 429s. The monitoring layer plugs a hook that
feeds Prometheus; tests and status pages use :class:`InMemoryMetrics`.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Protocol

__all__ = [
    "NULL_METRICS",
    "InMemoryMetrics",
    "MetricsHook",
    "NullMetrics",
    "RequestRecord",
    "RouteStats",
    "route_template",
]


@dataclass(frozen=True)
class RequestRecord:
    """One logical request (all its attempts).

    Attributes:
        method: HTTP method.
        host: ``host[:port]`` of the server.
        route: path template, e.g. ``/v1/pages/{id}`` (ids never make new label values).
        status: final HTTP status, or None when no answer came.
        duration: seconds from first attempt to outcome, waits included.
        attempts: attempts made (1 = no retry).
        rate_limited: how many of the attempts got a 429.
        error: class name of the error raised, None on success.
        cached: answered from the response cache.
    """

    method: str
    host: str
    route: str
    status: int | None
    duration: float
    attempts: int = 1
    rate_limited: int = 0
    error: str | None = None
    cached: bool = False

    @property
    def retries(self) -> int:
        """Attempts after the first."""
        return self.attempts - 1


class MetricsHook(Protocol):
    """Receives one record per request; must be fast and must not raise."""

    def record(self, record: RequestRecord) -> None:
        """Take one finished request."""


class NullMetrics:
    """Discards everything (the default)."""

    def record(self, record: RequestRecord) -> None:
        """Ignore the record."""


NULL_METRICS = NullMetrics()


@dataclass
class RouteStats:
    """Aggregates of one (method, route)."""

    requests: int = 0
    errors: int = 0
    retries: int = 0
    rate_limited: int = 0
    cached: int = 0
    total_seconds: float = 0.0
    max_seconds: float = 0.0


class InMemoryMetrics:
    """Aggregates records per (method, route) and counts statuses; keeps the last records."""

    def __init__(self, keep: int = 1000) -> None:
        self._lock = threading.Lock()
        self._keep = keep
        self.records: list[RequestRecord] = []
        self.routes: dict[tuple[str, str], RouteStats] = {}
        self.statuses: dict[int | None, int] = {}

    def record(self, record: RequestRecord) -> None:
        """Add one record to the aggregates."""
        with self._lock:
            self.records.append(record)
            if len(self.records) > self._keep:
                del self.records[: len(self.records) - self._keep]
            stats = self.routes.setdefault((record.method, record.route), RouteStats())
            stats.requests += 1
            stats.errors += record.error is not None
            stats.retries += record.retries
            stats.rate_limited += record.rate_limited
            stats.cached += record.cached
            stats.total_seconds += record.duration
            stats.max_seconds = max(stats.max_seconds, record.duration)
            self.statuses[record.status] = self.statuses.get(record.status, 0) + 1

    def totals(self) -> RouteStats:
        """Sum over every route."""
        out = RouteStats()
        with self._lock:
            for s in self.routes.values():
                out.requests += s.requests
                out.errors += s.errors
                out.retries += s.retries
                out.rate_limited += s.rate_limited
                out.cached += s.cached
                out.total_seconds += s.total_seconds
                out.max_seconds = max(out.max_seconds, s.max_seconds)
        return out


_ID_SEGMENT = re.compile(
    r"^(?:[0-9a-fA-F]{32}|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
    r"|\d+|[A-Za-z0-9_\-%]*\d[A-Za-z0-9_\-%]{15,})$"
)


def route_template(path: str) -> str:
    """Replace id-like path segments (UUIDs, numbers, long tokens) with ``{id}``."""
    return "/".join("{id}" if _ID_SEGMENT.match(seg) else seg for seg in path.split("/"))
