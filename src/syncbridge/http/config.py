"""Configuration of the HTTP stack as small frozen value objects with defaults.

The stack reads no settings itself: callers build a :class:`ClientConfig` (``from_settings``
helps) and pass it in.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import httpx

__all__ = [
    "DEFAULT_CONFIG",
    "BreakerConfig",
    "CacheLifetimes",
    "ClientConfig",
    "Limits",
    "Timeouts",
]


@dataclass(frozen=True)
class Timeouts:
    """Seconds allowed to connect, read, write, and wait for a pooled connection."""

    connect: float = 10.0
    read: float = 60.0
    write: float = 60.0
    pool: float = 30.0

    def to_httpx(self) -> httpx.Timeout:
        """The httpx equivalent."""
        return httpx.Timeout(connect=self.connect, read=self.read, write=self.write, pool=self.pool)


@dataclass(frozen=True)
class Limits:
    """Connection pool size and how long an idle connection is kept."""

    max_connections: int = 20
    max_keepalive_connections: int = 10
    keepalive_expiry: float = 60.0

    def to_httpx(self) -> httpx.Limits:
        """The httpx equivalent."""
        return httpx.Limits(
            max_connections=self.max_connections,
            max_keepalive_connections=self.max_keepalive_connections,
            keepalive_expiry=self.keepalive_expiry,
        )


@dataclass(frozen=True)
class BreakerConfig:
    """When a host's circuit breaker opens, and for how long.

    It opens after ``failure_threshold`` consecutive transient failures, or when at least
    ``min_calls`` calls in the last ``window`` seconds failed at ``failure_ratio`` or more; it
    half-opens (one probe call) ``cooldown`` seconds later. ``enabled=False`` turns it off.
    """

    enabled: bool = True
    failure_threshold: int = 5
    failure_ratio: float = 0.5
    min_calls: int = 20
    window: float = 60.0
    cooldown: float = 30.0

    def __post_init__(self) -> None:
        if self.failure_threshold < 1:
            raise ValueError(
                f"BreakerConfig.failure_threshold must be >= 1, not {self.failure_threshold}"
            )
        if not 0 < self.failure_ratio <= 1:
            raise ValueError(
                f"BreakerConfig.failure_ratio must be in (0, 1], not {self.failure_ratio}"
            )
        if self.window <= 0 or self.cooldown < 0:
            raise ValueError("BreakerConfig.window must be > 0 and cooldown >= 0")


@dataclass(frozen=True)
class CacheLifetimes:
    """Response cache lifetimes in seconds (seed 000): schema 5 min, page 1 min, the rest 30 s."""

    schema: float = 300.0
    page: float = 60.0
    other: float = 30.0


@dataclass(frozen=True)
class ClientConfig:
    """Everything an :class:`~syncbridge.http.client.HttpClient` is tuned by.

    Attributes:
        timeouts: per-phase timeouts.
        limits: connection pool limits.
        rate: requests per second per credential (token bucket); None = no client-side limit.
        burst: bucket size (requests allowed back to back).
        max_retries: retries after the first attempt (``NOTION_MAX_RETRIES``).
        retry_delay: base of the exponential backoff in seconds (``NOTION_RETRY_DELAY``).
        max_retry_delay: cap of the backoff (never applied to a server's Retry-After).
        max_retry_after: give up rather than wait a longer Retry-After; None = always wait.
        breaker: circuit breaker settings.
        cache_lifetimes: the default lifetimes callers pick ``cache_ttl`` from.
        cache_max_entries: response cache size (least recently used entries are dropped).
        headers: default headers on every request.
    """

    timeouts: Timeouts = field(default_factory=Timeouts)
    limits: Limits = field(default_factory=Limits)
    rate: float | None = 3.0
    burst: int = 3
    max_retries: int = 3
    retry_delay: float = 1.0
    max_retry_delay: float = 60.0
    max_retry_after: float | None = None
    breaker: BreakerConfig = field(default_factory=BreakerConfig)
    cache_lifetimes: CacheLifetimes = field(default_factory=CacheLifetimes)
    cache_max_entries: int = 2048
    headers: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if self.rate is not None and self.rate <= 0:
            raise ValueError(f"ClientConfig.rate must be > 0 or None, not {self.rate}")
        if self.burst < 1:
            raise ValueError(f"ClientConfig.burst must be >= 1, not {self.burst}")
        if self.max_retries < 0 or self.retry_delay < 0:
            raise ValueError("ClientConfig.max_retries and retry_delay must be >= 0")

    def with_(self, **changes: Any) -> ClientConfig:
        """A copy with some fields changed."""
        return replace(self, **changes)

    @classmethod
    def from_settings(cls, settings: Any, **changes: Any) -> ClientConfig:
        """Build from a :class:`syncbridge.settings.Settings` (rate, retries, delay, cache)."""
        schema_ttl = float(settings.cache_timeout)
        return cls(
            rate=float(settings.notion_rate_limit),
            max_retries=int(settings.max_retries),
            retry_delay=float(settings.retry_delay),
            cache_lifetimes=CacheLifetimes(
                schema=schema_ttl, page=min(60.0, schema_ttl), other=min(30.0, schema_ttl)
            ),
        ).with_(**changes)


DEFAULT_CONFIG = ClientConfig()
