"""The one retry policy, shared by the HTTP client (``call``) and the outbox (``next_delay``).

What is retried is read from the exception's class attributes (see :mod:`syncbridge.http.errors`):

* not ``transient`` → never retried;
* ``retry_any_method`` (429, 529, a connection never made) → retried whatever the method;
* any other transient error (5xx, timeouts, resets) → retried only when the request is ``safe``.

How long to wait: a server's ``Retry-After`` exactly (never shortened, never capped); otherwise
exponential backoff with full jitter, ``rng() * min(max_delay, base_delay * 2**(attempt-1))``.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Awaitable, Callable
from typing import TypeVar

from tenacity import AsyncRetrying, RetryCallState, stop_never

__all__ = ["OnRetry", "RetryPolicy"]

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]
OnRetry = Callable[[BaseException, int, float], None]
"""Called before each retry sleep with (error, failed attempt number, delay in seconds)."""


class RetryPolicy:
    """Decides whether and when to try again.

    Args:
        max_retries: retries after the first attempt (so at most ``max_retries + 1`` attempts).
        base_delay: first backoff step in seconds.
        max_delay: cap of the computed backoff (a server's Retry-After is never capped).
        max_retry_after: give up rather than wait when the server asks for longer than this;
            None waits whatever it asks.
        sleep: async sleep (injected in tests).
        rng: uniform [0, 1) source for the jitter (injected in tests).
    """

    def __init__(
        self,
        max_retries: int,
        base_delay: float,
        max_delay: float = 60.0,
        *,
        max_retry_after: float | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: Callable[[], float] = random.random,
    ) -> None:
        if max_retries < 0 or base_delay < 0 or max_delay < 0:
            raise ValueError("RetryPolicy: max_retries, base_delay and max_delay must be >= 0")
        self.max_retries = max_retries
        self.base_delay = base_delay
        self.max_delay = max_delay
        self.max_retry_after = max_retry_after
        self._sleep = sleep
        self._rng = rng

    @staticmethod
    def is_retryable(exc: BaseException, *, safe: bool) -> bool:
        """Whether ``exc``'s class allows another attempt of a (safe or unsafe) request."""
        cls = type(exc)
        if not getattr(cls, "transient", False):
            return False
        return safe or bool(getattr(cls, "retry_any_method", False))

    def backoff(self, attempt: int) -> float:
        """Full-jitter exponential backoff after failed attempt number ``attempt`` (1-based)."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** min(attempt - 1, 62))
        return float(self._rng() * ceiling)

    def next_delay(self, exc: BaseException, attempt: int, *, safe: bool) -> float | None:
        """Seconds to wait before the next attempt, or None to give up.

        Args:
            exc: the error of the failed attempt.
            attempt: number of attempts made so far (1 after the first failure).
            safe: whether repeating the request cannot do harm (idempotent or read-only).
        """
        if attempt > self.max_retries or not self.is_retryable(exc, safe=safe):
            return None
        retry_after = getattr(exc, "retry_after", None)
        if retry_after is not None:
            wait = max(0.0, float(retry_after))
            if self.max_retry_after is not None and wait > self.max_retry_after:
                return None
            return wait
        return self.backoff(attempt)

    async def call(
        self,
        fn: Callable[[], Awaitable[T]],
        *,
        safe: bool,
        on_retry: OnRetry | None = None,
    ) -> T:
        """Run ``fn`` until it succeeds or the policy gives up; the last error is re-raised."""
        delays: dict[int, float] = {}

        def should_retry(state: RetryCallState) -> bool:
            outcome = state.outcome
            if outcome is None or not outcome.failed:
                return False
            exc = outcome.exception()
            if exc is None:
                return False
            delay = self.next_delay(exc, state.attempt_number, safe=safe)
            if delay is None:
                return False
            delays[state.attempt_number] = delay
            if on_retry is not None:
                on_retry(exc, state.attempt_number, delay)
            return True

        def wait(state: RetryCallState) -> float:
            return delays.pop(state.attempt_number, 0.0)

        retrying = AsyncRetrying(
            sleep=self._sleep,
            stop=stop_never,
            wait=wait,
            retry=should_retry,
            reraise=True,
        )

        async def run() -> T:  # tenacity awaits only coroutine functions, not any callable
            return await fn()

        return await retrying(run)
