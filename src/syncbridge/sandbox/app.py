"""The sandbox's FastAPI application: ``/v1`` routes, Notion-style errors, SI's middleware."""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from syncbridge.sandbox.admin import admin_router
from syncbridge.sandbox.clock import Clock
from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.demo import demo_router
from syncbridge.sandbox.errors import (
    InternalServerError,
    InvalidRequestURL,
    NotionAPIError,
    ValidationError,
)
from syncbridge.sandbox.middleware import SandboxMiddleware, build_infra
from syncbridge.sandbox.routes import request_id, router
from syncbridge.sandbox.sample import reset_workspace
from syncbridge.sandbox.webhooks import WebhookSender
from syncbridge.sandbox.workspace import EventSink, Workspace

log = logging.getLogger(__name__)


def create_app(
    config: SandboxConfig,
    *,
    clock: Clock | None = None,
    on_event: EventSink | None = None,
) -> FastAPI:
    """Build the sandbox app: an empty workspace, ``/v1``, ``/_sandbox``, ``/demo``.

    ``app.state`` holds ``config``, ``clock``, ``workspace``, ``infra`` and ``webhooks`` (a
    ``WebhookSender`` when ``config.webhook_url`` is set, else None). Events go to ``on_event``
    when given, else to the webhook sender.
    """
    clock = clock or Clock()
    infra = build_infra(config, clock)
    webhooks = WebhookSender.from_config(config, clock)
    sink = on_event or (webhooks.on_event if webhooks is not None else None)
    ws = Workspace(clock, on_event=sink)
    app = FastAPI(
        title="syncbridge Notion sandbox",
        docs_url="/_sandbox/docs",
        redoc_url=None,
        openapi_url="/_sandbox/openapi.json",
    )
    app.state.config = config
    app.state.clock = clock
    app.state.workspace = ws
    app.state.infra = infra
    app.state.webhooks = webhooks

    def reset(empty: bool) -> dict[str, str]:
        # A real re-seed (new ids), so ids from before the reset are gone, as users expect.
        ids = reset_workspace(ws, empty=empty)
        ws.flush()
        return ids

    app.include_router(admin_router(infra, reset=reset, empty=config.empty))
    app.include_router(demo_router(clock))
    app.include_router(router)
    app.add_middleware(SandboxMiddleware, infra=infra)
    _install_error_handlers(app)
    return app


def error_response(request: Request, exc: NotionAPIError) -> JSONResponse:
    """Notion's error object, with the request id in body and header."""
    rid = request_id(request)
    return JSONResponse(exc.body(rid), status_code=exc.status, headers={"x-notion-request-id": rid})


def _install_error_handlers(app: FastAPI) -> None:
    async def notion_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, NotionAPIError)
        return error_response(request, exc)

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        detail: Any = getattr(exc, "errors", lambda: [])()
        where = ".".join(str(p) for p in detail[0]["loc"]) if detail else "request"
        return error_response(request, ValidationError(f"{where} failed validation."))

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        return error_response(request, InvalidRequestURL("Invalid request URL."))

    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("sandbox bug answering %s %s", request.method, request.url.path)
        return error_response(request, InternalServerError("Unexpected error occurred."))

    app.add_exception_handler(NotionAPIError, notion_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
