"""RESTClient, named endpoints and GraphQLClient against a real server on loopback."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest
from _http_server import LoopbackServer

from syncbridge.http import errors
from syncbridge.http.auth import ApiKeyAuth
from syncbridge.http.client import close_clients
from syncbridge.http.config import ClientConfig
from syncbridge.http.metrics import InMemoryMetrics
from syncbridge.rest import Endpoint, EndpointError, GraphQLClient, GraphQLError, RESTClient

FAST = ClientConfig(rate=1000.0, burst=1000, retry_delay=0.01)


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
async def _close_pools() -> AsyncIterator[None]:
    yield
    await close_clients()


async def test_rest_client_round_trip_with_headers_and_auth(server: LoopbackServer) -> None:
    rest = RESTClient(
        server.base_url,
        auth=ApiKeyAuth("rest-live-key-12345678"),
        headers={"X-Client": "syncbridge-test"},
        config=FAST,
    )
    answer = await rest.post("/echo", {"name": "booth", "menu": [1, 2]})
    assert answer["json"] == {"name": "booth", "menu": [1, 2]}
    assert answer["headers"]["x-api-key"] == "rest-live-key-12345678"
    assert answer["headers"]["x-client"] == "syncbridge-test"
    with pytest.raises(errors.ClientStatusError) as caught:
        await rest.get("/status/418")
    assert caught.value.status_code == 418


async def test_endpoints_over_real_http_share_one_connection(server: LoopbackServer) -> None:
    metrics = InMemoryMetrics()
    rest = RESTClient(server.base_url, config=FAST, metrics=metrics)
    rest.register_endpoint(Endpoint("echo", "GET", "/echo", query=("booth", "page")))
    rest.register_endpoint(Endpoint("flaky", "POST", "/flaky/{key}", query=("fail",), safe=True))
    before = server.connections
    for page in range(5):
        answer = await rest.call("echo", booth="b1", page=page)
        assert answer["query"] == {"booth": "b1", "page": str(page)}
    assert (await rest.call("flaky", key="rest-ep", fail=1, json={}))["calls"] == 2
    assert server.connections - before == 1
    assert ("POST", "/flaky/{key}") in metrics.routes
    with pytest.raises(EndpointError, match="missing parameter"):
        await rest.call("flaky", fail=1)


async def test_graphql_client_queries_variables_and_errors(server: LoopbackServer) -> None:
    gql = GraphQLClient(server.base_url + "/graphql", config=FAST)
    assert await gql.query("{ hello }") == {"hello": "world"}
    assert await gql.query("query($n: Int!) { square(n: $n) }", {"n": 12}) == {"square": 144}
    with pytest.raises(GraphQLError, match="was not given"):
        await gql.query("query($n: Int!) { square(n: $n) }")
    with pytest.raises(GraphQLError) as caught:
        await gql.query("{ partial { a b } }")
    assert caught.value.data == {"partial": {"a": 1, "b": None}}
