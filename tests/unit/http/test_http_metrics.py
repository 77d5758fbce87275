"""Route templates and the in-memory metrics aggregator."""

from __future__ import annotations

import pytest

from syncbridge.http.metrics import InMemoryMetrics, RequestRecord, route_template


@pytest.mark.parametrize(
    ("path", "template"),
    [
        ("/v1/pages/59833787-2cf9-4fdf-8782-e53db20768a5", "/v1/pages/{id}"),
        (
            "/v1/pages/598337872cf94fdf8782e53db20768a5/properties/title",
            "/v1/pages/{id}/properties/title",
        ),
        ("/v1/blocks/abc/children", "/v1/blocks/abc/children"),
        ("/api/booths/42", "/api/booths/{id}"),
        ("/v1/users/me", "/v1/users/me"),
        ("/v1/data_sources/248104cd477e80afbc30000bd28de8f9/query", "/v1/data_sources/{id}/query"),
    ],
)
def test_route_template(path: str, template: str) -> None:
    assert route_template(path) == template


def test_in_memory_metrics_aggregate_per_route() -> None:
    m = InMemoryMetrics(keep=2)
    m.record(RequestRecord("GET", "h", "/v1/pages/{id}", 200, 0.5, attempts=3, rate_limited=1))
    m.record(RequestRecord("GET", "h", "/v1/pages/{id}", 404, 1.5, error="ClientStatusError"))
    m.record(RequestRecord("POST", "h", "/v1/pages", None, 0.1, error="ConnectError"))
    page = m.routes[("GET", "/v1/pages/{id}")]
    assert (page.requests, page.errors, page.retries, page.rate_limited) == (2, 1, 2, 1)
    assert page.max_seconds == 1.5
    assert page.total_seconds == 2.0
    assert m.statuses == {200: 1, 404: 1, None: 1}
    assert len(m.records) == 2
    assert m.totals().requests == 3
