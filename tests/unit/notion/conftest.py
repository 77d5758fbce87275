"""A scriptable stand-in for the remote Notion API: a real HTTP server on loopback.

Unit tests of the client hand it a ``handler(request) -> (status, headers, body)`` and point a
real ``NotionClient`` at ``server.base_url``; everything between (HTTP stack, retries, error
mapping) is the real code.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest


@dataclass
class Seen:
    """One request as the server received it."""

    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: Any


Answer = tuple[int, dict[str, str], bytes | dict[str, Any] | str]
Handler = Callable[[Seen], Answer]


@dataclass
class FakeRemote:
    """The running server: set ``handler``; read ``requests``."""

    base_url: str = ""
    handler: Handler = field(default=lambda seen: (404, {}, {"object": "error"}))
    requests: list[Seen] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _make_handler(remote: FakeRemote) -> type[BaseHTTPRequestHandler]:
    class _Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            return

        def _serve(self) -> None:
            length = int(self.headers.get("content-length") or 0)
            raw = self.rfile.read(length) if length else b""
            parts = urlsplit(self.path)
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = raw
            seen = Seen(
                self.command,
                parts.path,
                parse_qs(parts.query),
                {k.lower(): v for k, v in self.headers.items()},
                body,
            )
            with remote.lock:
                remote.requests.append(seen)
                status, headers, payload = remote.handler(seen)
            if isinstance(payload, dict):
                data = json.dumps(payload).encode()
                headers = {"content-type": "application/json", **headers}
            elif isinstance(payload, str):
                data = payload.encode()
            else:
                data = payload
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("content-length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        do_GET = do_POST = do_PATCH = do_DELETE = _serve

    return _Handler


@pytest.fixture
def fake_remote() -> Iterator[FakeRemote]:
    """A loopback HTTP server answering with whatever ``remote.handler`` returns."""
    remote = FakeRemote()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _make_handler(remote))
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True)
    thread.start()
    remote.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield remote
    finally:
        server.shutdown()
        server.server_close()
