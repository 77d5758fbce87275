"""The outbox queue on real SQLite, PostgreSQL and MariaDB: durability, order, coalescing, bound."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid

import pytest

from syncbridge.outbox.errors import OutboxFullError, OutboxInputError
from syncbridge.outbox.queue import Outbox


def page() -> str:
    return uuid.uuid4().hex


@pytest.fixture
def outbox(store_url: str) -> Outbox:
    box = Outbox.open(store_url, max_pending=100_000, when_full="raise")
    yield box
    box.close()


def kinds(box: Outbox, key: str) -> list[tuple[str, dict]]:
    return [(r.kind, r.payload) for r in box.entries() if r.page_key == key]


CHILD = """
import sys
from syncbridge.outbox.queue import Outbox
box = Outbox.open(sys.argv[1], max_pending=1000, when_full="raise")
row = box.update_page(sys.argv[2], {"Status": "Filled"})
print(row, flush=True)
sys.stdin.read()  # stay alive until killed
"""


def test_write_is_durable_when_the_call_returns(store_url: str, outbox: Outbox) -> None:
    pid = page()
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, store_url, pid],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = child.stdout.readline()  # the call has returned
    os.kill(child.pid, signal.SIGKILL)
    child.wait()
    child.stdout.close()
    child.stdin.close()
    assert line.strip().isdigit()
    rows = [r for r in outbox.entries() if r.page_key == pid]
    assert [(r.id, r.payload) for r in rows] == [(int(line), {"Status": ["Filled"]})]


def test_updates_merge_later_values_win(outbox: Outbox) -> None:
    pid = page()
    first = outbox.update_page(pid, {"A": 1, "B": "x"})
    second = outbox.update_page(pid, {"A": 2, "C": None})
    assert first == second
    assert kinds(outbox, pid) == [("update", {"A": [2], "B": ["x"], "C": [None]})]


def test_update_never_merges_across_other_writes(outbox: Outbox) -> None:
    pid = page()
    blocks = [{"type": "paragraph", "paragraph": {"rich_text": []}}]
    outbox.update_page(pid, {"A": 1})
    outbox.append_blocks(pid, blocks)
    outbox.update_page(pid, {"A": 2})
    outbox.update_page(pid, {"B": 3})
    outbox.trash_page(pid)
    outbox.update_page(pid, {"A": 4})
    assert [k for k, _ in kinds(outbox, pid)] == ["update", "append", "update", "trash", "update"]
    payloads = [p for k, p in kinds(outbox, pid) if k == "update"]
    assert payloads == [{"A": [1]}, {"A": [2], "B": [3]}, {"A": [4]}]


def test_updates_queue_behind_the_create_of_their_page(outbox: Outbox) -> None:
    ds = page()
    outbox.update_page("key:k1", {"A": 0})  # before the create: stays before it
    outbox.create_page(ds, {"Name": "n"}, key="k1")
    outbox.update_page("key:k1", {"A": 1})
    outbox.update_page("key:k1", {"B": 2})
    assert kinds(outbox, "key:k1") == [
        ("update", {"A": [0]}),
        ("create", {"properties": {"Name": "n"}}),
        ("update", {"A": [1], "B": [2]}),
    ]


def test_a_claimed_update_takes_no_more_merges(outbox: Outbox) -> None:
    pid = page()
    outbox.update_page(pid, {"A": 1})
    claimed = outbox.db.claim(now=time.time(), owner="w", lease_until=time.time() + 60, limit=10)
    assert [r.page_key for r in claimed] == [pid]
    outbox.update_page(pid, {"A": 2})
    assert kinds(outbox, pid) == [("update", {"A": [1]}), ("update", {"A": [2]})]


def test_claim_takes_only_the_head_of_each_page(outbox: Outbox) -> None:
    a, b = page(), page()
    outbox.trash_page(a)
    outbox.update_page(a, {"X": 1})
    outbox.update_page(b, {"X": 1})
    now = time.time()
    first = outbox.db.claim(now=now, owner="w", lease_until=now + 60, limit=10)
    assert [(r.page_key, r.kind) for r in first] == [(a, "trash"), (b, "update")]
    assert outbox.db.claim(now=now, owner="w2", lease_until=now + 60, limit=10) == []
    assert outbox.db.finish(first[0], "w", now=now, result_page_id=None)
    second = outbox.db.claim(now=now, owner="w2", lease_until=now + 60, limit=10)
    assert [(r.page_key, r.kind) for r in second] == [(a, "update")]


def test_same_key_is_queued_once(outbox: Outbox) -> None:
    ds = page()
    first = outbox.create_page(ds, {"Name": "a"}, key="order-1")
    again = outbox.create_page(ds, {"Name": "b"}, key="order-1")
    assert first == again
    assert kinds(outbox, "key:order-1") == [("create", {"properties": {"Name": "a"}})]


def test_concurrent_threads_lose_nothing(outbox: Outbox) -> None:
    pages = [page() for _ in range(4)]
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(50):
                outbox.update_page(pages[i % 4], {f"t{n}": i})
                outbox.append_blocks(pages[i % 4], [{"type": "divider", "divider": {}, "n": n}])
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    rows = outbox.entries(limit=10_000)
    assert sum(r.kind == "append" for r in rows) == 300
    for pid in pages:
        merged: dict[str, list[int]] = {}
        for r in rows:
            if r.page_key == pid and r.kind == "update":
                merged.update(r.payload)
        # the last value each thread wrote to this page survives
        assert {k: v[0] for k, v in merged.items()} == {
            f"t{n}": max(i for i in range(50) if pages[i % 4] == pid) for n in range(6)
        }


def test_full_outbox_raises_and_queues_nothing(store_url: str) -> None:
    box = Outbox.open(store_url, max_pending=3, when_full="raise")
    for _ in range(3):
        box.trash_page(page())
    with pytest.raises(OutboxFullError, match="outbox_max_pending=3"):
        box.trash_page(page())
    assert box.pending_count() == 3


def test_full_outbox_blocks_until_space(store_url: str) -> None:
    sleeps: list[float] = []
    box = Outbox.open(store_url, max_pending=2, when_full="block", sleep=sleeps.append)
    box.trash_page(page())
    box.trash_page(page())
    drained = threading.Event()

    def sleep(seconds: float) -> None:  # the "worker" drains one row while we wait
        sleeps.append(seconds)
        if not drained.is_set():
            row = box.entries()[0]
            box.db.claim(now=time.time(), owner="w", lease_until=time.time() + 60, limit=1)
            box.db.finish(row, "w", now=time.time(), result_page_id=None)
            drained.set()

    box._sleep = sleep
    box.trash_page(page())
    assert drained.is_set()
    assert sleeps
    assert box.pending_count() == 2


def test_bad_input_is_refused_with_where(outbox: Outbox) -> None:
    with pytest.raises(OutboxInputError, match="page_id"):
        outbox.update_page("not-an-id", {"A": 1})
    with pytest.raises(OutboxInputError, match="properties"):
        outbox.update_page(page(), {})
    with pytest.raises(OutboxInputError, match="properties"):
        outbox.update_page(page(), {"A": object()})
    with pytest.raises(OutboxInputError, match="key"):
        outbox.create_page(page(), {"A": 1}, key="")
    assert outbox.pending_count() == 0


def test_ids_of_delivered_rows_are_never_reused(outbox: Outbox) -> None:
    first = outbox.trash_page(page())  # the newest row: SQLite would reuse its rowid
    [row] = outbox.db.claim(now=time.time(), owner="w", lease_until=time.time() + 60, limit=1)
    assert outbox.db.finish(row, "w", now=time.time(), result_page_id=None)  # deleted
    assert outbox.trash_page(page()) > first
