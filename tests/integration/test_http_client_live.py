"""HttpClient against a real HTTP server on loopback (uvicorn in a thread)."""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Iterator

import pytest
from _http_server import LoopbackServer

from syncbridge.http import errors
from syncbridge.http.auth import ApiKeyAuth, BearerAuth, OAuth2ClientCredentials
from syncbridge.http.breaker import CircuitBreaker
from syncbridge.http.client import HttpClient, close_clients, get_client
from syncbridge.http.config import BreakerConfig, ClientConfig, Timeouts
from syncbridge.http.metrics import InMemoryMetrics
from syncbridge.http.ratelimit import TokenBucket
from syncbridge.http.retry import RetryPolicy


@pytest.fixture(scope="module")
def server() -> Iterator[LoopbackServer]:
    with LoopbackServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
async def _close_pools() -> None:
    yield
    await close_clients()


class Recorder:
    """Virtual time for one task: sleeping only records and moves the clock."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)


def client(server: LoopbackServer, rec: Recorder, **kw) -> HttpClient:
    """A client whose waits are recorded, not slept; breaker and bucket private to the test."""
    return HttpClient(
        server.base_url,
        auth=kw.pop("auth", BearerAuth("ntn_live_test_token_abcdef123")),
        config=kw.pop("config", ClientConfig()),
        bucket=TokenBucket(3.0, 3, clock=rec, sleep=rec.sleep),
        breaker=CircuitBreaker(server.base_url, clock=rec),
        retry=RetryPolicy(3, 1.0, rng=lambda: 0.5, sleep=rec.sleep),
        clock=rec,
        **kw,
    )


async def test_one_tcp_connection_serves_many_calls(server: LoopbackServer) -> None:
    http = get_client(
        server.base_url,
        auth=BearerAuth("ntn_reuse_token_0123456789"),
        config=ClientConfig(rate=1000.0, burst=1000),
    )
    before = server.connections
    for _ in range(25):
        assert (await http.request("GET", "/json")).json() == {"ok": True}
    assert server.connections - before == 1


async def test_concurrent_calls_share_a_bounded_pool(server: LoopbackServer) -> None:
    rec = Recorder()
    http = client(server, rec, config=ClientConfig(rate=None))
    http.bucket = None
    before = server.connections
    await asyncio.gather(*(http.request("GET", "/slow?seconds=0.05") for _ in range(8)))
    await asyncio.gather(*(http.request("GET", "/slow?seconds=0.05") for _ in range(8)))
    opened = server.connections - before
    assert 1 <= opened <= 8  # the second wave reuses the first wave's connections


async def test_auth_headers_params_and_json_reach_the_server(server: LoopbackServer) -> None:
    http = client(server, Recorder())
    body = (
        await http.request(
            "POST", "/echo", params={"q": "x"}, json={"a": [1, 2]}, headers={"X-T": "1"}
        )
    ).json()
    assert body["method"] == "POST"
    assert body["query"] == {"q": "x"}
    assert body["json"] == {"a": [1, 2]}
    assert body["headers"]["authorization"] == "Bearer ntn_live_test_token_abcdef123"
    assert body["headers"]["x-t"] == "1"
    assert body["headers"]["user-agent"].startswith("syncbridge/")


async def test_retry_after_is_honoured_and_pauses_the_bucket(server: LoopbackServer) -> None:
    rec = Recorder()
    http = client(server, rec)
    response = await http.request("GET", "/flaky/ra1?fail=1&code=429&retry_after=7")
    assert response.json()["calls"] == 2
    assert server.calls["ra1"] == 2
    assert 7.0 in rec.sleeps  # the retry waited exactly what the server asked
    assert rec.now >= 7.0
    assert sum(rec.sleeps) < 7.0 + 1.0  # and the paused bucket did not add a second full wait


async def test_unsafe_post_is_not_retried_on_500(server: LoopbackServer) -> None:
    http = client(server, Recorder())
    with pytest.raises(errors.ServerStatusError) as caught:
        await http.request("POST", "/flaky/post500?fail=1&code=500", json={})
    assert caught.value.status_code == 500
    assert server.calls["post500"] == 1


async def test_unsafe_post_is_retried_on_429(server: LoopbackServer) -> None:
    rec = Recorder()
    http = client(server, rec)
    response = await http.request("POST", "/flaky/post429?fail=2&code=429&retry_after=1", json={})
    assert response.status_code == 200
    assert server.calls["post429"] == 3
    assert rec.sleeps.count(1.0) >= 2


async def test_safe_get_is_retried_on_5xx_with_backoff(server: LoopbackServer) -> None:
    rec = Recorder()
    metrics = InMemoryMetrics()
    http = client(server, rec, metrics=metrics)
    response = await http.request("GET", "/flaky/get503?fail=2&code=503")
    assert response.json()["calls"] == 3
    assert rec.sleeps[:2] == [0.5, 1.0]
    assert metrics.records[-1].retries == 2
    assert metrics.records[-1].route == "/flaky/get503"


async def test_dropped_connection_is_retried_for_get_not_for_post(server: LoopbackServer) -> None:
    http = client(server, Recorder())
    assert (await http.request("GET", "/reset/rget?fail=1")).json()["calls"] == 2
    with pytest.raises(errors.ProtocolError):
        await http.request("POST", "/reset/rpost?fail=1")
    assert server.calls["rpost"] == 1


async def test_slow_answer_times_out_and_is_retried_only_when_safe(server: LoopbackServer) -> None:
    fast = ClientConfig(timeouts=Timeouts(connect=2, read=0.2, write=2, pool=2))
    http = client(server, Recorder(), config=fast)
    with pytest.raises(errors.RequestTimeout):
        await http.request("POST", "/slow?seconds=1&key=slowpost")
    assert server.calls["slowpost"] == 1
    with pytest.raises(errors.RequestTimeout):
        await http.request("GET", "/slow?seconds=1&key=slowget")
    assert server.calls["slowget"] == 4


async def test_connection_refused_is_a_connect_error_retried_even_for_post() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    rec = Recorder()
    metrics = InMemoryMetrics()
    http = HttpClient(
        f"http://127.0.0.1:{port}",
        bucket=TokenBucket(10, 10, clock=rec, sleep=rec.sleep),
        breaker=CircuitBreaker("refused", clock=rec),
        retry=RetryPolicy(2, 0.1, sleep=rec.sleep),
        metrics=metrics,
        clock=rec,
    )
    with pytest.raises(errors.ConnectError):
        await http.request("POST", "/v1/pages", json={})
    assert metrics.records[-1].attempts == 3
    assert metrics.records[-1].status is None


async def test_errors_never_show_the_api_key_in_the_query(server: LoopbackServer) -> None:
    auth = ApiKeyAuth("live-query-key-0987654321", name="api_key", location="query")
    http = client(server, Recorder(), auth=auth)
    echoed = (await http.request("GET", "/echo")).json()
    assert echoed["query"] == {"api_key": "live-query-key-0987654321"}
    with pytest.raises(errors.ClientStatusError) as caught:
        await http.request("GET", "/status/404")
    assert "/status/404" in str(caught.value)
    assert "live-query-key-0987654321" not in str(caught.value)


async def test_breaker_opens_on_a_failing_host_and_fails_fast(server: LoopbackServer) -> None:
    rec = Recorder()
    http = HttpClient(
        server.base_url,
        config=ClientConfig(rate=None, max_retries=0),
        breaker=CircuitBreaker(server.base_url, BreakerConfig(failure_threshold=2), clock=rec),
        clock=rec,
    )
    for _ in range(2):
        with pytest.raises(errors.ServerStatusError):
            await http.request("GET", "/flaky/breaker?fail=99&code=503")
    with pytest.raises(errors.CircuitOpenError) as caught:
        await http.request("GET", "/flaky/breaker?fail=99&code=503")
    assert server.base_url in str(caught.value)
    assert server.calls["breaker"] == 2  # the third call never reached the server
    rec.now += 31  # cool-down over: one probe goes through and closes the circuit on success
    server.calls["breaker"] = 1000
    assert (await http.request("GET", "/flaky/breaker?fail=99&code=503")).status_code == 200
    assert http.breaker.state == "closed"


async def test_oauth2_client_credentials_over_the_same_pool(server: LoopbackServer) -> None:
    auth = OAuth2ClientCredentials(
        server.base_url + "/oauth/token", "client-live", "client-live-secret-123456"
    )
    http = client(server, Recorder(), auth=auth)
    before = server.connections
    for _ in range(3):
        assert (await http.request("GET", "/protected")).json() == {"ok": True}
    assert auth.fetches == 1
    assert server.connections - before == 1  # token request and API calls share one connection
