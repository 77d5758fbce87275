"""NotionClient over real loopback HTTP: SDK surface, headers, retry safety, bad answers, cache."""

from __future__ import annotations

import inspect
import socket
from typing import Any

import httpx
import notion_client
import pytest

from syncbridge import NotionClient as Exported
from syncbridge.http import close_clients
from syncbridge.http.client import httpx_error_class
from syncbridge.http.errors import ConnectError, HTTPError, ProtocolError, TransportError
from syncbridge.notion.client import NotionClient
from syncbridge.notion.errors import (
    InternalServerError,
    MalformedResponseError,
    ObjectNotFoundError,
)
from syncbridge.notion.sync_client import SyncNotionClient

PAGE = "22222222-2222-4222-8222-222222222222"
DS = "33333333-3333-4333-8333-333333333333"

# namespace path -> method names our client must share with the official SDK.
SURFACE = {
    "users": ["me", "list", "retrieve"],
    "databases": ["create", "retrieve", "update"],
    "data_sources": ["create", "retrieve", "update", "query", "list_templates"],
    "pages": ["create", "retrieve", "update", "move", "retrieve_markdown", "update_markdown"],
    "pages.properties": ["retrieve"],
    "blocks": ["retrieve", "update", "delete"],
    "blocks.children": ["list", "append"],
    "comments": ["create", "list", "retrieve", "update", "delete"],
    "views": ["create", "retrieve", "update", "delete", "list"],
    "views.queries": ["create", "results", "delete"],
    "file_uploads": ["create", "complete", "retrieve", "list"],
    "custom_emojis": ["list"],
}


