"""HttpClient against scripted remote misbehaviour (httpx.MockTransport), on a virtual clock."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable

import httpx
import pytest

from syncbridge.http import errors
from syncbridge.http.auth import BearerAuth
from syncbridge.http.breaker import BreakerState, CircuitBreaker
from syncbridge.http.cache import ResponseCache
from syncbridge.http.client import HttpClient, get_client
from syncbridge.http.config import BreakerConfig, ClientConfig
from syncbridge.http.metrics import InMemoryMetrics
from syncbridge.http.ratelimit import Lane, TokenBucket
from syncbridge.http.retry import RetryPolicy

BASE = "https://api.example.test"
Handler = Callable[[httpx.Request], httpx.Response]


def script(*answers: httpx.Response | Exception) -> tuple[list[httpx.Request], Handler]:
    """A remote that gives these answers in order (the last one forever)."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        answer = answers[min(len(seen), len(answers)) - 1]
        if isinstance(answer, Exception):
            raise answer
        return answer

    return seen, handler


def make(clock, handler: Handler, **kw) -> HttpClient:
    kw.setdefault("bucket", TokenBucket(100.0, 100, clock=clock, sleep=clock.sleep))
    kw.setdefault("breaker", CircuitBreaker(BASE, clock=clock))
    kw.setdefault("cache", ResponseCache(clock=clock))
    kw.setdefault("retry", RetryPolicy(3, 1.0, rng=lambda: 0.5, sleep=clock.sleep))
    return HttpClient(
        BASE,
        auth=kw.pop("auth", BearerAuth("ntn_unit_test_token_0123456789")),
        transport=httpx.MockTransport(handler),
        clock=clock,
        **kw,
    )


def ok(body: object = None) -> httpx.Response:
    return httpx.Response(200, json=body if body is not None else {"ok": True})


async def test_success_returns_the_response_with_auth_and_default_headers(clock) -> None:
    seen, handler = script(ok({"object": "page"}))
    client = make(clock, handler, config=ClientConfig(headers=(("Notion-Version", "2025-09-03"),)))
    response = await client.request("GET", "/v1/pages/abc", params={"x": "1"})
    assert response.json() == {"object": "page"}
    sent = seen[0]
    assert sent.headers["authorization"] == "Bearer ntn_unit_test_token_0123456789"
    assert sent.headers["notion-version"] == "2025-09-03"
    assert str(sent.url) == BASE + "/v1/pages/abc?x=1"


async def test_unsafe_post_is_not_retried_on_500(clock) -> None:
    seen, handler = script(httpx.Response(500, json={"code": "internal_server_error"}), ok())
    client = make(clock, handler)
    with pytest.raises(errors.ServerStatusError) as caught:
        await client.request("POST", "/v1/pages", json={"a": 1})
    assert len(seen) == 1
    assert caught.value.status_code == 500


async def test_post_marked_safe_is_retried_on_500(clock) -> None:
    seen, handler = script(httpx.Response(500), httpx.Response(502), ok())
    client = make(clock, handler)
    response = await client.request("POST", "/v1/data_sources/x/query", json={}, safe=True)
    assert response.status_code == 200
    assert len(seen) == 3
    assert clock.sleeps == [0.5, 1.0]  # full jitter with rng=0.5: 0.5*1, 0.5*2


async def test_unsafe_post_is_retried_on_429_after_exactly_retry_after(clock) -> None:
    seen, handler = script(httpx.Response(429, headers={"Retry-After": "17"}), ok())
    client = make(clock, handler)
    start = clock()
    response = await client.request("POST", "/v1/pages", json={"a": 1})
    assert response.status_code == 200
    assert len(seen) == 2
    assert 17.0 in clock.sleeps
    assert clock() - start >= 17.0


async def test_429_pauses_the_whole_bucket_of_the_credential(clock) -> None:
    bucket = TokenBucket(100.0, 100, clock=clock, sleep=clock.sleep)
    _seen, handler = script(httpx.Response(429, headers={"Retry-After": "30"}), ok())
    client = make(clock, handler, bucket=bucket)
    other_done: list[float] = []
    start = clock()

    async def other_request() -> None:
        await asyncio.sleep(0)
        await asyncio.sleep(0)
        await bucket.acquire(Lane.INTERACTIVE)  # another task using the same credential
        other_done.append(clock() - start)

    await asyncio.gather(client.request("GET", "/v1/users/me"), other_request())
    assert other_done
    assert other_done[0] >= 30.0


