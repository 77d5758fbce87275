"""Errors raised by the HTTP stack. Every message is secret-masked.

Each class says on itself whether trying again can help (``transient``) and whether a retry is
harmless even for a request that is not safe to repeat (``retry_any_method``: the server refused
the request before doing anything, or it never left this machine). The retry policy reads only
these two attributes.

::

    HTTPError                         base; .request, .response, .retry_after
    ├── TransportError                transient: the exchange failed below HTTP
    │   ├── ConnectError              could not connect; request never sent (retry_any_method)
    │   ├── RequestTimeout            read/write timed out (the server may have acted)
    │   │   ├── ConnectTimeout        connecting timed out; never sent (retry_any_method)
    │   │   └── PoolTimeout           no free connection in time; never sent (retry_any_method)
    │   └── ProtocolError             connection reset, malformed answer, read/write failure
    ├── RequestError                  terminal: the request itself is unusable (bad URL, redirects)
    ├── ResponseFormatError           terminal: a success answer whose body is not what was promised
    ├── StatusError                   .status_code; answers >= 400
    │   ├── ClientStatusError         4xx, terminal
    │   │   └── RateLimitedError      429, transient, retry_any_method
    │   └── ServerStatusError         5xx, transient
    │       └── ServiceOverloadedError 529, retry_any_method
    └── CircuitOpenError              terminal; fail fast while a host's breaker is open
"""

from __future__ import annotations

import email.utils
import time
from collections.abc import Callable
from typing import ClassVar

import httpx

from syncbridge.http.masking import mask

__all__ = [
    "CircuitOpenError",
    "ClientStatusError",
    "ConnectError",
    "ConnectTimeout",
    "ErrorMapper",
    "HTTPError",
    "PoolTimeout",
    "ProtocolError",
    "RateLimitedError",
    "RequestError",
    "RequestTimeout",
    "ResponseFormatError",
    "ServerStatusError",
    "ServiceOverloadedError",
    "StatusError",
    "TransportError",
    "default_error_mapper",
    "describe_response",
    "parse_retry_after",
]


class HTTPError(Exception):
    """Base of every error of the HTTP stack.

    Attributes:
        request: the request that failed, when there was one.
        response: the answer, for status errors.
        retry_after: seconds the server asked us to wait (``Retry-After``), else None.
    """

    transient: ClassVar[bool] = False
    retry_any_method: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(mask(message))
        self.request = request
        self.response = response
        self.retry_after = retry_after

    @property
    def message(self) -> str:
        """The masked message."""
        return str(self.args[0]) if self.args else ""


class TransportError(HTTPError):
    """The exchange failed below HTTP (connect, timeout, reset, protocol)."""

    transient = True


class ConnectError(TransportError):
    """No connection could be made; the request was never sent."""

    retry_any_method = True


class RequestTimeout(TransportError):
    """Connecting, sending or reading took longer than the configured timeout."""


class ConnectTimeout(RequestTimeout):
    """Connecting took too long; the request was never sent."""

    retry_any_method = True


class PoolTimeout(RequestTimeout):
    """No pooled connection became free in time; the request was never sent."""

    retry_any_method = True


class ProtocolError(TransportError):
    """The connection broke or the peer spoke bad HTTP (reset, truncated answer …)."""


class RequestError(HTTPError):
    """The request cannot be sent as built (invalid URL, unsupported scheme, too many redirects)."""


class ResponseFormatError(HTTPError):
    """A success answer whose body is not what the API promises (e.g. not JSON)."""


class StatusError(HTTPError):
    """The server answered with status >= 400.

    Attributes:
        status_code: the HTTP status.
    """

    def __init__(
        self,
        message: str,
        *,
        status_code: int,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, request=request, response=response, retry_after=retry_after)
        self.status_code = status_code


class ClientStatusError(StatusError):
    """4xx: the request is wrong for the server; repeating it will not help."""


class RateLimitedError(ClientStatusError):
    """429: over the rate limit; wait ``retry_after`` seconds (when given) and try again."""

    transient = True
    retry_any_method = True


class ServerStatusError(StatusError):
    """5xx: the server failed; repeating helps when the request is safe to repeat."""

    transient = True


class ServiceOverloadedError(ServerStatusError):
    """529: the service sheds load before doing the work; any method may be retried."""

    retry_any_method = True


class CircuitOpenError(HTTPError):
    """The host's circuit breaker is open: calls fail fast until it half-opens.

    Attributes:
        host: the host whose breaker is open.
        half_open_in: seconds until one probe call is let through.
        retry_after: same as ``half_open_in``, for schedulers that read it.
    """

    def __init__(self, host: str, half_open_in: float, *, wall_clock: float | None = None) -> None:
        at = time.strftime(
            "%Y-%m-%dT%H:%M:%SZ", time.gmtime((wall_clock or time.time()) + half_open_in)
        )
        super().__init__(
            f"circuit breaker for {host} is open after repeated failures; "
            f"half-opens in {half_open_in:.1f} s (at {at})",
            retry_after=half_open_in,
        )
        self.host = host
        self.half_open_in = half_open_in


ErrorMapper = Callable[[httpx.Response], HTTPError]


def parse_retry_after(value: str | None, *, now: float | None = None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or HTTP-date), else None."""
    if value is None or not value.strip():
        return None
    text = value.strip()
    try:
        seconds = float(text)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError):
            return None
        seconds = when.timestamp() - (time.time() if now is None else now)
    return max(0.0, seconds) if seconds == seconds else None  # NaN is no answer


def _status_class(status: int) -> type[StatusError]:
    if status == 429:
        return RateLimitedError
    if status == 529:
        return ServiceOverloadedError
    if status >= 500:
        return ServerStatusError
    return ClientStatusError


def describe_response(response: httpx.Response, *, limit: int = 300) -> str:
    """``"GET https://host/path -> 404: <start of body>"``, for error messages (masked later)."""
    try:
        head = f"{response.request.method} {response.request.url} -> {response.status_code}"
    except RuntimeError:  # a Response built without its request
        head = f"HTTP {response.status_code}"
    body = response.text[:limit].strip() if response.content else ""
    return f"{head}: {body}" if body else head


def default_error_mapper(response: httpx.Response) -> HTTPError:
    """Map an answer with status >= 400 to the StatusError subclass for its status."""
    cls = _status_class(response.status_code)
    return cls(
        describe_response(response),
        status_code=response.status_code,
        request=response._request,
        response=response,
        retry_after=parse_retry_after(response.headers.get("retry-after")),
    )
