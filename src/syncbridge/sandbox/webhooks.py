"""Notion-style webhook delivery: signed event POSTs from a background thread.

Each event is a JSON body shaped like Notion's (id, timestamp, workspace_id, subscription_id,
integration_id, type, authors, entity, data, attempt_number, api_version) and carries
``X-Notion-Signature: sha256=<hex HMAC-SHA256 of the raw body, keyed with the secret>``. The
request path never waits for delivery: ``emit`` puts the event on a queue; a daemon thread sends
it and retries failures (connection errors, non-2xx answers) with exponential backoff.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import queue
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from syncbridge.sandbox.clock import Clock, iso
from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.ws_base import BOT_ID, WORKSPACE_ID

log = logging.getLogger(__name__)

INTEGRATION_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "syncbridge-sandbox/integration"))
SUBSCRIPTION_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "syncbridge-sandbox/subscription"))
EVENT_TYPES = (
    "page.created",
    "page.properties_updated",
    "page.content_updated",
    "page.moved",
    "page.deleted",
    "page.undeleted",
    "data_source.created",
    "data_source.content_updated",
    "data_source.schema_updated",
    "data_source.deleted",
    "database.created",
    "database.deleted",
    "comment.created",
)


def sign(body: bytes, secret: str) -> str:
    """The ``X-Notion-Signature`` value for ``body``: ``sha256=<hex>``."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify(body: bytes, signature: str | None, secret: str) -> bool:
    """True when ``signature`` is the signature of ``body`` (constant-time compare)."""
    return signature is not None and hmac.compare_digest(sign(body, secret), signature)


@dataclass(frozen=True)
class DeliveryStats:
    """Counts since start: events queued, delivered, given up on, and attempts made."""

    queued: int
    delivered: int
    failed: int
    attempts: int


@dataclass
class _Event:
    payload: dict[str, Any]
    attempt: int = 1
    due: float = field(default_factory=time.monotonic)


class WebhookSender:
    """Sends signed Notion-style events to ``url`` in a background thread.

    Args:
        url: Where to POST events.
        secret: The verification token the signatures are keyed with.
        clock: Sandbox clock for event timestamps.
        retries: Extra attempts after a failure (Notion makes up to 8 in all).
        backoff: First retry delay in seconds; doubles per attempt.
        timeout: Seconds per delivery attempt.
        api_version: The subscription's API version, copied into payloads.
    """

    def __init__(
        self,
        url: str,
        secret: str,
        *,
        clock: Clock | None = None,
        retries: int = 3,
        backoff: float = 0.5,
        timeout: float = 5.0,
        api_version: str = "2025-09-03",
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"webhook URL must start with http:// or https://, got {url!r}")
        if not secret:
            raise ValueError("webhook secret must not be empty")
        self.url = url
        self._secret = secret
        self.clock = clock or Clock()
        self.retries = retries
        self.backoff = backoff
        self.api_version = api_version
        self._client = httpx.Client(timeout=timeout)
        self._queue: queue.Queue[_Event | None] = queue.Queue()
        self._lock = threading.Lock()
        self._counts = {"queued": 0, "delivered": 0, "failed": 0, "attempts": 0}
        self._idle = threading.Condition(self._lock)
        self._pending = 0
        self._thread = threading.Thread(target=self._run, name="sandbox-webhooks", daemon=True)
        self._thread.start()

    @classmethod
    def from_config(cls, config: SandboxConfig, clock: Clock | None = None) -> WebhookSender | None:
        """A sender for ``--webhook-url``/``--webhook-secret``, or None when no URL is set.

        Raises:
            ValueError: a URL without a secret, or a malformed URL.
        """
        if not config.webhook_url:
            return None
        if not config.webhook_secret:
            raise ValueError("--webhook-url needs --webhook-secret (the signing key)")
        return cls(config.webhook_url, config.webhook_secret, clock=clock)

    def emit(
        self,
        event_type: str,
        entity: dict[str, Any],
        data: dict[str, Any] | None = None,
        *,
        authors: list[dict[str, Any]] | None = None,
    ) -> str:
        """Queue one event; returns its id at once (delivery happens in the background)."""
        payload = {
            "id": str(uuid.uuid4()),
            "timestamp": iso(self.clock.now()),
            "workspace_id": WORKSPACE_ID,
            "workspace_name": "Sandbox",
            "subscription_id": SUBSCRIPTION_ID,
            "integration_id": INTEGRATION_ID,
            "type": event_type,
            "authors": authors or [{"id": BOT_ID, "type": "bot"}],
            "attempt_number": 1,
            "api_version": self.api_version,
            "entity": dict(entity),
            "data": dict(data or {}),
        }
        with self._lock:
            self._counts["queued"] += 1
            self._pending += 1
        self._queue.put(_Event(payload))
        return str(payload["id"])

    def on_event(self, event_type: str, entity: dict[str, Any], data: dict[str, Any]) -> None:
        """The Workspace ``on_event`` hook."""
        self.emit(event_type, entity, data)

    def send_verification(self) -> bool:
        """Send Notion's one-time, unsigned ``{"verification_token": …}`` POST; True on 2xx."""
        try:
            response = self._client.post(self.url, json={"verification_token": self._secret})
        except httpx.HTTPError:
            return False
        return response.is_success

    def stats(self) -> DeliveryStats:
        """Delivery counts so far."""
        with self._lock:
            return DeliveryStats(**self._counts)

    def wait_idle(self, timeout: float = 10.0) -> bool:
        """Block until every queued event is delivered or given up; False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._pending == 0, timeout)

    def close(self, timeout: float = 5.0) -> None:
        """Stop the thread after the queue drains (at most ``timeout`` seconds)."""
        self.wait_idle(timeout)
        self._queue.put(None)
        self._thread.join(timeout)
        self._client.close()

    def _run(self) -> None:
        waiting: list[_Event] = []
        while True:
            delay = min((e.due for e in waiting), default=None)
            timeout = None if delay is None else max(0.0, delay - time.monotonic())
            try:
                item = self._queue.get(timeout=timeout)
            except queue.Empty:
                item = _DUE
            if item is None:
                return
            if item is not _DUE:
                waiting.append(item)
            now = time.monotonic()
            for event in [e for e in waiting if e.due <= now]:
                waiting.remove(event)
                try:
                    retry = self._deliver(event)
                except Exception:  # the thread must outlive any one bad event
                    log.exception("webhook event %s dropped", event.payload.get("id"))
                    self._finish(ok=False)
                    continue
                if retry is not None:
                    waiting.append(retry)

    def _deliver(self, event: _Event) -> _Event | None:
        """One attempt; returns the event to retry later, or None when done (either way)."""
        event.payload["attempt_number"] = event.attempt
        body = json.dumps(event.payload, separators=(",", ":"), default=str).encode()
        headers = {
            "content-type": "application/json",
            "x-notion-signature": sign(body, self._secret),
        }
        ok = False
        try:
            ok = self._client.post(self.url, content=body, headers=headers).is_success
        except httpx.HTTPError as exc:
            log.info("webhook delivery to %s failed: %s", self.url, type(exc).__name__)
        with self._lock:
            self._counts["attempts"] += 1
        if ok or event.attempt > self.retries:
            self._finish(ok=ok)
            return None
        event.due = time.monotonic() + self.backoff * 2 ** (event.attempt - 1)
        event.attempt += 1
        return event

    def _finish(self, *, ok: bool) -> None:
        with self._lock:
            self._counts["delivered" if ok else "failed"] += 1
            self._pending -= 1
            self._idle.notify_all()


_DUE = _Event({})  # sentinel: a retry came due
