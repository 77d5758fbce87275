"""Webhook delivery to a tiny real HTTP receiver: signatures, payload shape, retries."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.webhooks import WebhookSender, sign, verify

SECRET = "secret_verification_token"


class Receiver:
    """Records POSTs; answers 500 to the first ``fail_first`` of them."""

    def __init__(self, fail_first: int = 0) -> None:
        self.received: list[tuple[bytes, dict[str, str]]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                receiver.received.append((body, {k.lower(): v for k, v in self.headers.items()}))
                status = 500 if len(receiver.received) <= receiver.fail_first else 200
                self.send_response(status)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/webhooks/notion"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    r = Receiver()
    yield r
    r.close()


def test_signature_helpers() -> None:
    body = b'{"a":1}'
    signature = sign(body, SECRET)
    assert signature.startswith("sha256=")
    assert len(signature) == len("sha256=") + 64
    assert verify(body, signature, SECRET)
    assert not verify(body + b" ", signature, SECRET)
    assert not verify(body, signature, "other")
    assert not verify(body, None, SECRET)


def test_events_arrive_signed_and_shaped_like_notion(receiver: Receiver) -> None:
    sender = WebhookSender(receiver.url, SECRET)
    try:
        first = sender.emit("page.created", {"id": "p1", "type": "page"}, {"parent": {}})
        sender.on_event(
            "page.properties_updated",
            {"id": "p1", "type": "page"},
            {"updated_properties": ["title"]},
        )
        assert sender.wait_idle()
    finally:
        sender.close()
    assert len(receiver.received) == 2
    for body, headers in receiver.received:
        assert verify(body, headers["x-notion-signature"], SECRET)
        assert headers["content-type"] == "application/json"
    event = json.loads(receiver.received[0][0])
    assert event["id"] == first
    assert event["type"] == "page.created"
    assert event["entity"] == {"id": "p1", "type": "page"}
    assert set(event) >= {
        "id",
        "timestamp",
        "workspace_id",
        "subscription_id",
        "integration_id",
        "type",
        "authors",
        "entity",
        "data",
        "attempt_number",
        "api_version",
    }
    assert event["timestamp"].endswith("Z")
    assert json.loads(receiver.received[1][0])["data"] == {"updated_properties": ["title"]}
    assert sender.stats().delivered == 2


def test_failed_deliveries_are_retried_with_a_new_signature() -> None:
    receiver = Receiver(fail_first=2)
    sender = WebhookSender(receiver.url, SECRET, backoff=0.01, retries=3)
    try:
        sender.emit("page.deleted", {"id": "p2", "type": "page"})
        assert sender.wait_idle()
    finally:
        sender.close()
        receiver.close()
    attempts = [json.loads(body)["attempt_number"] for body, _ in receiver.received]
    assert attempts == [1, 2, 3]
    assert all(verify(body, h["x-notion-signature"], SECRET) for body, h in receiver.received)
    assert len({json.loads(body)["id"] for body, _ in receiver.received}) == 1
    assert sender.stats().delivered == 1


def test_gives_up_after_retries_and_never_blocks() -> None:
    receiver = Receiver(fail_first=100)
    sender = WebhookSender(receiver.url, SECRET, backoff=0.01, retries=1)
    try:
        sender.emit("page.created", {"id": "p3", "type": "page"})
        assert sender.wait_idle()
    finally:
        sender.close()
        receiver.close()
    assert len(receiver.received) == 2
    stats = sender.stats()
    assert (stats.delivered, stats.failed, stats.attempts) == (0, 1, 2)


def test_from_config_and_bad_settings() -> None:
    assert WebhookSender.from_config(SandboxConfig()) is None
    with pytest.raises(ValueError, match="needs --webhook-secret"):
        WebhookSender.from_config(SandboxConfig(webhook_url="http://127.0.0.1:9/x"))
    with pytest.raises(ValueError, match="must start with http"):
        WebhookSender("ftp://x", SECRET)
