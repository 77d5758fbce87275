"""HttpClient: one request path for every outside API.

A request goes: response cache (GET with ``cache_ttl``) → retry policy → per attempt: host circuit
breaker → credential's token bucket (by lane) → pooled ``httpx.AsyncClient`` → error mapping
(httpx errors in :func:`map_httpx_error`, answers >= 400 through the ``error_mapper``) → metrics.

Pooling: one ``httpx.AsyncClient`` per (event loop, base URL, credential fingerprint, timeouts,
limits), kept for the life of the loop, so a host costs one TLS handshake, not one per call. The
token bucket is per credential and the breaker per host, both process-wide.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import weakref
from collections.abc import Callable, Mapping
from typing import Any

import httpx

from syncbridge.http import errors
from syncbridge.http.auth import ANONYMOUS, Auth
from syncbridge.http.breaker import CircuitBreaker, get_breaker
from syncbridge.http.cache import ResponseCache
from syncbridge.http.config import DEFAULT_CONFIG, ClientConfig
from syncbridge.http.masking import mask
from syncbridge.http.metrics import NULL_METRICS, MetricsHook, RequestRecord, route_template
from syncbridge.http.ratelimit import Lane, TokenBucket, get_bucket
from syncbridge.http.retry import RetryPolicy

__all__ = [
    "SAFE_METHODS",
    "HttpClient",
    "close_clients",
    "get_client",
    "map_httpx_error",
    "shared_cache",
]

logger = logging.getLogger("syncbridge.http")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_WRITE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
_PAUSING_STATUSES = frozenset({429, 529})
USER_AGENT = "syncbridge/0.1 (+httpx)"

# Most specific first: the first isinstance match wins.
_HTTPX_ERRORS: tuple[tuple[type[Exception], type[errors.HTTPError]], ...] = (
    (httpx.ConnectTimeout, errors.ConnectTimeout),
    (httpx.PoolTimeout, errors.PoolTimeout),
    (httpx.TimeoutException, errors.RequestTimeout),
    (httpx.ConnectError, errors.ConnectError),
    (httpx.LocalProtocolError, errors.RequestError),
    (httpx.ProtocolError, errors.ProtocolError),
    (httpx.NetworkError, errors.ProtocolError),
    (httpx.ProxyError, errors.TransportError),
    (httpx.UnsupportedProtocol, errors.RequestError),
    (httpx.TransportError, errors.TransportError),
    (httpx.DecodingError, errors.ResponseFormatError),
    (httpx.TooManyRedirects, errors.RequestError),
    (httpx.RequestError, errors.RequestError),
    (httpx.InvalidURL, errors.RequestError),
    (httpx.CookieConflict, errors.RequestError),
    (httpx.StreamError, errors.RequestError),
)
HTTPX_EXCEPTIONS: tuple[type[Exception], ...] = (
    httpx.HTTPError,
    httpx.InvalidURL,
    httpx.CookieConflict,
    httpx.StreamError,
)
"""Every exception class httpx raises derives from one of these."""


def httpx_error_class(exc_type: type[BaseException]) -> type[errors.HTTPError] | None:
    """Our class for an httpx exception class (None for HTTPStatusError and non-httpx types)."""
    for theirs, ours in _HTTPX_ERRORS:
        if issubclass(exc_type, theirs):
            return ours
    return None


def map_httpx_error(exc: Exception, request: httpx.Request | None = None) -> errors.HTTPError:
    """Translate any httpx exception into an :class:`~syncbridge.http.errors.HTTPError`.

    The one place where httpx's exceptions become ours. The message names the request and the
    httpx error and is secret-masked.
    """
    if isinstance(exc, httpx.HTTPStatusError):
        return errors.default_error_mapper(exc.response)
    cls = httpx_error_class(type(exc)) or errors.TransportError
    if request is None and isinstance(exc, httpx.RequestError):
        try:
            request = exc.request
        except RuntimeError:
            request = None
    where = f"{request.method} {request.url}" if request is not None else "request"
    detail = str(exc) or "no detail"
    return cls(f"{where} failed: {type(exc).__name__}: {detail}", request=request)


_pools: weakref.WeakKeyDictionary[
    asyncio.AbstractEventLoop, dict[tuple[Any, ...], httpx.AsyncClient]
]
_pools = weakref.WeakKeyDictionary()
_pools_lock = threading.Lock()
_closers: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Task[None]]
_closers = weakref.WeakKeyDictionary()


def _watch_loop(loop: asyncio.AbstractEventLoop) -> None:
    """Close the loop's pooled connections when the loop shuts down (caller holds the lock).

    ``asyncio.run`` and ``asyncio.Runner`` cancel every pending task before closing their loop;
    this parked task then closes the pool while the loop still runs, so no socket outlives its
    loop and the pool entry (which references the loop) does not keep the loop alive.
    """
    task = _closers.get(loop)
    if task is None or task.done():
        _closers[loop] = loop.create_task(_close_on_shutdown(), name="syncbridge-http-pool-closer")


async def _close_on_shutdown() -> None:
    try:
        await asyncio.get_running_loop().create_future()
    finally:
        await close_clients()


_shared_cache: ResponseCache | None = None


def shared_cache(max_entries: int = DEFAULT_CONFIG.cache_max_entries) -> ResponseCache:
    """The process-wide response cache (entries keyed by credential, so tenants never share)."""
    global _shared_cache
    with _pools_lock:
        if _shared_cache is None:
            _shared_cache = ResponseCache(max_entries)
        return _shared_cache


def _host_of(base_url: str) -> str:
    url = httpx.URL(base_url)
    port = f":{url.port}" if url.port else ""
    return f"{url.scheme}://{url.host}{port}"


class HttpClient:
    """Rate-limited, retrying, circuit-broken, cached HTTP for one base URL and credential.

    Prefer :func:`get_client`, which shares one instance per (base URL, credential, config).
    The keyword arguments after ``metrics`` replace the process-wide shared parts (tests inject
    their own to control time).

    Args:
        base_url: e.g. ``https://api.notion.com``; request paths are relative to it.
        auth: credentials (default none).
        config: timeouts, limits, rate, retries, breaker and cache settings.
        error_mapper: turns an answer >= 400 into an error (default: by status).
        metrics: receives one record per request.
        transport: an httpx transport (e.g. ``httpx.MockTransport`` in unit tests).
        bucket: the token bucket (default: the credential's shared bucket; none if rate is None).
        breaker: the circuit breaker (default: the host's shared breaker).
        cache: the response cache (default: the shared cache).
        retry: the retry policy (default: built from ``config``).
        clock: monotonic seconds, for durations in metrics.
    """

    def __init__(
        self,
        base_url: str,
        *,
        auth: Auth | None = None,
        config: ClientConfig = DEFAULT_CONFIG,
        error_mapper: errors.ErrorMapper | None = None,
        metrics: MetricsHook | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        bucket: TokenBucket | None = None,
        breaker: CircuitBreaker | None = None,
        cache: ResponseCache | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.host = _host_of(self.base_url)
        self.auth = auth or ANONYMOUS
        self.config = config
        self.error_mapper = error_mapper or errors.default_error_mapper
        self.metrics = metrics or NULL_METRICS
        self._transport = transport
        credential = self.auth.fingerprint
        if bucket is None and config.rate is not None:
            # Keyed by host too, so unauthenticated clients of different APIs do not share.
            bucket = get_bucket(f"{self.host} {credential}", config.rate, config.burst)
        self.bucket = bucket
        self.breaker = breaker or get_breaker(self.host, config.breaker)
        self.cache = cache or shared_cache(config.cache_max_entries)
        self.retry = retry or RetryPolicy(
            config.max_retries,
            config.retry_delay,
            config.max_retry_delay,
            max_retry_after=config.max_retry_after,
        )
        self._clock = clock
        self._headers = {"User-Agent": USER_AGENT, **dict(config.headers)}

    # -- connection pool -------------------------------------------------------------------

    def _pool_key(self) -> tuple[Any, ...]:
        return (
            self.base_url,
            self.auth.fingerprint,
            self.config.timeouts,
            self.config.limits,
            self._transport,
        )

    def _client(self) -> httpx.AsyncClient:
        loop = asyncio.get_running_loop()
        key = self._pool_key()
        with _pools_lock:
            per_loop = _pools.setdefault(loop, {})
            _watch_loop(loop)
            client = per_loop.get(key)
            if client is None or client.is_closed:
                client = per_loop[key] = httpx.AsyncClient(
                    base_url=self.base_url,
                    timeout=self.config.timeouts.to_httpx(),
                    limits=self.config.limits.to_httpx(),
                    transport=self._transport,
                    headers={"User-Agent": USER_AGENT},
                )
            return client

    async def aclose(self) -> None:
        """Close this client's pooled connections in the running event loop."""
        loop = asyncio.get_running_loop()
        with _pools_lock:
            client = _pools.get(loop, {}).pop(self._pool_key(), None)
        if client is not None:
            await client.aclose()

    # -- requests --------------------------------------------------------------------------

    async def request(
        self,
        method: str,
        path: str,
        *,
        route: str | None = None,
        params: Mapping[str, Any] | None = None,
        json: Any = None,
        headers: Mapping[str, str] | None = None,
        safe: bool | None = None,
        lane: Lane = Lane.INTERACTIVE,
        cache_ttl: float | None = None,
        bypass_cache: bool = False,
    ) -> httpx.Response:
        """Send a request and return its successful answer (status < 400).

        Args:
            method: HTTP method.
            path: path relative to the base URL (or an absolute URL).
            route: path template for metrics (default: ids in ``path`` replaced by ``{id}``).
            params: query parameters.
            json: JSON body.
            headers: extra headers for this request.
            safe: whether repeating the request is harmless (default: GET/HEAD/OPTIONS only);
                5xx, timeouts and resets are retried only for safe requests.
            lane: rate limiter priority.
            cache_ttl: for a GET, keep its answer this many seconds (None/0: no caching).
            bypass_cache: skip the cache lookup (the fresh answer is still stored).

        Raises:
            HTTPError: a subclass; status errors come from ``error_mapper``.
        """
        method = method.upper()
        is_safe = method in SAFE_METHODS if safe is None else safe
        client = self._client()
        try:
            # Default headers go on each request, not on the pooled client: clients that share a
            # pool (same URL and credential) may differ in their default headers.
            merged = {**self._headers, **headers} if headers else self._headers
            request = client.build_request(method, path, params=params, json=json, headers=merged)
        except HTTPX_EXCEPTIONS as exc:
            raise map_httpx_error(exc) from None
        outcome = _Outcome(route or route_template(request.url.path), self._clock())
        try:
            response = None
            if method == "GET" and cache_ttl and not bypass_cache:
                response = self.cache.get(self.auth.fingerprint, request)
                outcome.cached = response is not None
            if response is None:
                response = await self.retry.call(
                    lambda: self._attempt(client, request, lane, outcome),
                    safe=is_safe,
                    on_retry=lambda exc, n, delay: self._log_retry(
                        method, outcome.route, exc, n, delay
                    ),
                )
                self._after_success(method, request, response, cache_ttl)
            outcome.status = response.status_code
            return response
        except errors.HTTPError as exc:
            outcome.error = type(exc).__name__
            outcome.status = getattr(exc, "status_code", None)
            raise
        except BaseException as exc:  # cancelled, or a bug below: still reported, not as success
            outcome.error = type(exc).__name__
            raise
        finally:
            self._report(method, outcome)

    async def _attempt(
        self, client: httpx.AsyncClient, request: httpx.Request, lane: Lane, outcome: _Outcome
    ) -> httpx.Response:
        outcome.attempts += 1
        self.breaker.before_call()
        try:
            if self.bucket is not None:
                await self.bucket.acquire(lane)
            response = await client.send(request, auth=self.auth)
        except HTTPX_EXCEPTIONS as exc:
            error = map_httpx_error(exc, request)
            self.breaker.record_failure(error)
            raise error from None
        except BaseException:  # cancelled, or an auth flow's own error (OAuth2 token refused)
            self.breaker.release()
            raise
        if response.status_code < 400:
            self.breaker.record_success()
            return response
        error = self.error_mapper(response)
        if response.status_code == 429:
            outcome.rate_limited += 1
        if response.status_code in _PAUSING_STATUSES and error.retry_after and self.bucket:
            self.bucket.pause(error.retry_after)
        self.breaker.record_failure(error)
        raise error

    def _after_success(
        self, method: str, request: httpx.Request, response: httpx.Response, ttl: float | None
    ) -> None:
        if method == "GET" and ttl:
            self.cache.put(self.auth.fingerprint, response, ttl)
        elif method in _WRITE_METHODS:
            self.cache.invalidate_path(request.url.host, request.url.path)

    def _log_retry(
        self, method: str, route: str, exc: BaseException, attempt: int, delay: float
    ) -> None:
        logger.warning(
            mask(f"{method} {self.host}{route}: retry {attempt} in {delay:.2f}s after {exc}"),
            extra={
                "action": "http_retry",
                "method": method,
                "route": route,
                "attempt": attempt,
                "delay": delay,
                "error": type(exc).__name__,
            },
        )

    def _report(self, method: str, outcome: _Outcome) -> None:
        record = RequestRecord(
            method=method,
            host=self.host.split("://", 1)[-1],
            route=outcome.route,
            status=outcome.status,
            duration=max(0.0, self._clock() - outcome.started),
            attempts=max(1, outcome.attempts),
            rate_limited=outcome.rate_limited,
            error=outcome.error,
            cached=outcome.cached,
        )
        try:
            self.metrics.record(record)
        except Exception:  # a broken metrics hook must not break requests
            logger.exception("metrics hook failed")

    def __repr__(self) -> str:
        return f"HttpClient({self.base_url!r}, {self.auth.fingerprint})"


class _Outcome:
    """Mutable tally of one logical request, turned into a RequestRecord at the end."""

    __slots__ = ("attempts", "cached", "error", "rate_limited", "route", "started", "status")

    def __init__(self, route: str, started: float) -> None:
        self.route = route
        self.started = started
        self.attempts = 0
        self.rate_limited = 0
        self.status: int | None = None
        self.error: str | None = None
        self.cached = False


_clients: dict[tuple[Any, ...], HttpClient] = {}


def get_client(
    base_url: str,
    *,
    auth: Auth | None = None,
    config: ClientConfig = DEFAULT_CONFIG,
    error_mapper: errors.ErrorMapper | None = None,
    metrics: MetricsHook | None = None,
) -> HttpClient:
    """The shared HttpClient of (base URL, credential, config, mapper, metrics hook).

    Its ``httpx.AsyncClient`` is pooled per event loop, so the same HttpClient may be used from
    several loops one after another (tests, ``asyncio.run`` per CLI command).
    """
    auth = auth or ANONYMOUS
    key = (base_url.rstrip("/"), auth.fingerprint, config, error_mapper, id(metrics))
    with _pools_lock:
        client = _clients.get(key)
    if client is None or client.metrics is not (metrics or NULL_METRICS):
        client = HttpClient(
            base_url, auth=auth, config=config, error_mapper=error_mapper, metrics=metrics
        )
        with _pools_lock:
            _clients[key] = client
    return client


async def close_clients() -> None:
    """Close every pooled connection of the running event loop (call before the loop ends)."""
    loop = asyncio.get_running_loop()
    with _pools_lock:
        clients = list(_pools.pop(loop, {}).values())
    for client in clients:
        await client.aclose()
