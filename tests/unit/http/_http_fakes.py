"""Virtual time for the HTTP stack's tests (imported by conftest.py and by tests)."""

from __future__ import annotations

import asyncio
import heapq
import itertools


class FakeClock:
    """Virtual monotonic time: ``sleep`` parks the task until a driver jumps time forward.

    The driver lets every runnable task run, then jumps to the earliest pending wake-up, so
    concurrent sleepers interleave exactly as in real time, in microseconds.
    """

    def __init__(self, start: float = 1000.0) -> None:
        self.now = start
        self.sleeps: list[float] = []
        self._timers: list[tuple[float, int, asyncio.Future[None]]] = []
        self._seq = itertools.count()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        fut = asyncio.get_running_loop().create_future()
        heapq.heappush(self._timers, (self.now + max(0.0, seconds), next(self._seq), fut))
        await fut

    async def drive(self) -> None:
        while True:
            for _ in range(50):  # let every runnable task reach its next await
                await asyncio.sleep(0)
            while self._timers:
                when, _, fut = heapq.heappop(self._timers)
                if not fut.done():
                    self.now = max(self.now, when)
                    fut.set_result(None)
                    break
