"""RESTClient and GraphQLClient against scripted remotes (httpx.MockTransport)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Callable

import httpx
import pytest

from syncbridge.http import errors
from syncbridge.http.auth import BearerAuth
from syncbridge.http.breaker import CircuitBreaker
from syncbridge.http.cache import ResponseCache
from syncbridge.http.client import HttpClient, close_clients
from syncbridge.http.config import ClientConfig
from syncbridge.http.retry import RetryPolicy
from syncbridge.rest import Endpoint, EndpointError, GraphQLClient, GraphQLError, RESTClient

BASE = "https://rest.example.test"


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@pytest.fixture(autouse=True)
async def _close() -> AsyncIterator[None]:
    yield
    await close_clients()


def http(handler: Callable[[httpx.Request], httpx.Response], clock: Clock, **kw) -> HttpClient:
    return HttpClient(
        BASE,
        auth=BearerAuth("rest-unit-token-123456"),
        config=kw.pop("config", ClientConfig(rate=None, headers=(("Accept", "application/json"),))),
        transport=httpx.MockTransport(handler),
        breaker=CircuitBreaker(BASE, clock=clock),
        cache=ResponseCache(clock=clock),
        retry=RetryPolicy(2, 0.1, rng=lambda: 1.0, sleep=clock.sleep),
        clock=clock,
    )


def echo(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content) if request.content else None
    return httpx.Response(
        200,
        json={
            "method": request.method,
            "path": request.url.path,
            "query": dict(request.url.params),
            "json": body,
            "accept": request.headers.get("accept"),
        },
    )


async def test_verbs_send_json_and_return_parsed_json() -> None:
    rest = RESTClient(BASE, http=http(echo, Clock()))
    assert (await rest.get("/a", params={"x": 1}))["query"] == {"x": "1"}
    for verb in ("post", "put", "patch"):
        answer = await getattr(rest, verb)("/b", {"k": verb})
        assert answer["method"] == verb.upper()
        assert answer["json"] == {"k": verb}
    assert (await rest.delete("/c"))["method"] == "DELETE"
    assert (await rest.get("/a"))["accept"] == "application/json"


async def test_empty_answer_is_none_and_non_json_is_a_typed_error() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/empty":
            return httpx.Response(204)
        return httpx.Response(200, text="<html>oops</html>", headers={"content-type": "text/html"})

    rest = RESTClient(BASE, http=http(handler, Clock()))
    assert await rest.delete("/empty") is None
    with pytest.raises(errors.ResponseFormatError, match="expected JSON, got text/html"):
        await rest.get("/html")


async def test_status_errors_are_typed_not_none() -> None:
    rest = RESTClient(BASE, http=http(lambda r: httpx.Response(404, json={"e": 1}), Clock()))
    with pytest.raises(errors.ClientStatusError) as caught:
        await rest.get("/missing")
    assert caught.value.status_code == 404


async def test_named_endpoints_are_called_with_checked_params() -> None:
    clock = Clock()
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        return echo(request)

    rest = RESTClient(BASE, http=http(handler, clock))
    rest.register_endpoint(
        Endpoint("get_user", "GET", "/users/{user_id}", query=("fields",), cache_ttl=60)
    )
    rest.register_endpoint(Endpoint("rename", "PATCH", "/users/{user_id}"))
    first = await rest.call("get_user", user_id=5, fields="name")
    assert first["path"] == "/users/5"
    assert first["query"] == {"fields": "name"}
    await rest.call("get_user", user_id=5, fields="name")
    assert len(seen) == 1  # the second call came from the cache (cache_ttl=60)
    await rest.call("rename", user_id=5, json={"name": "x"})
    await rest.call("get_user", user_id=5, fields="name")
    assert len(seen) == 3  # the PATCH of /users/5 evicted the cached GET
    with pytest.raises(EndpointError, match="unknown parameter"):
        await rest.call("get_user", user_id=5, colour="red")
    assert len(seen) == 3


async def test_endpoint_safe_flag_drives_retries() -> None:
    calls = {"n": 0}

    def handler(request: httpx.Request) -> httpx.Response:
        calls["n"] += 1
        return httpx.Response(503) if calls["n"] == 1 else httpx.Response(200, json={})

    rest = RESTClient(BASE, http=http(handler, Clock()))
    rest.register_endpoint(Endpoint("query", "POST", "/query", safe=True))
    rest.register_endpoint(Endpoint("create", "POST", "/things"))
    assert await rest.call("query", json={}) == {}
    assert calls["n"] == 2
    calls["n"] = 0
    with pytest.raises(errors.ServerStatusError):
        await rest.call("create", json={})
    assert calls["n"] == 1


def graphql_remote(request: httpx.Request) -> httpx.Response:
    body = json.loads(request.content)
    if "boom" in body["query"]:
        return httpx.Response(
            200, json={"data": {"x": None}, "errors": [{"message": "boom failed", "path": ["x"]}]}
        )
    if "weird" in body["query"]:
        return httpx.Response(200, json={"hello": 1})
    return httpx.Response(200, json={"data": {"echo": body}})


async def test_graphql_query_sends_variables_and_returns_data() -> None:
    gql = GraphQLClient(BASE + "/graphql", http=http(graphql_remote, Clock()))
    data = await gql.query("query Q($n: Int) { n }", {"n": 3}, operation_name="Q")
    assert data == {
        "echo": {"query": "query Q($n: Int) { n }", "variables": {"n": 3}, "operationName": "Q"}
    }


async def test_graphql_errors_in_a_200_raise_with_partial_data() -> None:
    gql = GraphQLClient(BASE + "/graphql", http=http(graphql_remote, Clock()))
    with pytest.raises(GraphQLError, match="boom failed") as caught:
        await gql.query("{ boom }")
    assert caught.value.data == {"x": None}
    assert caught.value.errors[0]["path"] == ["x"]
    with pytest.raises(errors.ResponseFormatError, match="not a GraphQL answer"):
        await gql.query("{ weird }")


async def test_graphql_mutation_is_not_retried_but_query_is() -> None:
    calls: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(json.loads(request.content)["query"])
        if len(calls) % 2:
            return httpx.Response(502)
        return httpx.Response(200, json={"data": {"ok": True}})

    gql = GraphQLClient(BASE + "/graphql", http=http(handler, Clock()))
    assert await gql.query("{ ok }") == {"ok": True}
    assert len(calls) == 2
    with pytest.raises(errors.ServerStatusError):
        await gql.mutation("mutation { ok }")
    assert len(calls) == 3
