"""A small misbehaving HTTP server on loopback for the HTTP stack's integration tests.

A FastAPI app served by uvicorn in a daemon thread. It counts TCP connections (a uvicorn h11
protocol subclass), counts requests per key, and can answer with any status and Retry-After,
answer slowly, or drop the connection without an answer.

Routes (``key`` names a counter, so a test can script "fail N times, then succeed"):
    GET  /json                          {"ok": true}
    ANY  /echo                          method, path, query, headers and JSON body as received
    ANY  /status/{code}?retry_after=S   that status (JSON body), Retry-After when given
    ANY  /flaky/{key}?fail=N&code=C&retry_after=S   C for the first N calls of key, then 200
    ANY  /reset/{key}?fail=N            drop the connection the first N calls, then 200
    ANY  /slow?seconds=S                answer after S seconds
    POST /oauth/token                   OAuth2 client-credentials token endpoint
    GET  /protected                     200 only with the newest issued bearer token
    POST /graphql                       a tiny GraphQL endpoint (see ``graphql``)
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from uvicorn.protocols.http.h11_impl import H11Protocol


class LoopbackServer:
    """Runs the app on 127.0.0.1 with a free port; use as a context manager."""

    def __init__(self) -> None:
        self.connections = 0
        self.calls: Counter[str] = Counter()
        self.requests: list[dict[str, Any]] = []
        self.tokens: list[str] = []
        self._transports: dict[int, asyncio.Transport] = {}
        self.app = self._build_app()
        server = self

        class CountingProtocol(H11Protocol):
            def connection_made(self, transport: asyncio.BaseTransport) -> None:
                server.connections += 1
                peer = transport.get_extra_info("peername")
                if peer:
                    server._transports[peer[1]] = transport  # type: ignore[assignment]
                super().connection_made(transport)  # type: ignore[arg-type]

        config = uvicorn.Config(
            self.app,
            host="127.0.0.1",
            port=0,
            http=CountingProtocol,
            ws="none",
            lifespan="off",
            log_level="critical",
        )
        self._server = uvicorn.Server(config)
        self._thread = threading.Thread(target=self._server.run, daemon=True)
        self.base_url = ""

    def __enter__(self) -> LoopbackServer:
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("loopback server did not start")
            time.sleep(0.01)
        port = self._server.servers[0].sockets[0].getsockname()[1]
        self.base_url = f"http://127.0.0.1:{port}"
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.should_exit = True
        self._thread.join(timeout=10)

    def _drop(self, request: Request) -> None:
        client = request.client
        transport = self._transports.get(client.port) if client else None
        if transport is not None:
            transport.abort()

    def _build_app(self) -> FastAPI:
        app = FastAPI()

        @app.middleware("http")
        async def log(request: Request, call_next: Any) -> Response:
            self.requests.append(
                {"method": request.method, "path": request.url.path, "headers": request.headers}
            )
            response: Response = await call_next(request)
            return response

        @app.get("/json")
        async def json_ok() -> dict[str, Any]:
            return {"ok": True}

        @app.api_route("/echo", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
        async def echo(request: Request) -> dict[str, Any]:
            body = await request.body()
            return {
                "method": request.method,
                "path": request.url.path,
                "query": dict(request.query_params),
                "headers": dict(request.headers),
                "json": (await request.json()) if body else None,
            }

        @app.api_route("/status/{code}", methods=["GET", "POST", "PATCH", "DELETE"])
        async def status(code: int, retry_after: str | None = None) -> Response:
            headers = {"Retry-After": retry_after} if retry_after is not None else {}
            return JSONResponse({"status": code}, status_code=code, headers=headers)

        @app.api_route("/flaky/{key}", methods=["GET", "POST", "PATCH", "DELETE"])
        async def flaky(
            key: str, fail: int = 1, code: int = 500, retry_after: str | None = None
        ) -> Response:
            self.calls[key] += 1
            if self.calls[key] <= fail:
                headers = {"Retry-After": retry_after} if retry_after is not None else {}
                return JSONResponse({"failed": self.calls[key]}, status_code=code, headers=headers)
            return JSONResponse({"ok": True, "calls": self.calls[key]})

        @app.api_route("/reset/{key}", methods=["GET", "POST"])
        async def reset(key: str, request: Request, fail: int = 1) -> Response:
            self.calls[key] += 1
            if self.calls[key] <= fail:
                self._drop(request)
                await asyncio.sleep(0.5)  # the connection is gone; nothing will be sent
            return JSONResponse({"ok": True, "calls": self.calls[key]})

        @app.api_route("/slow", methods=["GET", "POST"])
        async def slow(seconds: float = 1.0, key: str = "slow") -> dict[str, Any]:
            self.calls[key] += 1
            await asyncio.sleep(seconds)
            return {"ok": True}

        @app.post("/oauth/token")
        async def token(request: Request) -> Response:
            form = (await request.body()).decode()
            if "grant_type=client_credentials" not in form:
                return JSONResponse({"error": "unsupported_grant_type"}, status_code=400)
            if not request.headers.get("authorization", "").startswith("Basic "):
                return JSONResponse({"error": "invalid_client"}, status_code=401)
            self.tokens.append(f"live-token-{len(self.tokens) + 1:04d}-abcdef")
            return JSONResponse({"access_token": self.tokens[-1], "expires_in": 3600})

        @app.get("/protected")
        async def protected(request: Request) -> Response:
            if (
                not self.tokens
                or request.headers.get("authorization") != f"Bearer {self.tokens[-1]}"
            ):
                return JSONResponse({"error": "unauthorized"}, status_code=401)
            return JSONResponse({"ok": True})

        @app.post("/graphql")
        async def graphql(request: Request) -> dict[str, Any]:
            return graphql_answer(await request.json())

        return app


def graphql_answer(body: dict[str, Any]) -> dict[str, Any]:
    """Answers ``{ hello }``, ``query($n: Int) { square(n: $n) }`` and anything else with errors."""
    query = body.get("query", "")
    variables = body.get("variables") or {}
    if "square" in query:
        n = variables.get("n")
        if not isinstance(n, int):
            return {"data": None, "errors": [{"message": "Variable $n of type Int! was not given"}]}
        return {"data": {"square": n * n}}
    if "hello" in query:
        return {"data": {"hello": "world"}}
    if "partial" in query:
        return {
            "data": {"partial": {"a": 1, "b": None}},
            "errors": [{"message": "b failed", "path": ["partial", "b"]}],
        }
    return {"errors": [{"message": f"Cannot query field in {query!r}"}]}
