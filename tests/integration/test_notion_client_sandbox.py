"""NotionClient end to end against the sandbox: every namespace, both API versions, errors."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from syncbridge.http import close_clients
from syncbridge.notion.blocks import append_blocks, read_tree, to_markdown, to_plain_text
from syncbridge.notion.client import NotionClient
from syncbridge.notion.errors import (
    ObjectNotFoundError,
    UnauthorizedError,
    ValidationError,
)
from syncbridge.notion.pagination import Checkpoint
from syncbridge.notion.sync_client import SyncNotionClient

TOKEN = "sandbox-token"


@pytest.fixture(scope="module")
def sandbox() -> Iterator[Any]:
    """One sandbox for this module: the tests make their own objects and never collide.

    (Starting a sample workspace takes seconds; the conftest fixture would start one per test.)
    """
    from syncbridge.sandbox.config import SandboxConfig
    from syncbridge.sandbox.server import SandboxServer

    server = SandboxServer(SandboxConfig(port=0, rate_limit=0.0, faults="")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def notion(sandbox: Any) -> Any:
    yield NotionClient(TOKEN, base_url=sandbox.base_url, rate_limit=None)
    await close_clients()


async def first_page_id(notion: NotionClient) -> str:
    found = await notion.search(filter={"property": "object", "value": "page"}, page_size=1)
    return str(found["results"][0]["id"])


async def make_database(notion: NotionClient) -> tuple[str, str]:
    parent = await first_page_id(notion)
    database = await notion.databases.create(
        parent={"type": "page_id", "page_id": parent},
        title=[{"text": {"content": "Client test"}}],
        initial_data_source={"properties": {"Name": {"title": {}}, "Score": {"number": {}}}},
    )
    return database["id"], database["data_sources"][0]["id"]


async def test_users(notion: NotionClient) -> None:
    me = await notion.users.me()
    assert me["type"] == "bot"
    everyone = [u async for u in notion.iterate(notion.users.list, page_size=2)]
    assert me["id"] in {u["id"] for u in everyone}
    assert (await notion.users.retrieve(everyone[0]["id"]))["id"] == everyone[0]["id"]


async def test_databases_data_sources_pages(notion: NotionClient) -> None:
    database_id, ds = await make_database(notion)
    assert await notion.data_source_ids(database_id) == [ds]
    schema = await notion.data_sources.retrieve(ds)
    assert set(schema["properties"]) == {"Name", "Score"}
    await notion.data_sources.update(ds, properties={"Note": {"rich_text": {}}})
    # The schema cache was evicted by the write to the same path.
    assert "Note" in (await notion.data_sources.retrieve(ds))["properties"]
    await notion.databases.update(database_id, title=[{"text": {"content": "Renamed"}}])
    assert (await notion.databases.retrieve(database_id))["title"][0]["plain_text"] == "Renamed"

    page = await notion.pages.create(
        parent={"type": "data_source_id", "data_source_id": ds},
        properties={"Name": {"title": [{"text": {"content": "One"}}]}, "Score": {"number": 1}},
    )
    await notion.pages.update(page["id"], properties={"Score": {"number": 2}})
    assert (await notion.pages.retrieve(page["id"]))["properties"]["Score"]["number"] == 2
    item = await notion.pages.properties.retrieve(page["id"], "title")
    assert item["object"] in ("list", "property_item")
    rows = await notion.data_sources.query(
        ds, filter={"property": "Score", "number": {"equals": 2}}
    )
    assert [r["id"] for r in rows["results"]] == [page["id"]]
    second = await notion.data_sources.create(
        parent={"type": "database_id", "database_id": database_id},
        properties={"Title": {"title": {}}},
        title=[{"text": {"content": "Second"}}],
    )
    assert set(await notion.data_source_ids(database_id, cache=False)) == {ds, second["id"]}


async def test_scan_with_checkpoints_on_the_sample_tasks(notion: NotionClient) -> None:
    found = await notion.search(filter={"property": "object", "value": "data_source"})
    tasks = next(d["id"] for d in found["results"] if d["title"][0]["plain_text"] == "Tasks")
    marks: list[tuple[str, str]] = []
    rows = [
        row
        async for row in notion.scan_data_source(
            tasks, page_size=50, on_checkpoint=lambda t, p: marks.append((t, p))
        )
    ]
    listed = [r async for r in notion.iterate(notion.data_sources.query, data_source_id=tasks)]
    assert sorted(r["id"] for r in rows) == sorted(r["id"] for r in listed)
    assert len(marks) == -(-len(rows) // 50)
    times = [r["created_time"] for r in rows]
    assert times == sorted(times)
    tail = [r async for r in notion.scan_data_source(tasks, resume=Checkpoint(*marks[0]))]
    assert {r["id"] for r in rows[50:]} <= {r["id"] for r in tail}
    assert marks[0][1] not in {r["id"] for r in tail}


async def test_blocks_comments_search(notion: NotionClient) -> None:
    page_id = await first_page_id(notion)
    children = [
        {"heading_2": {"rich_text": [{"text": {"content": "Log"}}]}},
        *(
            {"bulleted_list_item": {"rich_text": [{"text": {"content": f"entry {i}"}}]}}
            for i in range(120)
        ),
    ]
    created = await append_blocks(notion, page_id, children)
    assert len(created) == 121
    tree = await read_tree(notion, page_id)
    markdown = to_markdown(tree)
    assert "## Log\n\n- entry 0\n- entry 1" in markdown
    assert markdown.index("entry 119") > markdown.index("entry 99")
    assert "entry 5" in to_plain_text(tree)
    last = created[-1]["id"]
    await notion.blocks.update(last, bulleted_list_item={"rich_text": [{"text": {"content": "x"}}]})
    assert (await notion.blocks.retrieve(last))["bulleted_list_item"]["rich_text"][0][
        "plain_text"
    ] == "x"
    await notion.blocks.delete(last)
    assert (await notion.blocks.retrieve(last))["in_trash"] is True

    comment = await notion.comments.create(
        parent={"page_id": page_id}, rich_text=[{"text": {"content": "hello"}}]
    )
    listed = await notion.comments.list(block_id=page_id, cache=False)
    assert comment["id"] in {c["id"] for c in listed["results"]}
    assert (await notion.search(query=""))["object"] == "list"


async def test_legacy_version_queries_through_databases(sandbox: Any) -> None:
    modern = NotionClient(TOKEN, base_url=sandbox.base_url, rate_limit=None)
    database_id, ds = await make_database(modern)
    await modern.pages.create(
        parent={"type": "data_source_id", "data_source_id": ds},
        properties={"Name": {"title": [{"text": {"content": "Old"}}]}},
    )
    legacy = NotionClient(TOKEN, base_url=sandbox.base_url, version="2022-06-28", rate_limit=None)
    assert legacy.legacy_databases
    assert "properties" in await legacy.databases.retrieve(database_id)
    rows = [r async for r in legacy.scan_data_source(database_id)]
    assert [r["properties"]["Name"]["title"][0]["plain_text"] for r in rows] == ["Old"]
    await close_clients()


async def test_errors_carry_code_and_request_id(sandbox: Any, notion: NotionClient) -> None:
    with pytest.raises(ObjectNotFoundError) as missing:
        await notion.pages.retrieve("00000000-0000-4000-8000-00000000dead")
    assert missing.value.request_id
    assert missing.value.status == 404
    with pytest.raises(ValidationError, match="validation_error"):
        await notion.pages.create(parent={"page_id": "nope"}, properties=42)
    stranger = NotionClient("wrong-token", base_url=sandbox.base_url, rate_limit=None)
    with pytest.raises(UnauthorizedError) as caught:
        await stranger.users.me()
    assert "wrong-token" not in str(caught.value)


def test_sync_facade_against_the_sandbox(sandbox: Any) -> None:
    with SyncNotionClient(TOKEN, base_url=sandbox.base_url, rate_limit=None) as notion:
        assert notion.users.me()["type"] == "bot"
        found = notion.search(filter={"property": "object", "value": "data_source"})
        ds = next(d["id"] for d in found["results"] if d["title"][0]["plain_text"] == "Tasks")
        rows = list(notion.scan_data_source(ds))
        assert rows
        assert len(rows) == len({r["id"] for r in rows})
        with pytest.raises(ObjectNotFoundError):
            notion.blocks.retrieve("00000000-0000-4000-8000-00000000dead")


@pytest.mark.parametrize("version", ["2025-09-03", "2026-03-11"])
async def test_append_mid_page_keeps_order_in_both_versions(sandbox: Any, version: str) -> None:
    notion = NotionClient(TOKEN, base_url=sandbox.base_url, version=version, rate_limit=None)
    root = await notion.pages.create(
        parent={"type": "workspace", "workspace": True},
        properties={"title": {"title": [{"text": {"content": f"append {version}"}}]}},
    )
    para = lambda t: {"paragraph": {"rich_text": [{"text": {"content": t}}]}}  # noqa: E731
    first = await append_blocks(notion, root["id"], [para("head"), para("tail")])
    await append_blocks(
        notion, root["id"], [para(f"mid {i}") for i in range(150)], after=first[0]["id"]
    )
    texts = [
        b["paragraph"]["rich_text"][0]["plain_text"]
        async for b in notion.iterate(notion.blocks.children.list, block_id=root["id"])
    ]
    assert texts == ["head", *(f"mid {i}" for i in range(150)), "tail"]
    await close_clients()
