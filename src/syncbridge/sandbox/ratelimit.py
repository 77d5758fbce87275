"""Per-token token buckets: Notion's "average of three requests per second, some bursts allowed"."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass

BURST_SECONDS = 3.0  # a bucket holds this many seconds' worth of requests


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class RateLimiter:
    """One token bucket per API token; ``rate`` tokens per second, ``burst`` at most.

    Args:
        rate: Requests per second per token; 0 turns limiting off.
        burst: Bucket size (default ``max(1, round(rate * 3))``).
        monotonic: Time source in seconds (injected so tests run without sleeping).
    """

    def __init__(
        self,
        rate: float,
        *,
        burst: int | None = None,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        if rate < 0:
            raise ValueError(f"rate limit must be >= 0 requests/s, got {rate}")
        self.rate = rate
        self.burst = burst if burst is not None else max(1, round(rate * BURST_SECONDS))
        if self.burst < 1:
            raise ValueError(f"burst must be >= 1, got {self.burst}")
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._buckets: dict[str, _Bucket] = {}

    @property
    def enabled(self) -> bool:
        """False when the rate is 0 (limiting off)."""
        return self.rate > 0

    def acquire(self, key: str) -> float:
        """Take one token for ``key``; returns 0 when allowed, else seconds until one is free."""
        if not self.enabled:
            return 0.0
        now = self._monotonic()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = _Bucket(float(self.burst), now)
            elapsed = max(0.0, now - bucket.stamp)
            bucket.tokens = min(float(self.burst), bucket.tokens + elapsed * self.rate)
            bucket.stamp = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0.0
            return (1 - bucket.tokens) / self.rate

    def reset(self) -> None:
        """Forget every bucket (all tokens start full again)."""
        with self._lock:
            self._buckets.clear()


def retry_after_header(wait: float) -> str:
    """Notion's ``Retry-After``: whole seconds, rounded up, at least 1."""
    return str(max(1, math.ceil(wait)))
