"""Running the sandbox: ``SandboxServer`` (uvicorn in a thread, for tests) and ``serve`` (CLI)."""

from __future__ import annotations

import socket
import threading
import time
from types import TracebackType

import uvicorn
from fastapi import FastAPI

from syncbridge.sandbox.app import create_app
from syncbridge.sandbox.clock import Clock
from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.persistence import attach_store
from syncbridge.sandbox.seeding import seed_sample
from syncbridge.sandbox.workspace import Workspace


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def build(config: SandboxConfig, *, clock: Clock | None = None) -> FastAPI:
    """The app for ``config``: persisted state loaded, the sample workspace seeded if wanted."""
    app = create_app(config, clock=clock)
    ws: Workspace = app.state.workspace
    app.state.sample_ids = {}
    fresh = True
    if config.data is not None:
        fresh = attach_store(ws, config.data)
    if fresh and not config.empty:
        app.state.sample_ids = seed_sample(ws)
        ws.flush()
    return app


class SandboxServer:
    """The sandbox on loopback in a daemon thread; a context manager.

    Attributes:
        base_url: e.g. ``"http://127.0.0.1:54321"`` (port chosen when ``config.port == 0``).
        app: The FastAPI app.
        workspace: Its workspace (tests may create data through it directly).
        sample_ids: Ids of the sample workspace's objects by name (empty with ``empty=True``).
    """

    def __init__(self, config: SandboxConfig, *, clock: Clock | None = None) -> None:
        port = config.port or _free_port(config.host)
        self.config = config
        self.app = build(config, clock=clock)
        self.workspace: Workspace = self.app.state.workspace
        self.sample_ids: dict[str, str] = self.app.state.sample_ids
        self.base_url = f"http://{config.host}:{port}"
        self._server = uvicorn.Server(
            uvicorn.Config(
                self.app, host=config.host, port=port, log_level="warning", lifespan="off"
            )
        )
        self._thread: threading.Thread | None = None

    def start(self) -> SandboxServer:
        """Start serving; returns once the port accepts connections."""
        self._thread = threading.Thread(target=self._server.run, name="sandbox", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if not self._thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError(f"sandbox did not start on {self.base_url}")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        """Stop serving and write any unsaved state."""
        if self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)
            self._thread = None
        self.workspace.flush()
        if self.app.state.webhooks is not None:
            self.app.state.webhooks.close()

    def __enter__(self) -> SandboxServer:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def serve(config: SandboxConfig) -> None:
    """Run the sandbox in the foreground until interrupted (``syncbridge sandbox``)."""
    app = build(config)
    try:
        uvicorn.run(app, host=config.host, port=config.port, log_level="info", lifespan="off")
    finally:
        app.state.workspace.flush()
        if app.state.webhooks is not None:
            app.state.webhooks.close()
