"""The pure-ASGI front door of ``/v1`` and ``/_sandbox``: ids, auth, version, limits, faults, log.

Order for each request: request id -> bearer token (401) -> ``Notion-Version`` on ``/v1`` (400)
-> rate limit on ``/v1`` (429 + ``Retry-After``) -> fault injection on ``/v1`` -> the app. Every
answer, errors included, carries ``x-notion-request-id``; every request is logged (not
``GET /_sandbox/requests`` itself). Paths outside these two prefixes (``/demo``) and the admin
docs (``/_sandbox/docs``, ``/_sandbox/openapi.json``) pass untouched.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from syncbridge.sandbox.clock import Clock, iso
from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.faults import FaultInjector, FaultPlan, error_body, status_of
from syncbridge.sandbox.ratelimit import RateLimiter, retry_after_header
from syncbridge.sandbox.requestlog import RequestLog, token_id

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

JSON_TYPE = b"application/json; charset=utf-8"
UNAUTHORIZED = "API token is invalid."
MISSING_VERSION = (
    "Notion-Version header failed validation: Notion-Version header should be defined, "
    "instead was `undefined`."
)
_PREFIXES = ("/v1", "/_sandbox")
_RID_HEADER = b"x-notion-request-id"
NO_FAULTS_HEADER = b"x-sandbox-no-faults"  # "1": this request skips fault injection
# The admin API's own docs are readable without a token (a browser cannot send one).
_PUBLIC = frozenset({"/_sandbox/docs", "/_sandbox/docs/oauth2-redirect", "/_sandbox/openapi.json"})


@dataclass(frozen=True)
class SandboxInfra:
    """The shared infrastructure objects the middleware and the admin routes both use."""

    clock: Clock
    faults: FaultInjector
    limiter: RateLimiter
    log: RequestLog
    tokens: frozenset[str]


def build_infra(config: SandboxConfig, clock: Clock | None = None) -> SandboxInfra:
    """Build the infrastructure for ``config`` (raises FaultSpecError for a bad fault spec)."""
    if not config.tokens:
        raise ValueError("sandbox: at least one API token is needed")
    return SandboxInfra(
        clock=clock or Clock(),
        faults=FaultInjector(config.faults),
        limiter=RateLimiter(config.rate_limit),
        log=RequestLog(),
        tokens=frozenset(config.tokens),
    )


def _ours(path: str) -> bool:
    if path in _PUBLIC:
        return False
    return any(path == p or path.startswith(p + "/") for p in _PREFIXES)


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", ()):
        if key.lower() == name:
            return bytes(value).decode("latin-1")
    return None


def _bearer(scope: Scope) -> str | None:
    value = _header(scope, b"authorization")
    if value is None:
        return None
    scheme, _, token = value.strip().partition(" ")
    if scheme.lower() != "bearer":
        return None
    return token.strip() or None


@dataclass
class _Outcome:
    """What the log records about one answer (filled in as the request goes)."""

    status: int | None = None
    retry_after: int | None = None
    fault: str | None = None


class SandboxMiddleware:
    """Pure ASGI middleware; add with ``app.add_middleware(SandboxMiddleware, infra=infra)``.

    Args:
        app: The wrapped ASGI app.
        infra: Shared clock, fault injector, rate limiter, request log and tokens.
    """

    def __init__(self, app: ASGIApp, *, infra: SandboxInfra) -> None:
        self.app = app
        self.infra = infra
        _quiet_resets()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not _ours(scope["path"]):
            await self.app(scope, receive, send)
            return
        request_id = str(uuid.uuid4())
        scope.setdefault("state", {})["request_id"] = request_id
        outcome = _Outcome()
        started = time.perf_counter()
        at = self.infra.clock.now()

        token = _bearer(scope)
        logged = scope["method"] == "GET" and scope["path"] == "/_sandbox/requests"

        def log_once() -> None:
            nonlocal logged
            if not logged:
                logged = True
                self._log(scope, request_id, token, outcome, at, started)

        async def tagged(message: Message) -> None:
            if message["type"] == "http.response.start":
                outcome.status = message["status"]
                headers = [
                    (k, v) for k, v in message.get("headers", ()) if k.lower() != _RID_HEADER
                ]
                headers.append((_RID_HEADER, request_id.encode()))
                message = {**message, "headers": headers}
            elif not message.get("more_body", False):
                log_once()  # before the last byte goes out, so a client reading the log sees it
            await send(message)

        try:
            await self._handle(scope, receive, tagged, token, outcome)
        finally:
            log_once()

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, token: str | None, outcome: _Outcome
    ) -> None:
        rid = scope["state"]["request_id"]
        if token is None or token not in self.infra.tokens:
            await _answer(send, 401, _error(401, "unauthorized", UNAUTHORIZED, rid))
            return
        if not scope["path"].startswith("/v1"):
            await self.app(scope, receive, send)
            return
        version = _header(scope, b"notion-version")
        if not version:
            await _answer(send, 400, _error(400, "missing_version", MISSING_VERSION, rid))
            return
        scope["state"]["notion_version"] = version
        wait = self.infra.limiter.acquire(token)
        if wait > 0:
            outcome.retry_after = int(retry_after_header(wait))
            await _answer(send, 429, error_body(429, rid), retry_after=outcome.retry_after)
            return
        if _header(scope, NO_FAULTS_HEADER) == "1":  # a harness checking state; no dice used
            await self.app(scope, receive, send)
            return
        plan = self.infra.faults.plan(scope["method"], scope["path"])
        if plan.delay:
            await asyncio.sleep(plan.delay)
        if plan.kind is None:
            await self.app(scope, receive, send)
            return
        outcome.fault = plan.kind
        if plan.after:
            await self._after(scope, receive, send, plan, outcome)
        else:
            await self._before(receive, send, plan, outcome, rid)

    async def _before(
        self, receive: Receive, send: Send, plan: FaultPlan, outcome: _Outcome, rid: str
    ) -> None:
        kind = plan.kind or ""
        status = status_of(kind)
        if status is not None:
            if status in (429, 529):
                outcome.retry_after = 1
            await _answer(send, status, error_body(status, rid), retry_after=outcome.retry_after)
        elif kind == "timeout":
            await self._hold(receive, send, rid)
        elif kind == "reset":
            await _reset(send, b"")

    async def _after(
        self, scope: Scope, receive: Receive, send: Send, plan: FaultPlan, outcome: _Outcome
    ) -> None:
        captured: list[Message] = []

        async def capture(message: Message) -> None:
            captured.append(message)

        await self.app(scope, receive, capture)
        start = next((m for m in captured if m["type"] == "http.response.start"), None)
        body = b"".join(m.get("body", b"") for m in captured if m["type"] == "http.response.body")
        rid = scope["state"]["request_id"]
        kind = plan.kind or ""
        status = status_of(kind)
        if start is None:  # the app sent nothing; nothing to spoil
            return
        if status is not None:
            await _answer(send, status, error_body(status, rid))
        elif kind == "timeout_after":
            await self._hold(receive, send, rid)
        elif kind == "reset_after":
            await _reset(send, body, start)
        elif kind == "malformed":
            broken = body[: len(body) // 2] if len(body) > 1 else b'{"object":'
            await _answer(send, start["status"], broken, base=start)

    async def _hold(self, receive: Receive, send: Send, rid: str) -> None:
        """Answer nothing until the client gives up; after ``hold_seconds``, a 504."""
        try:
            async with asyncio.timeout(self.infra.faults.hold_seconds):
                while (await receive())["type"] != "http.disconnect":
                    pass
        except TimeoutError:
            await _answer(send, 504, error_body(504, rid))

    def _log(
        self,
        scope: Scope,
        request_id: str,
        token: str | None,
        outcome: _Outcome,
        at: datetime,
        started: float,
    ) -> None:
        query = scope.get("query_string", b"").decode("latin-1")
        self.infra.log.add(
            time=iso(at),
            request_id=request_id,
            method=scope["method"],
            path=scope["path"] + (f"?{query}" if query else ""),
            status=None if outcome.fault in ("reset", "reset_after") else outcome.status,
            token=token_id(token),
            duration_ms=round((time.perf_counter() - started) * 1000, 3),
            retry_after=outcome.retry_after,
            fault=outcome.fault,
        )


class _DropResetNoise(logging.Filter):
    """uvicorn logs every unfinished answer as an error; for ``reset`` faults that is the point."""

    def filter(self, record: logging.LogRecord) -> bool:
        return record.getMessage() != "ASGI callable returned without completing response."


_RESET_FILTER = _DropResetNoise()


def _quiet_resets() -> None:
    logger = logging.getLogger("uvicorn.error")
    if _RESET_FILTER not in logger.filters:
        logger.addFilter(_RESET_FILTER)


def _error(status: int, code: str, message: str, request_id: str) -> dict[str, Any]:
    return {
        "object": "error",
        "status": status,
        "code": code,
        "message": message,
        "request_id": request_id,
    }


async def _answer(
    send: Send,
    status: int,
    body: dict[str, Any] | bytes,
    *,
    retry_after: int | None = None,
    base: Message | None = None,
) -> None:
    """Send a whole answer; ``base`` keeps the headers of a captured response start."""
    raw = body if isinstance(body, bytes) else json.dumps(body, separators=(",", ":")).encode()
    headers = [
        (k, v)
        for k, v in (base or {}).get("headers", [(b"content-type", JSON_TYPE)])
        if k.lower() != b"content-length"
    ]
    headers.append((b"content-length", str(len(raw)).encode()))
    if retry_after is not None:
        headers.append((b"retry-after", str(retry_after).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": raw, "more_body": False})


async def _reset(send: Send, body: bytes, start: Message | None = None) -> None:
    """Start an answer, send part of it, and return unfinished: the server drops the connection.

    An ASGI app cannot close a socket directly; returning with the response unfinished makes the
    server (uvicorn) close the transport, and the client sees the connection end mid-answer.
    """
    length = max(len(body), 64)
    headers = [
        (k, v)
        for k, v in (start or {}).get("headers", [(b"content-type", JSON_TYPE)])
        if k.lower() != b"content-length"
    ]
    headers.append((b"content-length", str(length).encode()))
    status = start["status"] if start else 200
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
