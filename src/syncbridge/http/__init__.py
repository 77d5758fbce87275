"""syncbridge.http: the transport every outside API shares.

Pooled ``httpx.AsyncClient`` per (base URL, credential), token-bucket rate limiting with priority
lanes, one retry policy (Retry-After honoured), circuit breaker per host, GET response cache,
auth schemes with key rotation, secret masking and request metrics. See docs/http.md.
"""

from __future__ import annotations

from syncbridge.http.auth import (
    ApiKeyAuth,
    Auth,
    AuthError,
    BasicAuth,
    BearerAuth,
    KeyPool,
    NoAuth,
    OAuth2ClientCredentials,
)
from syncbridge.http.breaker import BreakerState, CircuitBreaker
from syncbridge.http.cache import ResponseCache
from syncbridge.http.client import HttpClient, close_clients, get_client, map_httpx_error
from syncbridge.http.config import (
    DEFAULT_CONFIG,
    BreakerConfig,
    CacheLifetimes,
    ClientConfig,
    Limits,
    Timeouts,
)
from syncbridge.http.errors import (
    CircuitOpenError,
    ClientStatusError,
    ConnectError,
    ConnectTimeout,
    ErrorMapper,
    HTTPError,
    PoolTimeout,
    ProtocolError,
    RateLimitedError,
    RequestError,
    RequestTimeout,
    ResponseFormatError,
    ServerStatusError,
    ServiceOverloadedError,
    StatusError,
    TransportError,
)
from syncbridge.http.masking import (
    MaskingFilter,
    install_filter,
    install_record_factory,
    mask,
)
from syncbridge.http.metrics import InMemoryMetrics, MetricsHook, RequestRecord
from syncbridge.http.ratelimit import Lane, TokenBucket
from syncbridge.http.retry import RetryPolicy

# Secrets never reach a syncbridge.* log line, whatever logging setup the application has.
install_filter()
install_record_factory()

__all__ = [
    "DEFAULT_CONFIG",
    "ApiKeyAuth",
    "Auth",
    "AuthError",
    "BasicAuth",
    "BearerAuth",
    "BreakerConfig",
    "BreakerState",
    "CacheLifetimes",
    "CircuitBreaker",
    "CircuitOpenError",
    "ClientConfig",
    "ClientStatusError",
    "ConnectError",
    "ConnectTimeout",
    "ErrorMapper",
    "HTTPError",
    "HttpClient",
    "InMemoryMetrics",
    "KeyPool",
    "Lane",
    "Limits",
    "MaskingFilter",
    "MetricsHook",
    "NoAuth",
    "OAuth2ClientCredentials",
    "PoolTimeout",
    "ProtocolError",
    "RateLimitedError",
    "RequestError",
    "RequestRecord",
    "RequestTimeout",
    "ResponseCache",
    "ResponseFormatError",
    "RetryPolicy",
    "ServerStatusError",
    "ServiceOverloadedError",
    "StatusError",
    "Timeouts",
    "TokenBucket",
    "TransportError",
    "close_clients",
    "get_client",
    "install_filter",
    "install_record_factory",
    "map_httpx_error",
    "mask",
]
