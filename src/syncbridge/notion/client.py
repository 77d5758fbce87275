"""The async Notion client: the official SDK's surface on syncbridge's shared HTTP stack.

::

    client = NotionClient(token)                      # or from syncbridge import NotionClient
    page = await client.pages.retrieve(page_id=...)   # same names as notion_client.AsyncClient
    async for row in client.scan_data_source(ds_id):  # every row, past the 10,000-row cap
        ...

Requests go through :func:`syncbridge.http.get_client`: one pooled connection set and one
token bucket per (base URL, token) per event loop, retries honouring ``Retry-After``, a circuit
breaker and a response cache (schema 5 min, pages 1 min, other GETs 30 s; ``cache=False``
skips it). Errors are :mod:`syncbridge.notion.errors` classes.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Callable
from typing import Any, Literal

import httpx

from syncbridge.http import get_client
from syncbridge.http.auth import BearerAuth
from syncbridge.http.client import HttpClient
from syncbridge.http.config import CacheLifetimes, ClientConfig, Timeouts
from syncbridge.http.metrics import MetricsHook
from syncbridge.http.ratelimit import Lane
from syncbridge.http.retry import RetryPolicy
from syncbridge.notion import pagination
from syncbridge.notion.endpoints import (
    BlocksEndpoint,
    CommentsEndpoint,
    CustomEmojisEndpoint,
    DatabasesEndpoint,
    DataSourcesEndpoint,
    FileUploadsEndpoint,
    PagesEndpoint,
    UsersEndpoint,
    ViewsEndpoint,
)
from syncbridge.notion.errors import MalformedResponseError, malformed, notion_error_mapper

__all__ = ["DEFAULT_BASE_URL", "DEFAULT_VERSION", "LEGACY_VERSION", "NotionClient"]

DEFAULT_BASE_URL = "https://api.notion.com"
DEFAULT_VERSION = "2025-09-03"
LEGACY_VERSION = "2022-06-28"
"""The last version where rows are queried through databases (no data sources)."""

CacheKind = Literal["schema", "page", "other"]
Json = dict[str, Any]


class NotionClient:
    """Async client for the Notion API with the official SDK's namespaces.

    Args:
        token: The integration token (``ntn_…``/``secret_…``; the sandbox's token in tests).
            ``auth=`` is accepted too, as the official SDK names it.
        base_url: API root without ``/v1``.
        version: ``Notion-Version`` header; ``"2022-06-28"`` selects the pre-data-source API
            (``notion_version=`` is accepted too, as the SDK names it).
        rate_limit: Requests per second for this token, shared by every client of the process;
            ``0``/``None`` turns the client-side limit off.
        max_retries: Retries after the first attempt.
        retry_delay: First backoff step in seconds (a server's ``Retry-After`` always wins).
        timeout: Seconds to connect, send or read.
        config: A full HTTP configuration instead of the arguments above.
        metrics: Receives one record per request.
    """

    def __init__(
        self,
        token: str | None = None,
        *,
        auth: str | None = None,
        base_url: str = DEFAULT_BASE_URL,
        version: str = DEFAULT_VERSION,
        notion_version: str | None = None,
        rate_limit: float | None = 3.0,
        max_retries: int = 3,
        retry_delay: float = 1.0,
        timeout: float = 60.0,
        config: ClientConfig | None = None,
        metrics: MetricsHook | None = None,
    ) -> None:
        token = token if token is not None else auth
        version = notion_version or version
        if not isinstance(token, str) or not token.strip():
            raise ValueError("NotionClient needs a token (a non-empty string)")
        if not _is_version(version):
            raise ValueError(f"Notion-Version must look like YYYY-MM-DD, got {version!r}")
        self.base_url = base_url.rstrip("/")
        if self.base_url.endswith("/v1"):
            self.base_url = self.base_url[: -len("/v1")]
        self.version = version
        self.config = config or ClientConfig(
            rate=rate_limit or None,
            max_retries=max_retries,
            retry_delay=retry_delay,
            timeouts=Timeouts(connect=min(10.0, timeout), read=timeout, write=timeout),
            cache_lifetimes=CacheLifetimes(schema=300.0, page=60.0, other=30.0),
        )
        self._auth = BearerAuth(token)
        self._metrics = metrics
        self._retry = RetryPolicy(self.config.max_retries, self.config.retry_delay)
        self.users = UsersEndpoint(self)
        self.databases = DatabasesEndpoint(self)
        self.data_sources = DataSourcesEndpoint(self)
        self.pages = PagesEndpoint(self)
        self.blocks = BlocksEndpoint(self)
        self.comments = CommentsEndpoint(self)
        self.views = ViewsEndpoint(self)
        self.file_uploads = FileUploadsEndpoint(self)
        self.custom_emojis = CustomEmojisEndpoint(self)

    def __repr__(self) -> str:
        return f"NotionClient(base_url={self.base_url!r}, version={self.version!r})"

    @classmethod
    def from_settings(
        cls, settings: Any, *, token: str | None = None, **overrides: Any
    ) -> NotionClient:
        """A client configured by :class:`syncbridge.settings.Settings` (``NOTION_*``).

        Args:
            settings: The loaded settings (token, base URL, version, rate, retries, cache).
            token: Use this token instead of ``NOTION_TOKEN`` (e.g. the sandbox's).
            **overrides: Any other constructor argument.
        """
        secret = settings.notion_token
        chosen = token or (secret.get_secret_value() if secret is not None else None)
        config = ClientConfig.from_settings(settings)
        names = {"rate_limit": "rate", "max_retries": "max_retries", "retry_delay": "retry_delay"}
        tuned = {names[k]: overrides.pop(k) for k in list(overrides) if k in names}
        if "rate" in tuned:
            tuned["rate"] = tuned["rate"] or None
        if "timeout" in overrides:
            wait = float(overrides.pop("timeout"))
            tuned["timeouts"] = Timeouts(connect=min(10.0, wait), read=wait, write=wait)
        options: dict[str, Any] = {
            "base_url": settings.notion_base_url,
            "version": settings.notion_version,
            "config": config.with_(**tuned),
        }
        return cls(chosen, **{**options, **overrides})

    @property
    def legacy_databases(self) -> bool:
        """Whether rows are queried through ``databases`` (API versions before 2025-09-03)."""
        return self.version < DEFAULT_VERSION

    @property
    def http(self) -> HttpClient:
        """The pooled HTTP client of this event loop (created on first use)."""
        return get_client(
            self.base_url,
            auth=self._auth,
            config=self.config,
            error_mapper=notion_error_mapper,
            metrics=self._metrics,
        )

    async def aclose(self) -> None:
        """Nothing to release: connections are pooled per token and event loop, shared with
        every other client of the token (closing them here would break their calls in flight).
        ``syncbridge.http.close_clients()`` closes a loop's pool; it also happens at loop end.
        """

    async def __aenter__(self) -> NotionClient:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def search(self, *, lane: Lane = Lane.INTERACTIVE, **body: Any) -> Json:
        """Search pages and data sources shared with the integration (``query``, ``filter`` …).

        Notion's search index lags behind writes: never use it to find what to sync.
        """
        return await self.query("POST", "search", body=body, lane=lane)

    async def data_source_ids(
        self, database_id: str, *, lane: Lane = Lane.INTERACTIVE, cache: bool = True
    ) -> list[str]:
        """The data sources of a database; under 2022-06-28 the database itself is the table."""
        database = await self.databases.retrieve(database_id, lane=lane, cache=cache)
        sources = database.get("data_sources")
        if isinstance(sources, list):
            return [str(source["id"]) for source in sources if isinstance(source, dict)]
        if self.legacy_databases:
            return [database_id]
        raise MalformedResponseError(
            f"database {database_id} lists no data_sources under Notion-Version {self.version}"
        )

    def iterate(self, method: Callable[..., Any], **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        """Every result of a paginated call: ``client.iterate(client.users.list)``."""
        return pagination.iterate(method, **kwargs)

    def scan_data_source(self, data_source_id: str, **kwargs: Any) -> AsyncIterator[dict[str, Any]]:
        """Every row of a data source; see :func:`syncbridge.notion.pagination.scan_data_source`."""
        return pagination.scan_data_source(self, data_source_id, **kwargs)

    async def query(self, method: str, path: str, *, body: Json, lane: Lane) -> Json:
        """A read-only POST (query, search): safe to repeat, never cached."""
        params = None
        if "filter_properties" in body:
            params = {"filter_properties": body.pop("filter_properties")}
        return await self.request(method, path, body=body, query=params, lane=lane, safe=True)

    async def request(
        self,
        method: str,
        path: str,
        *,
        query: Json | None = None,
        body: Json | None = None,
        lane: Lane = Lane.INTERACTIVE,
        safe: bool | None = None,
        cache: bool = True,
        kind: CacheKind = "other",
    ) -> Json:
        """Send one request to ``/v1/{path}`` and return the JSON object Notion answered.

        Args:
            method: HTTP method.
            path: Path below ``/v1/``.
            query: Query-string parameters (``None`` values dropped).
            body: JSON body (``None`` values kept: Notion uses ``null`` to clear).
            lane: Rate-limit priority.
            safe: Whether repeating after a 5xx/timeout is harmless (default: GET only).
            cache: Use the response cache (GETs).
            kind: Which cache lifetime applies to a GET.

        Raises:
            NotionAPIError: Notion answered with an error (after retries).
            MalformedResponseError: The answer is not a JSON object.
            HTTPError: The transport failed (after retries), or the breaker is open.
        """
        if "auth" in (body or {}) or "auth" in (query or {}):
            raise TypeError("per-request auth is not supported: use one NotionClient per token")
        params = {k: v for k, v in (query or {}).items() if v is not None} or None
        if body is not None and body.get("start_cursor", "") is None:
            # Pagination helpers (ours and the SDK's) pass start_cursor=None for the first page.
            body = {k: v for k, v in body.items() if k != "start_cursor"}
        is_get = method.upper() == "GET"
        safe = is_get if safe is None else safe
        ttl = getattr(self.config.cache_lifetimes, kind) if is_get else None
        # Cached answers are keyed by URL and token, not by Notion-Version: only the default
        # version may use the shared cache, or a legacy client could read 2025-shaped answers.
        use_cache = cache and is_get and self.version == DEFAULT_VERSION

        failures = 0
        while True:
            response = await self.http.request(
                method,
                f"/v1/{path}",
                params=params,
                json=body if not is_get else None,
                headers={"Notion-Version": self.version},
                safe=safe,
                lane=lane,
                cache_ttl=ttl if use_cache else None,
                bypass_cache=not use_cache or failures > 0,
            )
            try:
                data = _decode(response)
            except MalformedResponseError as exc:
                if is_get:
                    self.http.cache.invalidate_path(
                        response.request.url.host, response.request.url.path
                    )
                # The HTTP layer retried transport and status errors already; only a garbled
                # success answer is repeated here, and only where repeating is safe.
                failures += 1
                delay = self._retry.next_delay(exc, failures, safe=safe)
                if delay is None:
                    raise
                await asyncio.sleep(delay)
                continue
            if not is_get:
                self._invalidate_related(path)
            return data

    def _invalidate_related(self, path: str) -> None:
        """Evict cached reads a write made stale beyond its own path (the HTTP layer does that one).

        A page is also a block: trashing ``blocks/{id}`` changes ``pages/{id}`` and the other way
        round. (Property items are not cached by default for the same reason.)
        """
        parts = path.split("/")
        if len(parts) < 2 or parts[0] not in ("pages", "blocks"):
            return
        host = httpx.URL(self.base_url).host
        cache = self.http.cache
        for prefix in ("pages", "blocks"):
            cache.invalidate_path(host, f"/v1/{prefix}/{parts[1]}")


def _decode(response: httpx.Response) -> Json:
    try:
        data = json.loads(response.content)
    except (ValueError, UnicodeDecodeError) as exc:
        raise malformed(response, f"body is not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise malformed(response, f"expected a JSON object, got {type(data).__name__}")
    return data


def _is_version(value: object) -> bool:
    if not isinstance(value, str) or len(value) != 10:
        return False
    year, month, day = value[:4], value[5:7], value[8:]
    return value[4] == value[7] == "-" and (year + month + day).isdigit()
