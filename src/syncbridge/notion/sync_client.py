"""``SyncNotionClient``: the async client, usable from plain synchronous code.

Nothing here knows an endpoint. The facade owns a private event loop running in a daemon thread
and wraps the async client: attribute access returns wrapped namespaces, a call whose result is
awaitable is run on that loop and waited for, and an async iterator becomes a plain iterator.
So every method of :class:`~syncbridge.notion.client.NotionClient` — today's and tomorrow's —
exists here with the same name and arguments::

    notion = SyncNotionClient(token)
    me = notion.users.me()
    for row in notion.scan_data_source(data_source_id):
        ...
    notion.close()

Calls may come from any number of threads; they are served by the one loop, so the token bucket
and connection pool stay shared. Do not call it from inside a running event loop's thread of the
facade itself (that would wait on itself); async code should use ``NotionClient``.
"""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import Future
from typing import Any, TypeVar

from syncbridge.http.client import close_clients
from syncbridge.notion.client import NotionClient

__all__ = ["SyncNotionClient"]

T = TypeVar("T")


class _LoopThread:
    """An event loop running forever in a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._run, name="syncbridge-notion-loop", daemon=True
        )
        self._thread.start()

    def _run(self) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.run_forever()

    def run(self, awaitable: Any) -> Any:
        if threading.current_thread() is self._thread:
            raise RuntimeError("SyncNotionClient called from its own event loop; await instead")
        future: Future[Any] = asyncio.run_coroutine_threadsafe(_await(awaitable), self.loop)
        return future.result()

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)
        self.loop.close()


async def _await(awaitable: Any) -> Any:
    return await awaitable


def _unwrap(value: Any) -> Any:
    """A wrapped callable passed back in (``notion.iterate(notion.users.list)``) → the original."""
    return value._target if isinstance(value, _Proxy) else value


class _Proxy:
    """Wraps any object of the async client; calls run on the facade's loop."""

    __slots__ = ("_runner", "_target")

    def __init__(self, target: Any, runner: _LoopThread) -> None:
        self._target = target
        self._runner = runner

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        if callable(value) or _is_namespace(value):
            return _Proxy(value, self._runner)
        return value

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        result = self._target(
            *[_unwrap(a) for a in args], **{k: _unwrap(v) for k, v in kwargs.items()}
        )
        if inspect.isawaitable(result):
            return self._runner.run(result)
        if isinstance(result, AsyncIterator):
            return self._iterate(result)
        return result

    def _iterate(self, iterator: AsyncIterator[T]) -> Iterator[T]:
        try:
            while True:
                try:
                    yield self._runner.run(iterator.__anext__())
                except StopAsyncIteration:
                    return
        finally:
            closer = getattr(iterator, "aclose", None)
            if closer is not None and not self._runner.loop.is_closed():
                self._runner.run(closer())

    def __dir__(self) -> list[str]:
        return [name for name in dir(self._target) if not name.startswith("_")]

    def __repr__(self) -> str:
        return f"<sync {self._target!r}>"


def _is_namespace(value: Any) -> bool:
    return type(value).__module__.startswith("syncbridge.notion")


class SyncNotionClient(_Proxy):
    """Synchronous facade over :class:`NotionClient`; takes the same arguments.

    Use as a context manager or call :meth:`close` to stop the private loop.
    """

    __slots__ = ()

    def __init__(self, token: str | None = None, **kwargs: Any) -> None:
        runner = _LoopThread()
        try:
            client = runner.run(_build(token, kwargs))
        except BaseException:
            runner.stop()
            raise
        super().__init__(client, runner)

    def close(self) -> None:
        """Close the pooled connections and stop the private event loop (idempotent)."""
        if not self._runner.loop.is_closed():
            self._runner.run(close_clients())
        self._runner.stop()

    def __enter__(self) -> SyncNotionClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


async def _build(token: str | None, kwargs: dict[str, Any]) -> NotionClient:
    # Built on the loop that will run it: pooled HTTP clients belong to one event loop.
    return NotionClient(token, **kwargs)
