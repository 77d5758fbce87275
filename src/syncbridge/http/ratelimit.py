"""Token bucket rate limiter with priority lanes and a whole-bucket pause.

One bucket per credential is shared by every task of the process (see :func:`get_bucket`).
Waiters queue by lane, then arrival: whenever a token becomes free, the first waiter of the
highest lane takes it, so interactive calls and pushes overtake waiting pulls. ``pause(seconds)``
(a 429's Retry-After) holds every waiter of the bucket until the pause ends.

The bucket holds no event-loop-bound primitives (each waiter owns a future of its own loop) and
guards its state with a thread lock, so it may be shared by successive loops and by loops running
in several threads at once.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import threading
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import IntEnum

__all__ = ["BucketSnapshot", "Lane", "TokenBucket", "all_buckets", "get_bucket"]

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Lane(IntEnum):
    """Priority of a request; lower values go first."""

    INTERACTIVE = 0
    PUSH = 1
    PULL = 2


@dataclass(frozen=True)
class BucketSnapshot:
    """A bucket's state for status pages (``name`` is a credential fingerprint, never a secret)."""

    name: str
    rate: float
    burst: int
    tokens: float
    waiting: int
    paused_for: float
    granted: int


@dataclass(order=True)
class _Ticket:
    lane: int
    seq: int
    wakeup: asyncio.Future[None] | None = field(default=None, compare=False)


class TokenBucket:
    """Average ``rate`` requests per second with bursts of up to ``burst``.

    Args:
        rate: tokens added per second.
        burst: bucket capacity; the bucket starts full.
        clock: monotonic seconds (injected in tests).
        sleep: async sleep (injected in tests).
    """

    def __init__(
        self,
        rate: float,
        burst: int = 1,
        *,
        clock: Clock = time.monotonic,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        if rate <= 0:
            raise ValueError(f"TokenBucket rate must be > 0, not {rate}")
        if burst < 1:
            raise ValueError(f"TokenBucket burst must be >= 1, not {burst}")
        self.rate = float(rate)
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock()
        self._paused_until = float("-inf")
        self._queue: list[_Ticket] = []
        self._seq = itertools.count()
        self.granted = 0
        self.waited = 0
        # Guards the state between awaits, so loops in several threads (e.g. a sync facade's
        # background loop beside the application's) may share one credential's bucket.
        self._lock = threading.Lock()

    @property
    def tokens(self) -> float:
        """Tokens available now (fractional)."""
        with self._lock:
            self._refill(self._clock())
            return self._tokens

    @property
    def waiting(self) -> int:
        """Number of callers queued for a token."""
        return len(self._queue)

    def snapshot(self, name: str = "") -> BucketSnapshot:
        """Rate, tokens, waiters, pause and grants, for status pages."""
        return BucketSnapshot(
            name=name,
            rate=self.rate,
            burst=self.burst,
            tokens=self.tokens,
            waiting=self.waiting,
            paused_for=self.paused_for(),
            granted=self.granted,
        )

    def paused_for(self) -> float:
        """Seconds the bucket stays paused (0 when not paused)."""
        return max(0.0, self._paused_until - self._clock())

    def pause(self, seconds: float) -> None:
        """Give no token to anyone for ``seconds`` (extends, never shortens, a running pause).

        The bucket restarts empty after the pause, so the first request after it is a single
        probe rather than a burst.
        """
        if seconds <= 0:
            return
        with self._lock:
            now = self._clock()
            self._paused_until = max(self._paused_until, now + seconds)
            self._tokens = min(self._tokens, 0.0)
            self._updated = self._paused_until - 1.0 / self.rate  # one token ready when it ends

    async def acquire(self, lane: Lane = Lane.INTERACTIVE) -> None:
        """Wait for a token; callers of a higher lane waiting at the same time go first."""
        with self._lock:
            if not self._queue and self._wait_time(self._clock()) <= 0:
                self._take()
                return
            ticket = _Ticket(int(lane), next(self._seq))
            heapq.heappush(self._queue, ticket)
            self.waited += 1
        try:
            while True:
                with self._lock:
                    wakeup = None
                    if self._queue[0] is not ticket:
                        # Created under the lock: the head leaving later always sees it.
                        wakeup = ticket.wakeup = asyncio.get_running_loop().create_future()
                    else:
                        wait = self._wait_time(self._clock())
                        if wait <= 0:
                            self._take()
                            return
                if wakeup is not None:
                    await wakeup
                else:
                    await self._sleep(wait)
        finally:
            with self._lock:
                head = self._leave(ticket)
            if head is not None:
                _wake(head)

    def _take(self) -> None:
        self._tokens -= 1.0
        self.granted += 1

    def _leave(self, ticket: _Ticket) -> asyncio.Future[None] | None:
        """Remove ``ticket``; the new head's wake-up future when the head changed."""
        was_head = bool(self._queue) and self._queue[0] is ticket
        self._queue.remove(ticket)
        heapq.heapify(self._queue)
        if was_head and self._queue:
            return self._queue[0].wakeup
        return None

    def _refill(self, now: float) -> None:
        if now < self._paused_until:
            return
        if now > self._updated:
            self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
            self._updated = now

    def _wait_time(self, now: float) -> float:
        """Seconds until a token is available (<= 0: available now)."""
        if now < self._paused_until:
            return self._paused_until - now
        self._refill(now)
        if self._tokens >= 1.0 - 1e-9:  # float drift must not cause a second tiny sleep
            return 0.0
        return (1.0 - self._tokens) / self.rate


def _wake(future: asyncio.Future[None]) -> None:
    """Resolve a waiter's future from any thread (its own loop does the resolving)."""
    loop = future.get_loop()
    try:
        same_loop = asyncio.get_running_loop() is loop
    except RuntimeError:
        same_loop = False
    if same_loop:
        _resolve(future)
    elif not loop.is_closed():
        loop.call_soon_threadsafe(_resolve, future)


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


_buckets: dict[str, TokenBucket] = {}
_buckets_lock = threading.Lock()


def get_bucket(credential: str, rate: float, burst: int) -> TokenBucket:
    """The process-wide bucket of a credential fingerprint (created on first use)."""
    with _buckets_lock:
        bucket = _buckets.get(credential)
        if bucket is None:
            bucket = _buckets[credential] = TokenBucket(rate, burst)
        return bucket


def all_buckets() -> list[BucketSnapshot]:
    """Snapshots of every shared bucket of the process, named by host and credential fingerprint."""
    with _buckets_lock:
        buckets = list(_buckets.items())
    return [bucket.snapshot(name) for name, bucket in buckets]