def resolve(root: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


def page(**extra: Any) -> dict[str, Any]:
    return {"object": "page", "id": PAGE, "properties": {}, **extra}


def err(status: int, code: str) -> dict[str, Any]:
    return {"object": "error", "status": status, "code": code, "message": code, "request_id": "r"}


@pytest.fixture
async def client(fake_remote: Any) -> Any:
    yield NotionClient("tok-123", base_url=fake_remote.base_url, rate_limit=None, retry_delay=0)
    await close_clients()


def test_same_namespaces_and_methods_as_the_official_sdk() -> None:
    ours = NotionClient("t")
    theirs = notion_client.AsyncClient(auth="t")
    for namespace, names in SURFACE.items():
        for name in names:
            mine, sdk = resolve(ours, namespace), resolve(theirs, namespace)
            assert inspect.iscoroutinefunction(getattr(mine, name)), f"{namespace}.{name}"
            # Path ids are the same positional/keyword names as the SDK's.
            sdk_params = [
                p
                for p in inspect.signature(getattr(sdk, name)).parameters.values()
                if p.kind is p.POSITIONAL_OR_KEYWORD
            ]
            our_params = [
                p
                for p in inspect.signature(getattr(mine, name)).parameters.values()
                if p.kind is p.POSITIONAL_OR_KEYWORD
            ]
            assert [p.name for p in our_params] == [p.name for p in sdk_params], name
    assert callable(ours.search)
    assert inspect.iscoroutinefunction(ours.databases.query)  # 2022-06-28 only, not in SDK 3
    assert Exported is NotionClient


async def test_sends_token_version_and_json(client: Any, fake_remote: Any) -> None:
    fake_remote.handler = lambda seen: (200, {}, page())
    await client.pages.update(page_id=PAGE, properties={"Done": {"checkbox": True}})
    seen = fake_remote.requests[-1]
    assert (seen.method, seen.path) == ("PATCH", f"/v1/pages/{PAGE}")
    assert seen.headers["authorization"] == "Bearer tok-123"
    assert seen.headers["notion-version"] == "2025-09-03"
    assert seen.body == {"properties": {"Done": {"checkbox": True}}}
    legacy = NotionClient("tok-123", base_url=fake_remote.base_url, version="2022-06-28")
    await legacy.databases.query(DS, filter={"property": "Done", "checkbox": {"equals": True}})
    seen = fake_remote.requests[-1]
    assert (seen.method, seen.path) == ("POST", f"/v1/databases/{DS}/query")
    assert seen.headers["notion-version"] == "2022-06-28"


async def test_query_sends_filter_properties_in_the_query_string(
    client: Any, fake_remote: Any
) -> None:
    fake_remote.handler = lambda seen: (200, {}, {"object": "list", "results": []})
    await client.data_sources.query(DS, filter_properties=["title", "abc"], page_size=10)
    seen = fake_remote.requests[-1]
    assert seen.query == {"filter_properties": ["title", "abc"]}
    assert seen.body == {"page_size": 10}


@pytest.mark.parametrize(
    ("call", "attempts"),
    [
        # Creates and appends are never blindly repeated: the first 500 is final.
        (lambda c: c.pages.create(parent={"data_source_id": DS}, properties={}), 1),
        (lambda c: c.blocks.children.append(PAGE, children=[]), 1),
        (lambda c: c.pages.update(PAGE, erase_content=True), 1),
        # Reads, queries and property-only page updates are safe to repeat.
        (lambda c: c.pages.retrieve(PAGE, cache=False), 2),
        (lambda c: c.data_sources.query(DS), 2),
        (lambda c: c.search(query="x"), 2),
        (lambda c: c.pages.update(PAGE, properties={}), 2),
    ],
)
async def test_5xx_repeated_only_where_safe(
    client: Any, fake_remote: Any, call: Any, attempts: int
) -> None:
    answers = iter([(500, {}, err(500, "internal_server_error")), (200, {}, page())])
    fake_remote.handler = lambda seen: next(answers)
    if attempts == 1:
        with pytest.raises(InternalServerError) as caught:
            await call(client)
        assert caught.value.request_id == "r"
    else:
        assert (await call(client))["id"] == PAGE
    assert len(fake_remote.requests) == attempts


async def test_429_is_repeated_for_creates_after_retry_after(client: Any, fake_remote: Any) -> None:
    answers = iter([(429, {"retry-after": "0"}, err(429, "rate_limited")), (200, {}, page())])
    fake_remote.handler = lambda seen: next(answers)
    assert (await client.pages.create(parent={"page_id": PAGE}))["id"] == PAGE
    assert len(fake_remote.requests) == 2


async def test_garbled_success_body_is_repeated_for_reads_only(
    client: Any, fake_remote: Any
) -> None:
    answers = iter([(200, {}, b'{"object":"pa'), (200, {}, page())])
    fake_remote.handler = lambda seen: next(answers)
    assert (await client.pages.retrieve(PAGE))["id"] == PAGE
    fake_remote.requests.clear()
    fake_remote.handler = lambda seen: (200, {}, b"<html>proxy</html>")
    with pytest.raises(MalformedResponseError) as caught:
        await client.pages.create(parent={"page_id": PAGE})
    assert len(fake_remote.requests) == 1  # the create may have happened: not repeated
    assert "POST" in str(caught.value)
    assert "/v1/pages" in str(caught.value)
    assert "proxy" in str(caught.value)
    fake_remote.handler = lambda seen: (200, {}, b"[1, 2]")
    with pytest.raises(MalformedResponseError, match="JSON object"):
        await client.users.me(cache=False)


async def test_error_answer_that_is_not_json(client: Any, fake_remote: Any) -> None:
    fake_remote.handler = lambda seen: (404, {"content-type": "text/html"}, b"<h1>nope</h1>")
    with pytest.raises(ObjectNotFoundError, match="not a Notion error object") as caught:
        await client.blocks.retrieve(PAGE)
    assert f"/v1/blocks/{PAGE}" in str(caught.value)


def test_every_httpx_transport_error_is_mapped() -> None:
    def walk(cls: type) -> list[type]:
        return [c for sub in cls.__subclasses__() for c in (sub, *walk(sub))]

    classes = walk(httpx.TransportError)
    assert len(classes) >= 14
    for cls in classes:
        ours = httpx_error_class(cls)
        assert ours is not None, cls
        assert issubclass(ours, HTTPError), cls
        if issubclass(cls, httpx.NetworkError | httpx.TimeoutException | httpx.RemoteProtocolError):
            assert issubclass(ours, TransportError), cls
            assert ours.transient, cls


async def test_connection_refused_and_reset_surface_as_our_errors(fake_remote: Any) -> None:
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    closed = NotionClient("t", base_url=f"http://127.0.0.1:{port}", rate_limit=None, max_retries=0)
    with pytest.raises(ConnectError):
        await closed.users.me()
    # A server that promises more body than it sends: the connection ends mid-answer.
    fake_remote.handler = lambda seen: (200, {"content-length": "500"}, b"{}")
    reset = NotionClient("t", base_url=fake_remote.base_url, rate_limit=None, max_retries=0)
    with pytest.raises(ProtocolError):
        await reset.users.me(cache=False)
    await close_clients()


async def test_cache_lifetimes_bypass_and_eviction(client: Any, fake_remote: Any) -> None:
    counter = iter(range(1000))
    fake_remote.handler = lambda seen: (200, {}, page(n=next(counter)))
    first = await client.pages.retrieve(PAGE)
    assert (await client.pages.retrieve(PAGE))["n"] == first["n"]
    assert (await client.pages.retrieve(PAGE, cache=False))["n"] > first["n"]
    await client.pages.update(PAGE, properties={})
    after_write = await client.pages.retrieve(PAGE)
    assert after_write["n"] > first["n"] + 1
    # Trashing it as a block also evicts the page.
    await client.blocks.delete(PAGE)
    assert (await client.pages.retrieve(PAGE))["n"] > after_write["n"]
    # A legacy-version client never reads answers cached under another version.
    legacy = NotionClient("tok-123", base_url=fake_remote.base_url, version="2022-06-28")
    one, two = await legacy.pages.retrieve(PAGE), await legacy.pages.retrieve(PAGE)
    assert two["n"] > one["n"]


async def test_data_source_ids_by_version(client: Any, fake_remote: Any) -> None:
    database = {"object": "database", "id": DS, "data_sources": [{"id": "a"}, {"id": "b"}]}
    fake_remote.handler = lambda seen: (200, {}, database)
    assert await client.data_source_ids(DS) == ["a", "b"]
    legacy = NotionClient("tok-123", base_url=fake_remote.base_url, version="2022-06-28")
    fake_remote.handler = lambda seen: (200, {}, {"object": "database", "id": DS})
    assert await legacy.data_source_ids(DS) == [DS]


@pytest.mark.parametrize("bad", ["", "  ", "a/b", "x?y", None, 42])
async def test_bad_ids_fail_before_any_request(client: Any, fake_remote: Any, bad: Any) -> None:
    with pytest.raises(ValueError, match="page_id"):
        await client.pages.retrieve(bad)
    assert fake_remote.requests == []


def test_bad_construction_arguments() -> None:
    with pytest.raises(ValueError, match="token"):
        NotionClient("")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        NotionClient("t", version="latest")
    assert "tok-secret" not in repr(NotionClient("tok-secret"))


def test_sync_facade_is_derived_from_the_async_client(fake_remote: Any) -> None:
    users = [{"object": "user", "id": f"u{i}"} for i in range(3)]

    def handler(seen: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        if seen.path == "/v1/users/me":
            return 200, {}, users[0]
        start = int(seen.query.get("start_cursor", ["0"])[0])
        more = start + 2 < len(users)
        return (
            200,
            {},
            {
                "object": "list",
                "results": users[start : start + 2],
                "next_cursor": str(start + 2) if more else None,
                "has_more": more,
            },
        )

    fake_remote.handler = handler
    with SyncNotionClient("t", base_url=fake_remote.base_url, rate_limit=None) as notion:
        assert notion.users.me()["id"] == "u0"
        assert notion.users.list(page_size=2)["has_more"] is True
        assert [u["id"] for u in notion.iterate(notion.users.list, page_size=2)] == [
            "u0",
            "u1",
            "u2",
        ]
        fake_remote.handler = lambda seen: (404, {}, err(404, "object_not_found"))
        with pytest.raises(ObjectNotFoundError):
            notion.pages.retrieve(PAGE)
        # Every namespace and method of the async client is there, by the same names.
        for namespace, names in SURFACE.items():
            for name in names:
                assert callable(resolve(notion, f"{namespace}.{name}"))
        assert notion.version == "2025-09-03"


async def test_sdk_code_runs_unchanged_with_our_client(fake_remote: Any) -> None:
    """``AsyncClient(auth=…)`` → ``NotionClient(auth=…)``; the SDK's own helpers still work."""
    from notion_client.helpers import async_collect_paginated_api

    def handler(seen: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        cursor = (seen.body or {}).get("start_cursor")
        assert "start_cursor" not in (seen.body or {}) or cursor is not None
        more = cursor is None
        results = [{"object": "page", "id": "second" if cursor else "first"}]
        return 200, {}, {"object": "list", "results": results, "next_cursor": "c", "has_more": more}

    fake_remote.handler = handler
    client = NotionClient(auth="tok", base_url=fake_remote.base_url, notion_version="2022-06-28")
    try:
        rows = await async_collect_paginated_api(client.data_sources.query, data_source_id=DS)
    finally:
        await close_clients()
    assert [r["id"] for r in rows] == ["first", "second"]
    assert fake_remote.requests[0].headers["notion-version"] == "2022-06-28"
    assert fake_remote.requests[0].body == {}


def test_from_settings_reads_the_notion_variables() -> None:
    from syncbridge.settings import Settings

    settings = Settings(
        notion_token="ntn_from_env",
        notion_base_url="http://127.0.0.1:9/",
        notion_version="2022-06-28",
        notion_rate_limit=7.0,
        max_retries=5,
        retry_delay=0.25,
        cache_timeout=120,
    )
    client = NotionClient.from_settings(settings)
    assert (client.base_url, client.version) == ("http://127.0.0.1:9", "2022-06-28")
    assert (client.config.rate, client.config.max_retries) == (7.0, 5)
    assert client.config.retry_delay == 0.25
    assert client.config.cache_lifetimes.schema == 120
    assert client._auth.fingerprint == NotionClient("ntn_from_env")._auth.fingerprint
    sandbox = NotionClient.from_settings(
        settings, token="sandbox-token", rate_limit=None, timeout=2
    )
    assert sandbox.config.rate is None
    assert sandbox.config.max_retries == 5
    assert sandbox.config.timeouts.read == 2
