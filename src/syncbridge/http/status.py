"""One read-only view of the HTTP stack's shared state, for ``status``/``health`` and metrics."""

from __future__ import annotations

from dataclasses import dataclass

from syncbridge.http.breaker import BreakerSnapshot, all_breakers
from syncbridge.http.cache import CacheStats
from syncbridge.http.client import shared_cache
from syncbridge.http.ratelimit import BucketSnapshot, all_buckets

__all__ = ["StackStatus", "stack_status"]


@dataclass(frozen=True)
class StackStatus:
    """Breakers per host, token buckets per credential, and the shared response cache."""

    breakers: list[BreakerSnapshot]
    buckets: list[BucketSnapshot]
    cache: CacheStats

    @property
    def open_circuits(self) -> list[str]:
        """Hosts whose breaker is not closed."""
        return [b.host for b in self.breakers if b.state != "closed"]


def stack_status() -> StackStatus:
    """The current state of every shared breaker, bucket and the cache."""
    return StackStatus(breakers=all_breakers(), buckets=all_buckets(), cache=shared_cache().stats())
