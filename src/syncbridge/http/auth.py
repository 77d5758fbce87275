"""Authentication schemes (httpx auth flows) and a rotating key pool (seed 003's AuthManager).

Every scheme is an ``httpx.Auth`` with a ``fingerprint``: a short hash that names the credential
without revealing it; the connection pool, the rate limiter and the response cache are keyed by it.
Every secret given to a scheme is registered with :mod:`~syncbridge.http.masking`, so it is masked
in every log line and error message.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import time
import weakref
from collections.abc import AsyncGenerator, Callable, Generator
from dataclasses import dataclass
from typing import Literal

import httpx

from syncbridge.http.errors import HTTPError, parse_retry_after
from syncbridge.http.masking import mask, register_secret

__all__ = [
    "ANONYMOUS",
    "ApiKeyAuth",
    "Auth",
    "AuthError",
    "BasicAuth",
    "BearerAuth",
    "KeyPool",
    "KeyStatus",
    "NoAuth",
    "OAuth2ClientCredentials",
]

Flow = Generator[httpx.Request, httpx.Response, None]
AsyncFlow = AsyncGenerator[httpx.Request, httpx.Response]


class AuthError(HTTPError):
    """Credentials could not be obtained (e.g. the OAuth2 token endpoint refused them)."""


def _fingerprint(kind: str, *parts: str) -> str:
    digest = hashlib.sha256("\x00".join((kind, *parts)).encode()).hexdigest()
    return f"{kind}:{digest[:16]}"


class Auth(httpx.Auth):
    """Base of syncbridge's auth schemes: an httpx auth flow plus a credential fingerprint."""

    @property
    def fingerprint(self) -> str:
        """Stable, non-secret name of the credential."""
        raise NotImplementedError


class NoAuth(Auth):
    """No credentials."""

    def auth_flow(self, request: httpx.Request) -> Flow:
        yield request

    @property
    def fingerprint(self) -> str:
        return "anonymous"


ANONYMOUS = NoAuth()


class BearerAuth(Auth):
    """``Authorization: Bearer <token>`` (Notion's ``ntn_…``/``secret_…`` tokens)."""

    def __init__(self, token: str) -> None:
        if not token:
            raise ValueError("BearerAuth: the token is empty")
        register_secret(token)
        self._token = token

    def auth_flow(self, request: httpx.Request) -> Flow:
        request.headers["Authorization"] = f"Bearer {self._token}"
        yield request

    @property
    def fingerprint(self) -> str:
        return _fingerprint("bearer", self._token)

    def __repr__(self) -> str:
        return f"BearerAuth({self.fingerprint})"


class ApiKeyAuth(Auth):
    """An API key in a header (default ``X-API-Key``) or in the query string."""

    def __init__(
        self, key: str, *, name: str = "X-API-Key", location: Literal["header", "query"] = "header"
    ) -> None:
        if not key:
            raise ValueError("ApiKeyAuth: the key is empty")
        if location not in ("header", "query"):
            raise ValueError(f"ApiKeyAuth: location must be 'header' or 'query', not {location!r}")
        register_secret(key)
        self._key = key
        self.name = name
        self.location = location

    def auth_flow(self, request: httpx.Request) -> Flow:
        if self.location == "header":
            request.headers[self.name] = self._key
        else:
            request.url = request.url.copy_set_param(self.name, self._key)
        yield request

    @property
    def fingerprint(self) -> str:
        return _fingerprint("apikey", self.name, self._key)

    def __repr__(self) -> str:
        return f"ApiKeyAuth({self.fingerprint}, {self.location}={self.name})"


class BasicAuth(Auth):
    """HTTP Basic ``user:password``."""

    def __init__(self, username: str, password: str) -> None:
        register_secret(password)
        self._header = "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()
        register_secret(self._header.removeprefix("Basic "))
        self.username = username
        self._password = password

    def auth_flow(self, request: httpx.Request) -> Flow:
        request.headers["Authorization"] = self._header
        yield request

    @property
    def fingerprint(self) -> str:
        return _fingerprint("basic", self.username, self._password)

    def __repr__(self) -> str:
        return f"BasicAuth({self.username!r})"


