"""Auth schemes, OAuth2 client credentials and key rotation, through a real httpx client."""

from __future__ import annotations

import asyncio
import base64
import json
from urllib.parse import parse_qs

import httpx
import pytest

from syncbridge.http.auth import (
    ApiKeyAuth,
    AuthError,
    BasicAuth,
    BearerAuth,
    KeyPool,
    OAuth2ClientCredentials,
)


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def echo(request: httpx.Request) -> httpx.Response:
    return httpx.Response(200, json={"headers": dict(request.headers), "url": str(request.url)})


async def send(
    auth: httpx.Auth, handler=echo, url: str = "https://api.test/v1/x"
) -> httpx.Response:
    async with httpx.AsyncClient(transport=httpx.MockTransport(handler)) as client:
        return await client.get(url, auth=auth)


async def test_bearer() -> None:
    body = (await send(BearerAuth("ntn_bearer_secret_123"))).json()
    assert body["headers"]["authorization"] == "Bearer ntn_bearer_secret_123"


async def test_api_key_in_header_and_in_query() -> None:
    header = (await send(ApiKeyAuth("k-123456789", name="X-Key"))).json()
    assert header["headers"]["x-key"] == "k-123456789"
    query = (await send(ApiKeyAuth("k-123456789", name="api_key", location="query"))).json()
    assert query["url"] == "https://api.test/v1/x?api_key=k-123456789"


async def test_basic() -> None:
    body = (await send(BasicAuth("alice", "s3cret-pass"))).json()
    expected = "Basic " + base64.b64encode(b"alice:s3cret-pass").decode()
    assert body["headers"]["authorization"] == expected


def test_fingerprints_name_credentials_without_revealing_them() -> None:
    a, b = BearerAuth("ntn_fp_secret_one_1"), BearerAuth("ntn_fp_secret_two_2")
    assert a.fingerprint == BearerAuth("ntn_fp_secret_one_1").fingerprint
    assert a.fingerprint != b.fingerprint
    assert "secret" not in a.fingerprint
    assert "ntn_" not in a.fingerprint
    assert ApiKeyAuth("same-secret-1").fingerprint != BearerAuth("same-secret-1").fingerprint


def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="empty"):
        BearerAuth("")
    with pytest.raises(ValueError, match="location"):
        ApiKeyAuth("k-123456", location="cookie")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="at least one key"):
        KeyPool([])


class TokenServer:
    """A token endpoint and an API that accepts only the newest token."""

    def __init__(self, lifetime: int = 3600) -> None:
        self.issued: list[str] = []
        self.lifetime = lifetime
        self.refuse = False

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            assert request.headers["authorization"].startswith("Basic ")
            form = parse_qs(request.content.decode())
            assert form["grant_type"] == ["client_credentials"]
            if self.refuse:
                return httpx.Response(401, json={"error": "invalid_client"})
            token = f"tok-{len(self.issued) + 1}-abcdef"
            self.issued.append(token)
            return httpx.Response(200, json={"access_token": token, "expires_in": self.lifetime})
        if request.headers.get("authorization") != f"Bearer {self.issued[-1]}":
            return httpx.Response(401, json={"error": "expired"})
        return httpx.Response(200, json={"token": self.issued[-1]})


