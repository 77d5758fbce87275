"""Errors raised by the Notion client.

Every error Notion answers with becomes one class per error ``code``, all under
``NotionAPIError``, itself a ``syncbridge.http.errors.StatusError`` so the shared retry policy,
circuit breaker and outbox read ``transient`` and ``retry_after`` from it::

    HTTPError                                   (syncbridge.http.errors)
    ├── TransportError …                        connection, timeout: from the HTTP layer
    ├── StatusError
    │   └── NotionAPIError                      .code .status .request_id .additional_data
    │       ├── ValidationError                 400 validation_error
    │       │   └── InvalidCursorError          400, the start_cursor we sent was rejected
    │       ├── InvalidJSONError                400 invalid_json
    │       ├── InvalidRequestURLError          400 invalid_request_url
    │       ├── InvalidRequestError             400 invalid_request
    │       ├── InvalidGrantError               400 invalid_grant (OAuth)
    │       ├── InvalidBetaError                400 invalid_beta
    │       ├── MissingVersionError             400 missing_version
    │       ├── UnauthorizedError               401 unauthorized
    │       ├── RestrictedResourceError         403 restricted_resource
    │       ├── ObjectNotFoundError             404 object_not_found (missing or not shared)
    │       ├── ConflictError                   409 conflict_error (re-read, then retry)
    │       ├── RowLimitExceededError           409 row_limit_exceeded
    │       ├── RateLimitedError                429 rate_limited            transient, any method
    │       ├── InternalServerError             500 internal_server_error   transient
    │       ├── BadGatewayError                 502 bad_gateway             transient
    │       ├── ServiceUnavailableError         503 service_unavailable     transient
    │       ├── DatabaseConnectionUnavailableError  503 …_unavailable       transient
    │       ├── GatewayTimeoutError             504 gateway_timeout         transient
    │       ├── ServiceOverloadError            529 service_overload        transient, any method
    │       └── UnknownNotionError              any other code, status 4xx
    │           └── UnknownTransientNotionError any other code, status 429/529/5xx  transient
    └── ResponseFormatError
        └── MalformedResponseError              a 2xx body that is not a Notion object  transient
    NotionScanError (ValueError)                a full scan cannot continue

``transient`` means "the same request may succeed later". Whether it is *repeated* also depends
on the request: 429/529 are retried for every request; 5xx only for requests safe to repeat.
``conflict_error`` is not transient: Notion asks the caller to re-read and then retry, which only
the caller can do (``ConflictError.reread_then_retry``).
"""

from __future__ import annotations

import json
from typing import Any, ClassVar

import httpx

from syncbridge.http.errors import (
    HTTPError,
    ResponseFormatError,
    StatusError,
    parse_retry_after,
)

__all__ = [
    "ERROR_CLASSES",
    "BadGatewayError",
    "ConflictError",
    "DatabaseConnectionUnavailableError",
    "GatewayTimeoutError",
    "InternalServerError",
    "InvalidBetaError",
    "InvalidCursorError",
    "InvalidGrantError",
    "InvalidJSONError",
    "InvalidRequestError",
    "InvalidRequestURLError",
    "MalformedResponseError",
    "MissingVersionError",
    "NotionAPIError",
    "NotionScanError",
    "ObjectNotFoundError",
    "RateLimitedError",
    "RestrictedResourceError",
    "RowLimitExceededError",
    "ServiceOverloadError",
    "ServiceUnavailableError",
    "UnauthorizedError",
    "UnknownNotionError",
    "UnknownTransientNotionError",
    "ValidationError",
    "notion_error_mapper",
]


class NotionAPIError(StatusError):
    """An error answer from the Notion API (or a sandbox speaking it).

    Attributes:
        code: Notion's error code, e.g. ``"object_not_found"``.
        status: The HTTP status.
        request_id: Notion's request id (body ``request_id`` or header ``x-notion-request-id``).
        additional_data: Notion's ``additional_data`` object, ``{}`` when absent.
    """

    code: str = ""
    default_status: ClassVar[int] = 400
    transient: ClassVar[bool] = False
    reread_then_retry: ClassVar[bool] = False

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        status: int | None = None,
        request_id: str | None = None,
        additional_data: dict[str, Any] | None = None,
        request: httpx.Request | None = None,
        response: httpx.Response | None = None,
        retry_after: float | None = None,
    ) -> None:
        status = status if status is not None else self.default_status
        super().__init__(
            message,
            status_code=status,
            request=request,
            response=response,
            retry_after=retry_after,
        )
        self.code = code or type(self).code
        self.status = status
        self.request_id = request_id
        self.additional_data = additional_data or {}

    def __str__(self) -> str:
        where = _describe(self.request)
        rid = f" (request_id {self.request_id})" if self.request_id else ""
        return f"{self.status} {self.code}: {self.message}{where}{rid}"


