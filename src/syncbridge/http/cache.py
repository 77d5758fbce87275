"""In-memory response cache for GETs, with a lifetime chosen per call.

Why not hishel: it caches by HTTP semantics (Cache-Control of the answer, which Notion does not
send usefully) with one policy per client, reads the wall clock itself, and keys by URL, not by
credential. Here the caller states the lifetime (``cache_ttl``), entries are keyed by
(credential fingerprint, full URL) so tenants never share an answer, and the clock is injected.

Invalidation: a successful write (POST/PUT/PATCH/DELETE) to a URL path evicts the cached GETs of
that same path for every credential — e.g. ``PATCH /v1/pages/{id}`` evicts ``GET /v1/pages/{id}``.
Writes that change other resources (a page create changing a query's results) evict nothing;
keep such lifetimes short or pass ``bypass_cache=True``.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass

import httpx

__all__ = ["CacheStats", "ResponseCache", "cache_key"]


@dataclass(frozen=True)
class _Entry:
    expires: float
    status_code: int
    headers: tuple[tuple[str, str], ...]
    content: bytes
    path: str


@dataclass(frozen=True)
class CacheStats:
    """Counters for status pages."""

    entries: int
    hits: int
    misses: int


def cache_key(credential: str, url: httpx.URL) -> tuple[str, str]:
    """The key of a GET: credential fingerprint and the URL with its query sorted."""
    params: list[tuple[str, str | int | float | bool | None]] = sorted(url.params.multi_items())
    return credential, str(url.copy_with(params=httpx.QueryParams(params) if params else None))


class ResponseCache:
    """LRU cache of successful GET answers with per-entry lifetimes.

    Args:
        max_entries: the least recently used entries beyond this are dropped.
        clock: monotonic seconds (injected in tests).
    """

    def __init__(self, max_entries: int = 2048, *, clock: Callable[[], float] = time.monotonic):
        self.max_entries = max_entries
        self._clock = clock
        self._entries: OrderedDict[tuple[str, str], _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = 0
        self.misses = 0

    def get(self, credential: str, request: httpx.Request) -> httpx.Response | None:
        """A fresh copy of the cached answer to this GET, or None."""
        key = cache_key(credential, request.url)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None or entry.expires <= self._clock():
                if entry is not None:
                    del self._entries[key]
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
        return httpx.Response(
            entry.status_code, headers=list(entry.headers), content=entry.content, request=request
        )

    def put(self, credential: str, response: httpx.Response, ttl: float) -> None:
        """Keep a successful (2xx) answer for ``ttl`` seconds; other answers are not kept."""
        if ttl <= 0 or not response.is_success:
            return
        request = response.request
        entry = _Entry(
            expires=self._clock() + ttl,
            status_code=response.status_code,
            headers=tuple(response.headers.multi_items()),
            content=response.content,
            path=request.url.path,
        )
        key = cache_key(credential, request.url)
        with self._lock:
            self._entries[key] = entry
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)

    def invalidate_path(self, host: str, path: str) -> int:
        """Drop every cached GET of ``path`` on ``host`` (any credential, any query); the count."""
        with self._lock:
            doomed = [
                key
                for key, entry in self._entries.items()
                if entry.path == path and httpx.URL(key[1]).host == host
            ]
            for key in doomed:
                del self._entries[key]
        return len(doomed)

    def clear(self) -> None:
        """Drop everything."""
        with self._lock:
            self._entries.clear()

    def stats(self) -> CacheStats:
        """Entry count, hits and misses."""
        with self._lock:
            return CacheStats(entries=len(self._entries), hits=self.hits, misses=self.misses)
