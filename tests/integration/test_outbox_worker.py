"""The outbox worker against the sandbox over real HTTP: order, retries, dead letters."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
import pytest

from syncbridge.http.retry import RetryPolicy
from syncbridge.notion.client import NotionClient
from syncbridge.outbox.queue import Outbox
from syncbridge.outbox.worker import OutboxWorker, WorkerStats

TOKEN = "sandbox-token"


def client_for(server: Any, *, timeout: float = 5.0) -> NotionClient:
    return NotionClient(
        TOKEN,
        base_url=server.base_url,
        rate_limit=None,
        max_retries=1,
        retry_delay=0.01,
        timeout=timeout,
    )


def set_faults(server: Any, spec: str) -> None:
    answer = httpx.put(
        f"{server.base_url}/_sandbox/faults",
        json={"spec": spec},
        headers={"Authorization": f"Bearer {TOKEN}"},
    )
    answer.raise_for_status()


async def drain(box: Outbox, client: NotionClient, **options: Any) -> WorkerStats:
    worker = OutboxWorker(
        box,
        client,
        policy=RetryPolicy(8, 0.01, 0.05),
        settle_seconds=0,
        poll_interval=0.02,
        **options,
    )
    return await worker.run(burst=True, until_empty=True)


SCHEMA = {
    "Message": {"title": {}},
    "Author": {"rich_text": {}},
    "Files changed": {"number": {}},
}


async def new_table(server: Any, client: NotionClient) -> str:
    """A fresh small data source (so scans in assertions stay short); returns its id."""
    database = await client.databases.create(
        parent={"type": "page_id", "page_id": server.sample_ids["sample_page"]},
        title=[{"type": "text", "text": {"content": "outbox test"}}],
        initial_data_source={"properties": SCHEMA},
    )
    return str(database["data_sources"][0]["id"])


async def titled(client: NotionClient, ds: str, title: str) -> list[dict[str, Any]]:
    """Pages of ``ds`` with this title (checked here, whatever the server's filter does)."""
    found = []
    body: dict[str, Any] = {"page_size": 100}
    while True:
        answer = await client.data_sources.query(ds, **body)
        for page in answer["results"]:
            if "".join(t["plain_text"] for t in page["properties"]["Message"]["title"]) == title:
                found.append(page)
        if not answer["has_more"]:
            return found
        body["start_cursor"] = answer["next_cursor"]


def text(page: dict[str, Any], name: str) -> str:
    return "".join(t["plain_text"] for t in page["properties"][name]["rich_text"])


@pytest.fixture
def box(store_url: str) -> Outbox:
    outbox = Outbox.open(store_url, max_pending=10_000, when_full="raise")
    yield outbox
    outbox.close()


async def test_writes_arrive_in_page_order(box: Outbox, sandbox: Any) -> None:
    client = client_for(sandbox)
    ds = await new_table(sandbox, client)
    title = f"order {uuid.uuid4().hex[:8]}"
    box.create_page(ds, {"Message": title, "Files changed": 1}, key=title)
    box.update_page(f"key:{title}", {"Files changed": 2, "Author": "first"})
    box.update_page(f"key:{title}", {"Author": "second"})  # merges: one request
    para = {"type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "filled"}}]}}
    box.append_blocks(f"key:{title}", [para])
    box.update_page(f"key:{title}", {"Author": "third"})
    stats = await drain(box, client)
    assert (stats.sent, stats.dead) == (4, 0)
    [page] = await titled(client, ds, title)
    assert page["properties"]["Files changed"]["number"] == 2
    assert text(page, "Author") == "third"
    children = await client.blocks.children.list(page["id"])
    assert [b["type"] for b in children["results"]] == ["paragraph"]
    assert box.pending_count() == 0


async def test_transient_faults_are_retried_until_delivered(
    sqlite_url: str, sandbox_factory: Any
) -> None:
    server = sandbox_factory(faults="500=0.2,503=0.1,429=0.05,seed=5")
    box = Outbox.open(sqlite_url, max_pending=1000, when_full="raise")
    client = client_for(server)
    set_faults(server, "")
    ds = await new_table(server, client)
    set_faults(server, "500=0.2,503=0.1,429=0.05,seed=5")
    pages = []
    for i in range(8):
        box.create_page(ds, {"Message": f"t{i}"}, key=f"t{i}")
        box.update_page(f"key:t{i}", {"Files changed": i})
        pages.append(f"t{i}")
    stats = await drain(box, client)
    assert stats.dead == 0
    assert stats.retried > 0
    set_faults(server, "")
    for i, title in enumerate(pages):
        [page] = await titled(client, ds, title)
        assert page["properties"]["Files changed"]["number"] == i


async def test_rejected_write_is_a_dead_letter_until_retried(sqlite_url: str, sandbox: Any) -> None:
    box = Outbox.open(sqlite_url, max_pending=1000, when_full="raise")
    client = client_for(sandbox)
    ds = await new_table(sandbox, client)
    box.create_page(ds, {"Message": "dl", "Priority": {"number": 1}}, key="dl")
    box.update_page("key:dl", {"Files changed": 7})  # waits behind the dead create
    stats = await drain(box, client)
    assert (stats.sent, stats.dead) == (0, 1)
    [dead] = box.entries(dead=True)
    assert "Priority" in (dead.last_error or "")
    assert [r.kind for r in box.entries()] == ["update"]

    await client.data_sources.update(ds, properties={"Priority": {"number": {}}})
    assert box.retry([dead.id]) == 1
    stats = await drain(box, client)
    assert (stats.sent, stats.dead) == (2, 0)
    [page] = await titled(client, ds, "dl")
    assert page["properties"]["Files changed"]["number"] == 7


@pytest.mark.parametrize("fault", ["500_after", "timeout_after", "reset_after"])
async def test_create_answer_lost_makes_one_page_by_content(
    sqlite_url: str, sandbox: Any, fault: str
) -> None:
    box = Outbox.open(sqlite_url, max_pending=1000, when_full="raise")
    client = client_for(sandbox, timeout=1.0)
    ds = await new_table(sandbox, client)
    set_faults(sandbox, f"methods=POST,next={fault}")
    box.create_page(ds, {"Message": f"lost {fault}", "Files changed": 3}, key=fault)
    stats = await drain(box, client)
    assert (stats.sent, stats.adopted, stats.dead) == (1, 1, 0)
    pages = await titled(client, ds, f"lost {fault}")
    assert len(pages) == 1
    assert box.db.created(fault)[:2] == ("done", pages[0]["id"])


async def test_create_answer_lost_is_found_by_key_property(store_url: str, sandbox: Any) -> None:
    box = Outbox.open(store_url, max_pending=1000, when_full="raise")
    client = client_for(sandbox)
    ds = await new_table(sandbox, client)
    await client.data_sources.update(ds, properties={"Sync key": {"rich_text": {}}})
    box.set_key_property(ds, "Sync key")
    set_faults(sandbox, "methods=POST,next=502_after+500")  # lost answer, then a refused retry
    box.create_page(ds, {"Message": "keyed"}, key="k-1")
    box.create_page(ds, {"Message": "keyed"}, key="k-2")  # same content, another key
    stats = await drain(box, client)
    assert (stats.sent, stats.dead) == (2, 0)
    pages = await titled(client, ds, "keyed")
    assert sorted(text(p, "Sync key") for p in pages) == ["k-1", "k-2"]
    box.close()


async def test_twin_creates_with_lost_answers_are_parked_not_guessed(
    sqlite_url: str, sandbox: Any
) -> None:
    box = Outbox.open(sqlite_url, max_pending=1000, when_full="raise")
    client = client_for(sandbox)
    ds = await new_table(sandbox, client)
    set_faults(sandbox, "methods=POST,next=500_after+500_after")
    box.create_page(ds, {"Message": "twin"}, key="twin-1")
    box.create_page(ds, {"Message": "twin"}, key="twin-2")
    stats = await drain(box, client, concurrency=2)
    assert len(await titled(client, ds, "twin")) == 2  # nothing created a third time
    assert stats.dead + stats.adopted == 2
    for row in box.entries(dead=True):
        assert "match" in (row.last_error or "")


async def test_append_with_unknown_outcome_is_not_repeated(sqlite_url: str, sandbox: Any) -> None:
    box = Outbox.open(sqlite_url, max_pending=1000, when_full="raise")
    page = sandbox.sample_ids["batch_todos_page"]
    client = client_for(sandbox)
    before = await client.blocks.children.list(page, page_size=100, cache=False)
    set_faults(sandbox, "methods=PATCH,next=503_after")
    para = {"type": "paragraph", "paragraph": {"rich_text": [{"text": {"content": "once"}}]}}
    box.append_blocks(page, [para])
    stats = await drain(box, client)
    assert stats.dead == 1
    [dead] = box.entries(dead=True)
    assert "outcome unknown" in (dead.last_error or "")
    after = await client.blocks.children.list(page, page_size=100, cache=False)
    assert len(after["results"]) == len(before["results"]) + 1


async def test_trash_whose_answer_was_lost_is_done(sqlite_url: str, sandbox: Any) -> None:
    box = Outbox.open(sqlite_url, max_pending=1000, when_full="raise")
    client = client_for(sandbox)
    ds = await new_table(sandbox, client)
    box.create_page(ds, {"Message": "bin me"}, key="bin")
    box.trash_page("key:bin")
    set_faults(sandbox, "methods=PATCH,next=500_after")  # trashed, but the answer is a 500
    stats = await drain(box, client)
    assert (stats.sent, stats.dead) == (2, 0)
    page = await client.pages.retrieve(box.db.created("bin")[1], cache=False)
    assert page["in_trash"] is True


async def test_expired_lease_of_a_write_in_flight_is_not_sent_twice(
    sqlite_url: str, sandbox: Any
) -> None:
    box = Outbox.open(sqlite_url, max_pending=1000, when_full="raise")
    client = client_for(sandbox)
    ds = await new_table(sandbox, client)
    set_faults(sandbox, "latency=300ms,methods=POST")
    box.create_page(ds, {"Message": "slow"}, key="slow")
    jumps = iter(range(0, 10**6, 100))  # every reading of the clock is 100 s later: leases lapse

    stats = await drain(box, client, clock=lambda: time.time() + next(jumps))
    set_faults(sandbox, "")
    assert stats.sent == 1
    assert len(await titled(client, ds, "slow")) == 1