class ValidationError(NotionAPIError):
    """400 ``validation_error``: the request does not match the schema (fix the payload)."""

    code = "validation_error"


class InvalidCursorError(ValidationError):
    """The ``start_cursor`` sent was rejected and restarting did not help."""

    @classmethod
    def after_restarts(cls, restarts: int, cause: NotionAPIError) -> InvalidCursorError:
        """The error for an iteration that restarted ``restarts`` times and still failed."""
        return cls(
            f"start_cursor rejected again after {restarts} restarts: {cause.message}",
            request_id=cause.request_id,
            request=cause.request,
            response=cause.response,
        )


class InvalidJSONError(NotionAPIError):
    """400 ``invalid_json``: the request body is not JSON."""

    code = "invalid_json"


class InvalidRequestURLError(NotionAPIError):
    """400 ``invalid_request_url``: no such route."""

    code = "invalid_request_url"


class InvalidRequestError(NotionAPIError):
    """400 ``invalid_request``: the request is not supported."""

    code = "invalid_request"


class InvalidGrantError(NotionAPIError):
    """400 ``invalid_grant``: an OAuth grant or refresh token is invalid."""

    code = "invalid_grant"


class InvalidBetaError(NotionAPIError):
    """400 ``invalid_beta``: an unknown beta was requested."""

    code = "invalid_beta"


class MissingVersionError(NotionAPIError):
    """400 ``missing_version``: no ``Notion-Version`` header."""

    code = "missing_version"


class UnauthorizedError(NotionAPIError):
    """401 ``unauthorized``: the token is not valid."""

    code = "unauthorized"
    default_status = 401


class RestrictedResourceError(NotionAPIError):
    """403 ``restricted_resource``: the integration lacks the capability."""

    code = "restricted_resource"
    default_status = 403


class ObjectNotFoundError(NotionAPIError):
    """404 ``object_not_found``: missing, or not shared with the integration."""

    code = "object_not_found"
    default_status = 404


class ConflictError(NotionAPIError):
    """409 ``conflict_error``: a data collision; re-read the object, then retry."""

    code = "conflict_error"
    default_status = 409
    reread_then_retry = True


class RowLimitExceededError(NotionAPIError):
    """409 ``row_limit_exceeded``: the workspace is over its row/block limit."""

    code = "row_limit_exceeded"
    default_status = 409


class RateLimitedError(NotionAPIError):
    """429 ``rate_limited``: wait ``retry_after`` seconds; retried for every method."""

    code = "rate_limited"
    default_status = 429
    transient = True
    retry_any_method = True


class InternalServerError(NotionAPIError):
    """500 ``internal_server_error``."""

    code = "internal_server_error"
    default_status = 500
    transient = True


class BadGatewayError(NotionAPIError):
    """502 ``bad_gateway``."""

    code = "bad_gateway"
    default_status = 502
    transient = True


class ServiceUnavailableError(NotionAPIError):
    """503 ``service_unavailable`` (also a request that ran longer than 60 s)."""

    code = "service_unavailable"
    default_status = 503
    transient = True


class DatabaseConnectionUnavailableError(NotionAPIError):
    """503 ``database_connection_unavailable``."""

    code = "database_connection_unavailable"
    default_status = 503
    transient = True


class GatewayTimeoutError(NotionAPIError):
    """504 ``gateway_timeout``."""

    code = "gateway_timeout"
    default_status = 504
    transient = True


class ServiceOverloadError(NotionAPIError):
    """529 ``service_overload``: handled like a 429."""

    code = "service_overload"
    default_status = 529
    transient = True
    retry_any_method = True


class UnknownNotionError(NotionAPIError):
    """A code this client does not know, with a status that is not worth repeating."""

    code = "unknown"


class UnknownTransientNotionError(UnknownNotionError):
    """A code this client does not know, with status 429, 529 or 5xx: worth repeating."""

    transient = True


