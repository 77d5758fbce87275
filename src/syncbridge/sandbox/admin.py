"""The sandbox's own control routes under ``/_sandbox`` (faults, clock, reset, request log).

They take the same bearer tokens as ``/v1`` (the middleware checks) and answer errors as Notion's
error object, so any Notion client library can drive them. A PUT replaces the whole setting.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from syncbridge.sandbox.clock import parse_time
from syncbridge.sandbox.faults import FaultSpecError, parse_spec, spec_from_json
from syncbridge.sandbox.middleware import SandboxInfra

ResetFn = Callable[[bool], Mapping[str, str]]
_MAX_LIMIT = 10_000


def _error(request: Request, message: str, status: int = 400) -> JSONResponse:
    code = "validation_error" if status == 400 else "object_not_found"
    return JSONResponse(
        {
            "object": "error",
            "status": status,
            "code": code,
            "message": message,
            "request_id": getattr(request.state, "request_id", ""),
        },
        status_code=status,
    )


async def _json_body(request: Request) -> Any:
    """The body as JSON (None when empty); a body that is not JSON is returned as text.

    The content type is not trusted: ``curl -d '{...}'`` sends JSON as a form.
    """
    raw = await request.body()
    if not raw.strip():
        return None
    text = raw.decode("utf-8", errors="replace")
    try:
        return json.loads(text)
    except ValueError:
        return text


def admin_router(infra: SandboxInfra, *, reset: ResetFn, empty: bool = False) -> APIRouter:
    """The ``/_sandbox`` routes: faults, clock, reset and requests.

    Args:
        infra: The shared infrastructure (faults, clock, limiter, log).
        reset: ``reset(empty)`` restores the workspace (sample unless ``empty``); returns the
            sample's ids by name.
        empty: What ``POST /_sandbox/reset`` restores when the body does not say.
    """
    router = APIRouter(prefix="/_sandbox", tags=["sandbox admin"])

    def faults_state() -> dict[str, Any]:
        spec = infra.faults.spec
        return {
            "object": "sandbox_faults",
            "spec": spec.to_text(),
            "faults": spec.to_json(),
            "pending_script": infra.faults.pending_script(),
            "hold_seconds": infra.faults.hold_seconds,
        }

    @router.get("/faults")
    async def get_faults() -> dict[str, Any]:
        return faults_state()

    @router.put("/faults", response_model=None)
    async def put_faults(request: Request) -> dict[str, Any] | JSONResponse:
        body = await _json_body(request)
        try:
            spec = parse_spec(body) if isinstance(body, str) else spec_from_json(body)
        except FaultSpecError as exc:
            return _error(request, str(exc))
        infra.faults.set(spec)
        return faults_state()

    @router.get("/clock")
    async def get_clock() -> dict[str, Any]:
        return {"object": "sandbox_clock", **infra.clock.state()}

    @router.put("/clock", response_model=None)
    async def put_clock(request: Request) -> dict[str, Any] | JSONResponse:
        body = await _json_body(request)
        try:
            _apply_clock(infra, body)
        except ValueError as exc:
            return _error(request, f"clock: {exc}")
        return {"object": "sandbox_clock", **infra.clock.state()}

    @router.post("/reset", response_model=None)
    async def post_reset(request: Request) -> dict[str, Any] | JSONResponse:
        body = await _json_body(request)
        if body is not None and not isinstance(body, dict):
            return _error(request, 'reset: body must be a JSON object like {"empty": true}')
        want_empty = (body or {}).get("empty", empty)
        if not isinstance(want_empty, bool):
            return _error(request, f"reset: empty must be true or false, got {want_empty!r}")
        ids = dict(reset(want_empty))
        infra.limiter.reset()
        if (body or {}).get("clear_log") is True:
            infra.log.clear()
        return {"object": "sandbox_reset", "empty": want_empty, "ids": ids}

    @router.get("/requests", response_model=None)
    async def get_requests(
        request: Request, since: str | None = None, limit: int = 1000
    ) -> dict[str, Any] | JSONResponse:
        if not 0 <= limit <= _MAX_LIMIT:
            return _error(request, f"requests: limit must be in 0..{_MAX_LIMIT}, got {limit}")
        try:
            after = _since(since)
        except ValueError as exc:
            return _error(request, f"requests: {exc}")
        entries = infra.log.entries(since=after, limit=limit)
        last = entries[-1].seq if entries else (after if isinstance(after, int) else None)
        return {
            "object": "list",
            "results": [e.to_json() for e in entries],
            "next_since": last,
        }

    return router


def _since(value: str | None) -> int | datetime | None:
    """``since`` is a sequence number ("42") or an ISO time ("2025-01-02T03:04:05Z")."""
    if value is None or value == "":
        return None
    if value.strip().isdigit():
        return int(value)
    try:
        return parse_time(value)
    except ValueError:
        raise ValueError(f"since must be a sequence number or an ISO time, got {value!r}") from None


def _apply_clock(infra: SandboxInfra, body: Any) -> None:
    """Apply ``{"frozen": bool?, "at": ISO?, "advance": seconds?}`` (at, then advance, then run).

    ``{"frozen": true}`` freezes now; ``{"at": T}`` freezes at T; ``{"at": T, "frozen": false}``
    jumps to T and runs on; ``{"advance": 90}`` moves 90 s forward; ``{"frozen": false}``
    unfreezes; ``{"reset": true}`` returns to plain system time.
    """
    if not isinstance(body, dict):
        raise ValueError('body must be a JSON object like {"frozen": true, "advance": 60}')
    unknown = set(body) - {"frozen", "at", "advance", "reset"}
    if unknown:
        raise ValueError(f"unknown field(s) {sorted(unknown)}; use frozen, at, advance, reset")
    frozen, at, advance = body.get("frozen"), body.get("at"), body.get("advance", 0)
    if frozen is not None and not isinstance(frozen, bool):
        raise ValueError(f"frozen must be true or false, got {frozen!r}")
    if isinstance(advance, bool) or not isinstance(advance, int | float) or advance < 0:
        raise ValueError(f"advance must be a number of seconds >= 0, got {advance!r}")
    if at is not None and not isinstance(at, str):
        raise ValueError(f"at must be an ISO time string, got {at!r}")
    when = parse_time(at) if at is not None else None
    clock = infra.clock
    if body.get("reset") is True:
        clock.reset()
    if when is not None or frozen is True:
        clock.freeze(when)
    if advance:
        clock.advance(float(advance))
    if frozen is False:
        clock.unfreeze()