class OAuth2ClientCredentials(Auth):
    """OAuth2 client-credentials grant: fetches a token, refreshes it before it expires.

    The token request goes through the same client (so it is pooled, timed out and masked like any
    other). A 401 on a request made with a cached token triggers one refresh and one resend.

    Args:
        token_url: absolute URL of the token endpoint.
        client_id: the client id (sent with HTTP Basic, as RFC 6749 §2.3.1 prefers).
        client_secret: the client secret.
        scope: optional space-separated scopes.
        refresh_margin: refresh this many seconds before the token expires.
        clock: monotonic seconds (injected in tests).
    """

    requires_response_body = True

    def __init__(
        self,
        token_url: str,
        client_id: str,
        client_secret: str,
        *,
        scope: str | None = None,
        refresh_margin: float = 30.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        register_secret(client_secret)
        self.token_url = token_url
        self.client_id = client_id
        self._basic = BasicAuth(client_id, client_secret)
        self._secret = client_secret
        self.scope = scope
        self.refresh_margin = refresh_margin
        self._clock = clock
        self._token: str | None = None
        self._expires = float("-inf")
        self._locks: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Lock] = (
            weakref.WeakKeyDictionary()
        )
        self.fetches = 0

    @property
    def fingerprint(self) -> str:
        return _fingerprint("oauth2", self.token_url, self.client_id, self._secret)

    def _fresh(self) -> bool:
        return self._token is not None and self._clock() < self._expires - self.refresh_margin

    def _token_request(self) -> httpx.Request:
        data = {"grant_type": "client_credentials"}
        if self.scope:
            data["scope"] = self.scope
        request = httpx.Request("POST", self.token_url, data=data)
        next(self._basic.auth_flow(request))
        return request

    def _store(self, response: httpx.Response) -> None:
        self.fetches += 1
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code != 200 or not isinstance(body, dict):
            raise AuthError(
                f"OAuth2 token endpoint {self.token_url} refused client {self.client_id!r}: "
                f"{response.status_code} {mask(response.text[:200])}",
                response=response,
            )
        token = body.get("access_token")
        if not isinstance(token, str) or not token:
            raise AuthError(f"OAuth2 token endpoint {self.token_url} sent no access_token")
        register_secret(token)
        expires_in = body.get("expires_in")
        lifetime = float(expires_in) if isinstance(expires_in, int | float) else 3600.0
        self._token = token
        self._expires = self._clock() + lifetime

    def auth_flow(self, request: httpx.Request) -> Flow:
        refreshed = False
        if not self._fresh():
            self._store((yield self._token_request()))
            refreshed = True
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401 and not refreshed:
            self._store((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    async def async_auth_flow(self, request: httpx.Request) -> AsyncFlow:
        """As :meth:`auth_flow`; concurrent requests of one event loop share one token fetch."""
        refreshed = False
        if not self._fresh():
            async with self._loop_lock():
                if not self._fresh():  # another task may have fetched it while we waited
                    await self._astore((yield self._token_request()))
                    refreshed = True
        request.headers["Authorization"] = f"Bearer {self._token}"
        response = yield request
        if response.status_code == 401 and not refreshed:
            stale = self._token
            async with self._loop_lock():
                if self._token == stale:
                    await self._astore((yield self._token_request()))
            request.headers["Authorization"] = f"Bearer {self._token}"
            yield request

    async def _astore(self, response: httpx.Response) -> None:
        await response.aread()
        self._store(response)

    def _loop_lock(self) -> asyncio.Lock:
        loop = asyncio.get_running_loop()
        lock = self._locks.get(loop)
        if lock is None:
            lock = self._locks[loop] = asyncio.Lock()
        return lock

    def __repr__(self) -> str:
        return f"OAuth2ClientCredentials({self.token_url!r}, {self.client_id!r})"


@dataclass(frozen=True)
class KeyStatus:
    """One key of a pool as status pages may show it (never the key itself)."""

    fingerprint: str
    cooling_for: float
    uses: int
    failures: int


class KeyPool(Auth):
    """Round-robin rotation over several keys, moving away from a key that got 401 or 429.

    A key answered with 401 or 429 cools down for ``cooldown`` seconds (or the 429's Retry-After,
    when longer); while another key is available it is not used. A 401 is resent once with the
    next key. When every key is cooling, the one that recovers first is used.

    Args:
        keys: the secrets.
        scheme: builds the auth of one key (default :class:`BearerAuth`).
        cooldown: seconds a failed key is avoided.
        clock: monotonic seconds (injected in tests).
    """

    def __init__(
        self,
        keys: list[str] | tuple[str, ...],
        *,
        scheme: Callable[[str], Auth] = BearerAuth,
        cooldown: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not keys:
            raise ValueError("KeyPool needs at least one key")
        self._auths = [scheme(key) for key in keys]
        self.cooldown = cooldown
        self._clock = clock
        self._next = 0
        self._cool_until = [float("-inf")] * len(keys)
        self._uses = [0] * len(keys)
        self._failures = [0] * len(keys)

    @property
    def fingerprint(self) -> str:
        return _fingerprint("pool", *sorted(a.fingerprint for a in self._auths))

    def pick(self) -> int:
        """Index of the key to use next (round robin over keys that are not cooling)."""
        now = self._clock()
        n = len(self._auths)
        for step in range(n):
            index = (self._next + step) % n
            if self._cool_until[index] <= now:
                self._next = (index + 1) % n
                return index
        return min(range(n), key=lambda i: self._cool_until[i])

    def mark_failed(self, index: int, *, seconds: float | None = None) -> None:
        """Avoid key ``index`` for ``seconds`` (default ``cooldown``)."""
        wait = max(self.cooldown, seconds or 0.0)
        self._cool_until[index] = max(self._cool_until[index], self._clock() + wait)
        self._failures[index] += 1

    def status(self) -> list[KeyStatus]:
        """Each key's fingerprint, remaining cool-down, uses and failures."""
        now = self._clock()
        return [
            KeyStatus(
                a.fingerprint, max(0.0, self._cool_until[i] - now), self._uses[i], self._failures[i]
            )
            for i, a in enumerate(self._auths)
        ]

    def _apply(self, index: int, request: httpx.Request) -> None:
        self._uses[index] += 1
        next(self._auths[index].auth_flow(request))

    def auth_flow(self, request: httpx.Request) -> Flow:
        tried: set[int] = set()
        while True:
            index = self.pick()
            tried.add(index)
            self._apply(index, request)
            response = yield request
            if response.status_code not in (401, 429):
                return
            retry_after = parse_retry_after(response.headers.get("retry-after"))
            self.mark_failed(index, seconds=retry_after)
            # A 429 is left to the retry policy (it honours Retry-After); a 401 says only this
            # key is bad, so another key may answer at once.
            if response.status_code == 429 or len(tried) == len(self._auths):
                return
            if self._cool_until[self.pick_peek()] > self._clock():
                return

    def pick_peek(self) -> int:
        """The key :meth:`pick` would choose, without advancing the rotation."""
        saved = self._next
        index = self.pick()
        self._next = saved
        return index

    def __repr__(self) -> str:
        return f"KeyPool({len(self._auths)} keys, {self.fingerprint})"
