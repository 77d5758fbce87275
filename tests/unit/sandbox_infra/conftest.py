"""A tiny real server in a thread for the sandbox-infra tests (uvicorn on a free loopback port)."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI, Request

from syncbridge.sandbox.clock import Clock
from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.middleware import SandboxInfra, SandboxMiddleware, build_infra


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadServer:
    """uvicorn serving ``app`` on 127.0.0.1 in a daemon thread."""

    def __init__(self, app: Any) -> None:
        self.port = _free_port()
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="critical")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)
        self.base_url = f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.thread.start()
        deadline = time.monotonic() + 10
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("test server did not start")
            time.sleep(0.01)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)


@pytest.fixture
def serve() -> Iterator[Callable[[Any], ThreadServer]]:
    """Start any ASGI app on a real loopback port; stopped after the test."""
    servers: list[ThreadServer] = []

    def start(app: Any) -> ThreadServer:
        server = ThreadServer(app)
        server.start()
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


def echo_app(infra: SandboxInfra, writes: list[str]) -> FastAPI:
    """A stand-in for the sandbox app: echoes, and records every write it applies."""
    app = FastAPI()
    app.add_middleware(SandboxMiddleware, infra=infra)

    @app.get("/v1/echo")
    async def echo(request: Request) -> dict[str, Any]:
        return {
            "object": "echo",
            "request_id": request.state.request_id,
            "version": request.state.notion_version,
        }

    @app.post("/v1/pages")
    async def create(request: Request) -> dict[str, Any]:
        body = await request.json()
        writes.append(body["name"])
        return {"object": "page", "name": body["name"], "request_id": request.state.request_id}

    @app.get("/_sandbox/ping")
    async def ping() -> dict[str, str]:
        return {"ok": "yes"}

    @app.get("/demo/open")
    async def open_route() -> dict[str, str]:
        return {"open": "yes"}

    return app


@pytest.fixture
def infra_server(
    serve: Callable[[Any], ThreadServer],
) -> Callable[..., tuple[ThreadServer, SandboxInfra, list[str]]]:
    """Build infra from SandboxConfig overrides and serve the echo app behind the middleware."""

    def make(**overrides: Any) -> tuple[ThreadServer, SandboxInfra, list[str]]:
        overrides.setdefault("rate_limit", 0)
        infra = build_infra(SandboxConfig(**overrides), Clock())
        writes: list[str] = []
        return serve(echo_app(infra, writes)), infra, writes

    return make
