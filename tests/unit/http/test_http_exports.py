"""The public surface of syncbridge.http and syncbridge.rest is deliberate: pinned here."""

from __future__ import annotations

import pytest

import syncbridge.http
import syncbridge.rest


@pytest.mark.parametrize("module", [syncbridge.http, syncbridge.rest])
def test_all_is_unique_and_every_name_exists(module: object) -> None:
    names = module.__all__  # type: ignore[attr-defined]
    assert len(set(names)) == len(names)  # order is kept by ruff (RUF022)
    for name in names:
        assert getattr(module, name) is not None, name


def test_http_surface_is_pinned() -> None:
    assert set(syncbridge.http.__all__) >= {
        "HttpClient",
        "get_client",
        "close_clients",
        "map_httpx_error",
        "ClientConfig",
        "Timeouts",
        "Limits",
        "BreakerConfig",
        "CacheLifetimes",
        "Lane",
        "TokenBucket",
        "RetryPolicy",
        "CircuitBreaker",
        "ResponseCache",
        "Auth",
        "BearerAuth",
        "ApiKeyAuth",
        "BasicAuth",
        "OAuth2ClientCredentials",
        "KeyPool",
        "HTTPError",
        "TransportError",
        "StatusError",
        "CircuitOpenError",
        "ErrorMapper",
        "MetricsHook",
        "RequestRecord",
        "InMemoryMetrics",
        "mask",
        "MaskingFilter",
    }


def test_rest_surface_is_pinned() -> None:
    assert set(syncbridge.rest.__all__) == {
        "REST_CONFIG",
        "BuiltRequest",
        "Endpoint",
        "EndpointError",
        "EndpointRegistry",
        "GraphQLClient",
        "GraphQLError",
        "RESTClient",
        "parse_json",
    }
