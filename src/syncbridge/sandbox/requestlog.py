"""The request log behind ``GET /_sandbox/requests``: what was asked, how it was answered."""

from __future__ import annotations

import functools
import hashlib
import threading
from collections import deque
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any


@functools.lru_cache(maxsize=64)
def token_id(token: str | None) -> str | None:
    """A stable, non-reversible name for a token ("tok_1a2b3c4d"); never the token itself."""
    if not token:
        return None
    return "tok_" + hashlib.sha256(token.encode()).hexdigest()[:8]


@dataclass(frozen=True)
class LogEntry:
    """One answered request."""

    seq: int
    time: str
    request_id: str
    method: str
    path: str
    status: int | None  # None: no answer was sent (reset, client gave up)
    token: str | None  # token_id(), never the token
    duration_ms: float
    retry_after: int | None = None
    fault: str | None = None

    def to_json(self) -> dict[str, Any]:
        """The entry as ``GET /_sandbox/requests`` shows it."""
        return asdict(self)


class RequestLog:
    """A bounded, thread-safe, in-memory log of requests, oldest first.

    Args:
        capacity: Entries kept; older ones are dropped.
    """

    def __init__(self, capacity: int = 10_000) -> None:
        self._lock = threading.Lock()
        self._entries: deque[LogEntry] = deque(maxlen=capacity)
        self._seq = 0

    def add(self, **fields: Any) -> LogEntry:
        """Append an entry (all LogEntry fields except ``seq``); returns it."""
        with self._lock:
            self._seq += 1
            entry = LogEntry(seq=self._seq, **fields)
            self._entries.append(entry)
            return entry

    def entries(
        self, *, since: int | datetime | None = None, limit: int | None = None
    ) -> list[LogEntry]:
        """Entries after sequence number ``since`` (or at/after a time), oldest first.

        Without ``since``, the last ``limit`` entries; with it, the first ``limit`` after it.
        """
        with self._lock:
            items = list(self._entries)
        if isinstance(since, int):
            items = [e for e in items if e.seq > since]
        elif isinstance(since, datetime):
            items = [e for e in items if _parse(e.time) >= since]
        if limit is not None:
            items = items[:limit] if since is not None else items[-limit:] if limit else []
        return items

    def clear(self) -> None:
        """Drop every entry (sequence numbers keep counting)."""
        with self._lock:
            self._entries.clear()


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))