class MalformedResponseError(ResponseFormatError):
    """A success answer whose body is not a Notion JSON object (truncated, HTML, wrong shape).

    Transient: a body garbled in transit reads fine next time, so requests that are safe to
    repeat are repeated; a create whose answer was garbled is not (its outcome is unknown).
    """

    transient = True

    def __init__(self, message: str, *, request_id: str | None = None, **kwargs: Any) -> None:
        super().__init__(message, **kwargs)
        self.request_id = request_id

    def __str__(self) -> str:
        rid = f" (request_id {self.request_id})" if self.request_id else ""
        return f"{self.message}{_describe(self.request)}{rid}"


class NotionScanError(ValueError):
    """A full data-source scan cannot continue (e.g. > 10,000 rows in one minute)."""


ERROR_CLASSES: dict[str, type[NotionAPIError]] = {
    cls.code: cls
    for cls in (
        ValidationError,
        InvalidJSONError,
        InvalidRequestURLError,
        InvalidRequestError,
        InvalidGrantError,
        InvalidBetaError,
        MissingVersionError,
        UnauthorizedError,
        RestrictedResourceError,
        ObjectNotFoundError,
        ConflictError,
        RowLimitExceededError,
        RateLimitedError,
        InternalServerError,
        BadGatewayError,
        ServiceUnavailableError,
        DatabaseConnectionUnavailableError,
        GatewayTimeoutError,
        ServiceOverloadError,
    )
}
"""Notion error code -> class."""

_BY_STATUS: dict[int, type[NotionAPIError]] = {
    401: UnauthorizedError,
    403: RestrictedResourceError,
    404: ObjectNotFoundError,
    429: RateLimitedError,
    500: InternalServerError,
    502: BadGatewayError,
    503: ServiceUnavailableError,
    504: GatewayTimeoutError,
    529: ServiceOverloadError,
}


def _transient_status(status: int) -> bool:
    return status in (429, 529) or 500 <= status <= 599


def _unknown(status: int) -> type[NotionAPIError]:
    return UnknownTransientNotionError if _transient_status(status) else UnknownNotionError


def _describe(request: httpx.Request | None) -> str:
    if request is None:
        return ""
    # The path only: query strings may carry cursors or keys, never worth a log line.
    return f" [{request.method} {request.url.copy_with(query=None)}]"


def _retry_after(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("retry-after"))


def _request_of(response: httpx.Response) -> httpx.Request | None:
    try:
        return response.request
    except RuntimeError:
        return None


def parse_error_body(response: httpx.Response) -> dict[str, Any] | None:
    """Notion's error object from ``response``, or ``None`` when the body is not one."""
    try:
        body = json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(body, dict) or body.get("object") != "error":
        return None
    return body


def notion_error_mapper(response: httpx.Response) -> HTTPError:
    """Turn an error answer (status >= 400) into the matching ``NotionAPIError`` subclass.

    A body that is not Notion's error object (HTML from a proxy, truncated JSON) still maps by
    status, with a message that names the request and quotes the start of the body.
    """
    status = response.status_code
    request = _request_of(response)
    header_rid = response.headers.get("x-notion-request-id")
    body = parse_error_body(response)
    if body is None:
        cls = _BY_STATUS.get(status) or _unknown(status)
        snippet = response.content[:200].decode("utf-8", "replace")
        return cls(
            f"HTTP {status} with a body that is not a Notion error object: {snippet!r}",
            code=f"http_{status}" if issubclass(cls, UnknownNotionError) else cls.code,
            status=status,
            request_id=header_rid,
            request=request,
            response=response,
            retry_after=_retry_after(response),
        )
    code = str(body.get("code") or f"http_{status}")
    cls = ERROR_CLASSES.get(code) or _unknown(status)
    additional = body.get("additional_data")
    return cls(
        str(body.get("message") or code),
        code=code,
        status=status,
        request_id=str(body.get("request_id") or header_rid or "") or None,
        additional_data=additional if isinstance(additional, dict) else None,
        request=request,
        response=response,
        retry_after=_retry_after(response),
    )


def malformed(response: httpx.Response, why: str) -> MalformedResponseError:
    """The error for a success status whose body is not usable JSON."""
    snippet = response.content[:200].decode("utf-8", "replace")
    return MalformedResponseError(
        f"malformed response ({why}), HTTP {response.status_code}, body starts {snippet!r}",
        request_id=response.headers.get("x-notion-request-id"),
        request=_request_of(response),
        response=response,
    )