async def test_oauth2_fetches_once_and_reuses_the_token() -> None:
    server, clock = TokenServer(), Clock()
    auth = OAuth2ClientCredentials(
        "https://auth.test/oauth/token", "client", "client-secret-xyz", clock=clock
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
        for _ in range(3):
            assert (await client.get("https://api.test/v1/x", auth=auth)).status_code == 200
    assert server.issued == ["tok-1-abcdef"]
    assert auth.fetches == 1


async def test_oauth2_refreshes_before_expiry() -> None:
    server, clock = TokenServer(lifetime=100), Clock()
    auth = OAuth2ClientCredentials(
        "https://auth.test/oauth/token", "c", "client-secret-xyz", refresh_margin=10, clock=clock
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
        await client.get("https://api.test/v1/x", auth=auth)
        clock.now += 89
        await client.get("https://api.test/v1/x", auth=auth)
        assert auth.fetches == 1
        clock.now += 2  # now within the 10 s margin
        response = await client.get("https://api.test/v1/x", auth=auth)
    assert response.json() == {"token": "tok-2-abcdef"}
    assert auth.fetches == 2


async def test_oauth2_refreshes_once_on_401() -> None:
    server, clock = TokenServer(), Clock()
    auth = OAuth2ClientCredentials(
        "https://auth.test/oauth/token", "c", "cs-123456789", clock=clock
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(server)) as client:
        await client.get("https://api.test/v1/x", auth=auth)
        server.issued.append("tok-revoked-elsewhere")  # the server no longer accepts ours
        response = await client.get("https://api.test/v1/x", auth=auth)
    assert response.status_code == 200
    assert auth.fetches == 2


async def test_oauth2_refused_credentials_raise_a_masked_auth_error() -> None:
    server, clock = TokenServer(), Clock()
    server.refuse = True
    auth = OAuth2ClientCredentials(
        "https://auth.test/oauth/token", "c", "client-secret-never-shown", clock=clock
    )
    with pytest.raises(AuthError, match="refused client 'c'") as caught:
        await send(auth, server)
    assert "client-secret-never-shown" not in str(caught.value)


def keyed(statuses: dict[str, list[int]]):
    """A remote answering per key with the next status of that key's script (then 200)."""
    used: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        key = request.headers["authorization"].removeprefix("Bearer ")
        used.append(key)
        script = statuses.get(key, [])
        code = script.pop(0) if script else 200
        headers = {"Retry-After": "120"} if code == 429 else {}
        return httpx.Response(code, headers=headers, json={"key": key})

    return used, handler


async def test_key_pool_rotates_round_robin() -> None:
    used, handler = keyed({})
    pool = KeyPool(["key-aaaaaaaa", "key-bbbbbbbb", "key-cccccccc"], clock=Clock())
    for _ in range(6):
        await send(pool, handler)
    assert used == ["key-aaaaaaaa", "key-bbbbbbbb", "key-cccccccc"] * 2


async def test_key_pool_resends_a_401_with_the_next_key_and_avoids_the_bad_one() -> None:
    clock = Clock()
    used, handler = keyed({"key-aaaaaaaa": [401]})
    pool = KeyPool(["key-aaaaaaaa", "key-bbbbbbbb"], cooldown=60, clock=clock)
    response = await send(pool, handler)
    assert response.status_code == 200
    assert response.json() == {"key": "key-bbbbbbbb"}
    for _ in range(3):
        await send(pool, handler)
    assert used == ["key-aaaaaaaa"] + ["key-bbbbbbbb"] * 4
    clock.now += 61  # cool-down over: the key is tried again
    await send(pool, handler)
    assert used[-1] == "key-aaaaaaaa"
    status = {s.fingerprint: s for s in pool.status()}
    assert sorted(s.failures for s in status.values()) == [0, 1]


async def test_key_pool_moves_away_from_a_429_key_for_its_retry_after() -> None:
    clock = Clock()
    used, handler = keyed({"key-aaaaaaaa": [429]})
    pool = KeyPool(["key-aaaaaaaa", "key-bbbbbbbb"], cooldown=10, clock=clock)
    assert (await send(pool, handler)).status_code == 429  # left to the retry policy
    clock.now += 60  # past the cool-down but not the 120 s Retry-After
    for _ in range(3):
        await send(pool, handler)
    assert used == ["key-aaaaaaaa"] + ["key-bbbbbbbb"] * 3
    assert pool.status()[0].cooling_for == pytest.approx(60.0)


async def test_key_pool_with_every_key_cooling_uses_the_one_recovering_first() -> None:
    clock = Clock()
    used, handler = keyed({"key-aaaaaaaa": [401], "key-bbbbbbbb": [401]})
    pool = KeyPool(["key-aaaaaaaa", "key-bbbbbbbb"], cooldown=60, clock=clock)
    assert (await send(pool, handler)).status_code == 401
    clock.now += 1
    pool.mark_failed(1, seconds=300)
    await send(pool, handler)
    assert used[-1] == "key-aaaaaaaa"


async def test_key_pool_with_api_key_scheme() -> None:
    used: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        used.append(request.url.params["key"])
        return httpx.Response(200, content=json.dumps({}).encode())

    pool = KeyPool(
        ["q-11111111", "q-22222222"],
        scheme=lambda k: ApiKeyAuth(k, name="key", location="query"),
        clock=Clock(),
    )
    await send(pool, handler)
    await send(pool, handler)
    assert used == ["q-11111111", "q-22222222"]


async def test_oauth2_concurrent_first_requests_share_one_token_fetch() -> None:
    server, clock = TokenServer(), Clock()

    async def slow_server(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/oauth/token":
            await asyncio.sleep(0.01)  # the token endpoint takes a while; others pile up
        return server(request)

    auth = OAuth2ClientCredentials(
        "https://auth.test/oauth/token", "c", "cs-concurrent-1", clock=clock
    )
    async with httpx.AsyncClient(transport=httpx.MockTransport(slow_server)) as client:
        answers = await asyncio.gather(
            *(client.get("https://api.test/v1/x", auth=auth) for _ in range(5))
        )
    assert [a.status_code for a in answers] == [200] * 5
    assert auth.fetches == 1