async def test_transient_failures_that_exhaust_retries_raise_the_last_error(clock) -> None:
    seen, handler = script(httpx.ReadTimeout("slow"))
    client = make(clock, handler)
    with pytest.raises(errors.RequestTimeout, match=re.escape("GET https://api.example.test/v1/x")):
        await client.request("GET", "/v1/x")
    assert len(seen) == 4


async def test_connect_error_is_retried_even_for_post(clock) -> None:
    seen, handler = script(httpx.ConnectError("refused"), ok())
    client = make(clock, handler)
    assert (await client.request("POST", "/v1/pages", json={})).status_code == 200
    assert len(seen) == 2


async def test_reset_during_post_is_not_retried(clock) -> None:
    seen, handler = script(httpx.RemoteProtocolError("peer closed"), ok())
    client = make(clock, handler)
    with pytest.raises(errors.ProtocolError):
        await client.request("POST", "/v1/pages", json={})
    assert len(seen) == 1


async def test_4xx_is_not_retried_and_uses_the_error_mapper(clock) -> None:
    class Missing(errors.ClientStatusError):
        pass

    def mapper(response: httpx.Response) -> errors.HTTPError:
        return Missing("missing: " + response.json()["code"], status_code=response.status_code)

    seen, handler = script(httpx.Response(404, json={"code": "object_not_found"}))
    client = make(clock, handler, error_mapper=mapper)
    with pytest.raises(Missing, match="object_not_found"):
        await client.request("GET", "/v1/pages/1")
    assert len(seen) == 1


async def test_metrics_report_route_status_retries_and_429s(clock) -> None:
    metrics = InMemoryMetrics()
    _, handler = script(
        httpx.Response(429, headers={"Retry-After": "1"}), httpx.Response(503), ok()
    )
    client = make(clock, handler, metrics=metrics)
    await client.request("GET", "/v1/pages/59833787-2cf9-4fdf-8782-e53db20768a5")
    (record,) = metrics.records
    assert record.method == "GET"
    assert record.route == "/v1/pages/{id}"
    assert record.status == 200
    assert record.retries == 2
    assert record.rate_limited == 1
    assert record.duration >= 1.0
    assert record.error is None
    assert record.host == "api.example.test"


async def test_metrics_report_failures_with_their_class(clock) -> None:
    metrics = InMemoryMetrics()
    _, handler = script(httpx.Response(400, json={}))
    client = make(clock, handler, metrics=metrics)
    with pytest.raises(errors.ClientStatusError):
        await client.request("PATCH", "/v1/blocks/1", route="/v1/blocks/{block_id}", json={})
    (record,) = metrics.records
    assert (record.route, record.status, record.error) == (
        "/v1/blocks/{block_id}",
        400,
        "ClientStatusError",
    )
    assert metrics.totals().errors == 1


async def test_breaker_opens_after_failures_and_fails_fast_without_a_request(clock) -> None:
    breaker = CircuitBreaker(BASE, BreakerConfig(failure_threshold=2, cooldown=60), clock=clock)
    seen, handler = script(httpx.Response(503))
    client = make(clock, handler, breaker=breaker, retry=RetryPolicy(0, 0.0))
    for _ in range(2):
        with pytest.raises(errors.ServerStatusError):
            await client.request("GET", "/v1/x")
    assert breaker.state is BreakerState.OPEN
    with pytest.raises(errors.CircuitOpenError, match=re.escape("api.example.test")):
        await client.request("GET", "/v1/x")
    assert len(seen) == 2


async def test_get_cache_hit_skips_the_network_until_the_ttl_ends(clock) -> None:
    seen, handler = script(ok({"n": 1}), ok({"n": 2}), ok({"n": 3}))
    metrics = InMemoryMetrics()
    client = make(clock, handler, metrics=metrics)
    first = await client.request("GET", "/v1/data_sources/d", cache_ttl=300)
    again = await client.request("GET", "/v1/data_sources/d", cache_ttl=300)
    assert first.json() == again.json() == {"n": 1}
    assert len(seen) == 1
    assert metrics.records[-1].cached
    fresh = await client.request("GET", "/v1/data_sources/d", cache_ttl=300, bypass_cache=True)
    assert fresh.json() == {"n": 2}
    clock.advance(301)
    assert (await client.request("GET", "/v1/data_sources/d", cache_ttl=300)).json() == {"n": 3}


async def test_patch_of_a_page_evicts_the_cached_get_of_that_page(clock) -> None:
    seen, handler = script(ok({"v": 1}), ok({"patched": True}), ok({"v": 2}))
    client = make(clock, handler)
    await client.request("GET", "/v1/pages/p1", cache_ttl=60)
    await client.request("PATCH", "/v1/pages/p1", json={"properties": {}})
    assert (await client.request("GET", "/v1/pages/p1", cache_ttl=60)).json() == {"v": 2}
    assert len(seen) == 3


