"""Circuit breaker per host: a small state machine with an injected clock.

Why not a library: ``aiobreaker`` (1.2.0, last release 2021) is unmaintained; ``purgatory``
(3.0.1, 2024) reads ``time.time()`` itself, counts consecutive failures only, and lets every call
through while half-open. We need a failure ratio over a time window, a single half-open probe,
and a clock tests can drive.

States: CLOSED (calls pass) → OPEN after ``failure_threshold`` consecutive failures, or a failure
ratio ≥ ``failure_ratio`` over at least ``min_calls`` calls in the last ``window`` seconds →
HALF_OPEN ``cooldown`` seconds later, when one probe call passes (others still fail fast) →
CLOSED if the probe succeeds, OPEN again if it fails. Only transient failures (5xx, timeouts,
connection errors) count; an answer below 500 (a 404, a 429) proves the host is up.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from syncbridge.http.config import BreakerConfig
from syncbridge.http.errors import CircuitOpenError, StatusError, TransportError

logger = logging.getLogger("syncbridge.http.breaker")

__all__ = [
    "BreakerSnapshot",
    "BreakerState",
    "CircuitBreaker",
    "all_breakers",
    "counts_as_failure",
    "get_breaker",
]


class BreakerState(StrEnum):
    """Where a breaker is."""

    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True)
class BreakerSnapshot:
    """A breaker's state for status pages and metrics."""

    host: str
    state: BreakerState
    consecutive_failures: int
    window_calls: int
    window_failures: int
    times_opened: int
    half_open_in: float | None


def counts_as_failure(exc: BaseException) -> bool:
    """True for failures that say the host is unhealthy: transport errors and 5xx answers."""
    if isinstance(exc, TransportError):
        return True
    return isinstance(exc, StatusError) and exc.status_code >= 500


class CircuitBreaker:
    """Breaker of one host.

    Use: ``before_call()`` (raises CircuitOpenError while open), then exactly one of
    ``record_success()``, ``record_failure(exc)`` or ``release()`` (outcome says nothing, e.g. the
    call was cancelled).
    """

    def __init__(
        self,
        host: str,
        config: BreakerConfig | None = None,
        *,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.host = host
        self.config = config or BreakerConfig()
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._window: deque[tuple[float, bool]] = deque()
        self._opened_at = 0.0
        self._probe_out = False
        self._times_opened = 0
        self._lock = threading.Lock()

    @property
    def state(self) -> BreakerState:
        """Current state (OPEN turns HALF_OPEN once the cool-down has passed)."""
        with self._lock:
            return self._current(self._clock())

    def snapshot(self) -> BreakerSnapshot:
        """State and counts, consistent with each other."""
        with self._lock:
            now = self._clock()
            state = self._current(now)
            self._trim(now)
            half_open_in = None
            if state is BreakerState.OPEN:
                half_open_in = self._opened_at + self.config.cooldown - now
            return BreakerSnapshot(
                host=self.host,
                state=state,
                consecutive_failures=self._consecutive,
                window_calls=len(self._window),
                window_failures=sum(1 for _, failed in self._window if failed),
                times_opened=self._times_opened,
                half_open_in=half_open_in,
            )

    def before_call(self) -> None:
        """Let a call through, or raise CircuitOpenError naming the host and when it half-opens."""
        if not self.config.enabled:
            return
        with self._lock:
            now = self._clock()
            state = self._current(now)
            if state is BreakerState.CLOSED:
                return
            if state is BreakerState.HALF_OPEN and not self._probe_out:
                self._probe_out = True
                return
            wait = max(0.0, self._opened_at + self.config.cooldown - now)
        raise CircuitOpenError(self.host, wait)

    def record_success(self) -> None:
        """The call got an answer that shows the host is up."""
        with self._lock:
            now = self._clock()
            if self._current(now) is not BreakerState.CLOSED:
                self._close()
                logger.info(
                    "circuit for %s closed",
                    self.host,
                    extra={"action": "breaker_close", "host": self.host},
                )
            self._consecutive = 0
            self._add(now, failed=False)

    def record_failure(self, exc: BaseException) -> None:
        """The call failed; only failures for which :func:`counts_as_failure` holds count."""
        if not counts_as_failure(exc):
            self.record_success() if isinstance(exc, StatusError) else self.release()
            return
        with self._lock:
            now = self._clock()
            state = self._current(now)
            self._probe_out = False
            if state is BreakerState.HALF_OPEN:
                self._open(now)
                return
            self._consecutive += 1
            self._add(now, failed=True)
            if state is BreakerState.CLOSED and self._should_open(now):
                self._open(now)

    def release(self) -> None:
        """The call ended without telling anything about the host (cancelled, local error)."""
        with self._lock:
            self._probe_out = False

    def reset(self) -> None:
        """Close the breaker and forget every count."""
        with self._lock:
            self._close()

    def _current(self, now: float) -> BreakerState:
        if self._state is BreakerState.OPEN and now >= self._opened_at + self.config.cooldown:
            self._state = BreakerState.HALF_OPEN
            self._probe_out = False
        return self._state

    def _should_open(self, now: float) -> bool:
        cfg = self.config
        if self._consecutive >= cfg.failure_threshold:
            return True
        self._trim(now)
        calls = len(self._window)
        if calls < cfg.min_calls:
            return False
        failures = sum(1 for _, failed in self._window if failed)
        return failures / calls >= cfg.failure_ratio

    def _open(self, now: float) -> None:
        self._state = BreakerState.OPEN
        self._opened_at = now
        self._probe_out = False
        self._times_opened += 1
        logger.warning(
            "circuit for %s opened; half-opens in %.1f s",
            self.host,
            self.config.cooldown,
            extra={"action": "breaker_open", "host": self.host},
        )

    def _close(self) -> None:
        self._state = BreakerState.CLOSED
        self._consecutive = 0
        self._window.clear()
        self._probe_out = False

    def _add(self, now: float, *, failed: bool) -> None:
        self._window.append((now, failed))
        self._trim(now)

    def _trim(self, now: float) -> None:
        horizon = now - self.config.window
        while self._window and self._window[0][0] < horizon:
            self._window.popleft()


_breakers: dict[str, CircuitBreaker] = {}
_breakers_lock = threading.Lock()


def get_breaker(host: str, config: BreakerConfig) -> CircuitBreaker:
    """The process-wide breaker of a host (``scheme://host:port``), created on first use."""
    with _breakers_lock:
        breaker = _breakers.get(host)
        if breaker is None:
            breaker = _breakers[host] = CircuitBreaker(host, config)
        return breaker


def all_breakers() -> list[BreakerSnapshot]:
    """Snapshots of every host breaker of the process, for status pages."""
    with _breakers_lock:
        breakers = list(_breakers.values())
    return [b.snapshot() for b in breakers]