async def test_tenants_never_share_cached_answers(clock) -> None:
    cache = ResponseCache(clock=clock)

    def handler(request: httpx.Request) -> httpx.Response:
        return ok({"who": request.headers["authorization"][-1]})

    a = make(clock, handler, cache=cache, auth=BearerAuth("ntn_tenant_a_secret_a"))
    b = make(clock, handler, cache=cache, auth=BearerAuth("ntn_tenant_b_secret_b"))
    assert (await a.request("GET", "/v1/users/me", cache_ttl=60)).json() == {"who": "a"}
    assert (await b.request("GET", "/v1/users/me", cache_ttl=60)).json() == {"who": "b"}


async def test_invalid_url_is_a_clear_request_error(clock) -> None:
    _, handler = script(ok())
    client = make(clock, handler)
    with pytest.raises(errors.RequestError):
        await client.request("GET", "http://[::1/x")


async def test_get_client_shares_one_client_and_one_pool_per_loop() -> None:
    auth = BearerAuth("ntn_pool_test_token_1234567")
    a = get_client("https://pool.example.test", auth=auth)
    b = get_client("https://pool.example.test/", auth=BearerAuth("ntn_pool_test_token_1234567"))
    c = get_client("https://pool.example.test", auth=BearerAuth("ntn_other_token_987654321"))
    assert a is b
    assert a is not c
    assert a._client() is b._client()
    assert a._client() is not c._client()
    assert a.bucket is b.bucket
    assert a.bucket is not c.bucket
    assert a.breaker is c.breaker  # per host


def test_pooled_transport_is_per_event_loop() -> None:
    client = get_client("https://loops.example.test", auth=BearerAuth("ntn_loop_token_12345678"))

    async def grab() -> httpx.AsyncClient:
        inner = client._client()
        assert client._client() is inner
        await client.aclose()
        return inner

    first = asyncio.run(grab())
    second = asyncio.run(grab())
    assert first is not second
    assert first.is_closed
    assert second.is_closed


def test_pool_of_a_loop_is_closed_when_the_loop_shuts_down() -> None:
    client = get_client("https://shutdown.example.test", auth=BearerAuth("ntn_shutdown_12345678"))

    async def use() -> httpx.AsyncClient:
        return client._client()  # no explicit close: asyncio.run's shutdown must do it

    inner = asyncio.run(use())
    assert inner.is_closed
    from syncbridge.http import client as client_module

    assert all(not pool for pool in client_module._pools.values())


async def test_stack_status_shows_shared_breakers_buckets_and_cache() -> None:
    from syncbridge.http.status import stack_status

    client = get_client("https://status.example.test", auth=BearerAuth("ntn_status_1234567890"))
    client.breaker.record_failure(errors.ProtocolError("reset"))
    status = stack_status()
    (breaker,) = [b for b in status.breakers if b.host == "https://status.example.test"]
    assert breaker.consecutive_failures == 1
    names = [b.name for b in status.buckets]
    assert any(n.startswith("https://status.example.test bearer:") for n in names)
    assert all("ntn_status" not in n for n in names)
    assert status.cache.entries >= 0


async def test_retries_are_logged_with_an_action_and_no_secret(
    clock, caplog: pytest.LogCaptureFixture
) -> None:
    _, handler = script(httpx.Response(503, text="token=ntn_leaky_secret_1234567890"), ok())
    client = make(clock, handler)
    with caplog.at_level("WARNING", logger="syncbridge.http"):
        await client.request("GET", "/v1/x", params={"api_key": "query-secret-value-1"})
    (record,) = [r for r in caplog.records if getattr(r, "action", None) == "http_retry"]
    assert record.route == "/v1/x"
    assert record.error == "ServerStatusError"
    text = caplog.text
    assert "ntn_leaky_secret_1234567890" not in text
    assert "query-secret-value-1" not in text


async def test_cancelled_request_is_reported_as_an_error(clock) -> None:
    metrics = InMemoryMetrics()

    async def never(request: httpx.Request) -> httpx.Response:
        await asyncio.Event().wait()
        raise AssertionError("unreachable")

    client = HttpClient(
        BASE,
        transport=httpx.MockTransport(never),
        bucket=TokenBucket(10, 10, clock=clock, sleep=clock.sleep),
        breaker=CircuitBreaker(BASE, clock=clock),
        metrics=metrics,
        clock=clock,
    )
    task = asyncio.create_task(client.request("GET", "/v1/hang"))
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert metrics.records[-1].error == "CancelledError"
    assert client.breaker.snapshot().window_calls == 0
