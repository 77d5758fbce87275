"""How long does a durable enqueue take? Outbox vs asyncio.Queue vs a blocking Notion call.

Per store (SQLite, SQLite with fsync, PostgreSQL, MariaDB — the servers when they answer), times
10,000 ``Outbox.update_page`` calls (each a committed row) and prints p50/p99/max in µs, beside
``asyncio.Queue.put_nowait`` (in memory, not durable: what the seed's queue did) and a direct
blocking ``pages.update`` with the official ``notion-client`` SDK against the sandbox answering
in 200-1000 ms (20 calls: what the trading loop did before). Then coalescing: a bursty workload
of updates to a few pages, and how many Notion requests the outbox actually has to send.

    python bench/enqueue.py            # 10,000 enqueues per store
    python bench/enqueue.py --quick    # 2,000 enqueues, 5 SDK calls
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx

from syncbridge.outbox.queue import Outbox

TOKEN = "sandbox-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2025-09-03"}
PG_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"
SYNCBRIDGE = str(Path(sys.executable).with_name("syncbridge"))


# -- shared by bench/tickloop.py and bench/hooks.py ---------------------------------------------


def percentiles(samples_ns: list[int]) -> tuple[float, float, float]:
    """(p50, p99, max) in µs."""
    ordered = sorted(samples_ns)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    return statistics.median(ordered) / 1000, p99 / 1000, ordered[-1] / 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def sandbox_process(faults: str = "", rate_limit: float = 0) -> Iterator[str]:
    """``syncbridge sandbox`` in its own process (so it does not share our GIL); yields its URL."""
    port = free_port()
    cmd = [SYNCBRIDGE, "sandbox", "--port", str(port), "--rate-limit", str(rate_limit)]
    if faults:
        cmd += ["--faults", faults]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/_sandbox/faults", headers=HEADERS, timeout=2)
                break
            except httpx.HTTPError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise RuntimeError("the sandbox did not start") from None
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def call(method: str, url: str, body: Any = None) -> Any:
    """One request to the sandbox for setup, waiting out its rate limit (429 + Retry-After)."""
    while True:
        answer = httpx.request(method, url, json=body, headers=HEADERS, timeout=30)
        if answer.status_code != 429:
            answer.raise_for_status()
            return answer.json()
        time.sleep(float(answer.headers.get("retry-after", "1")))


def set_faults(url: str, spec: str) -> None:
    httpx.put(f"{url}/_sandbox/faults", json={"spec": spec}, headers=HEADERS).raise_for_status()


def new_table(url: str, properties: dict[str, Any]) -> str:
    """A new database with one data source in the sandbox's sample workspace; its id."""
    search = call("POST", f"{url}/v1/search", {"query": "syncbridge sample workspace"})
    parent = next(r["id"] for r in search["results"] if r["object"] == "page")
    body = {
        "parent": {"type": "page_id", "page_id": parent},
        "title": [{"type": "text", "text": {"content": "bench"}}],
        "initial_data_source": {"properties": properties},
    }
    return str(call("POST", f"{url}/v1/databases", body)["data_sources"][0]["id"])


def new_page(url: str, ds: str, title: str) -> str:
    body = {
        "parent": {"data_source_id": ds},
        "properties": {"Name": {"title": [{"text": {"content": title}}]}},
    }
    return str(call("POST", f"{url}/v1/pages", body)["id"])


@contextlib.contextmanager
def temp_stores(tmp: str, *, fsync: bool = True) -> Iterator[list[tuple[str, str, bool]]]:
    """(label, store URL, fsync) for every store that answers; server databases are dropped."""
    stores = [("SQLite (WAL, synchronous=NORMAL)", f"sqlite:///{tmp}/bench.db", False)]
    if fsync:
        stores.append(("SQLite (WAL, synchronous=FULL)", f"sqlite:///{tmp}/bench-fsync.db", True))
    dropped: list[Callable[[], None]] = []
    with contextlib.suppress(Exception):
        stores.append(("PostgreSQL (loopback)", _pg_database(dropped), False))
    with contextlib.suppress(Exception):
        stores.append(("MariaDB (loopback)", _mysql_database(dropped), False))
    try:
        yield stores
    finally:
        for drop in dropped:
            with contextlib.suppress(Exception):
                drop()


def _pg_database(dropped: list[Callable[[], None]]) -> str:
    import psycopg

    name = f"sb_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG_ADMIN, autocommit=True, connect_timeout=2) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    dropped.append(drop)
    return f"postgresql://postgres@127.0.0.1:5432/{name}"


def _mysql_database(dropped: list[Callable[[], None]]) -> str:
    import pymysql

    name = f"sb_bench_{uuid.uuid4().hex[:8]}"
    conn = pymysql.connect(host="127.0.0.1", user="root", connect_timeout=2, autocommit=True)
    with conn.cursor() as cur:
        cur.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4")
    conn.close()

    def drop() -> None:
        c = pymysql.connect(host="127.0.0.1", user="root", autocommit=True)
        with c.cursor() as cur:
            cur.execute(f"DROP DATABASE IF EXISTS `{name}`")
        c.close()

    dropped.append(drop)
    return f"mysql://root@127.0.0.1:3306/{name}"


# -- the measurements --------------------------------------------------------------------------


def time_calls(n: int, call: Callable[[int], object]) -> list[int]:
    samples = []
    for i in range(n):
        start = time.perf_counter_ns()
        call(i)
        samples.append(time.perf_counter_ns() - start)
    return samples


def bench_outbox(url: str, fsync: bool, n: int) -> list[int]:
    box = Outbox.open(url, fsync=fsync, max_pending=10**9, when_full="raise")
    pages = [uuid.uuid4().hex for _ in range(n)]
    time_calls(min(200, n), lambda i: box.update_page(pages[i], {"Warm": i}))  # connect, cache
    samples = time_calls(n, lambda i: box.update_page(pages[i], {"Price": 101.5, "Qty": i}))
    box.close()
    return samples


def bench_asyncio_queue(n: int) -> list[int]:
    queue: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
    return time_calls(n, lambda i: queue.put_nowait({"Price": 101.5, "Qty": i}))


def bench_sdk(url: str, calls: int) -> list[int]:
    from notion_client import Client

    ds = new_table(url, {"Name": {"title": {}}, "Qty": {"number": {}}})
    page = new_page(url, ds, "sdk")
    set_faults(url, "latency=200-1000ms")
    sdk = Client(auth=TOKEN, base_url=url)
    try:
        return time_calls(
            calls, lambda i: sdk.pages.update(page_id=page, properties={"Qty": {"number": i}})
        )
    finally:
        sdk.close()
        set_faults(url, "")


def bench_coalescing(url: str, n: int, pages: int = 20) -> tuple[int, int]:
    """Bursty updates at ~1 kHz (runs of 1-50 to one page) while a worker takes 3 rows/s.

    Returns (updates queued, requests sent + still to send).
    """
    box = Outbox.open(url, max_pending=10**9, when_full="raise")
    rng = random.Random(1)
    ids = {uuid.uuid4().hex for _ in range(pages)}
    stop = threading.Event()
    sent = 0

    def worker() -> None:  # the rate budget of one Notion token, without the network
        nonlocal sent
        while not stop.wait(1 / 3):
            now = time.time()
            for claimed in box.db.claim(now=now, owner="bench", lease_until=now + 60, limit=1):
                box.db.finish(claimed, "bench", now=now, result_page_id=None)
                sent += 1

    thread = threading.Thread(target=worker)
    thread.start()
    done, order = 0, sorted(ids)
    while done < n:
        page = rng.choice(order)
        for _ in range(min(n - done, rng.randint(1, 50))):
            box.update_page(page, {rng.choice(("Price", "Qty", "Status")): done})
            done += 1
            time.sleep(0.001)
    stop.set()
    thread.join()
    left = sum(1 for r in box.entries(limit=10**7) if r.page_key in ids)
    box.close()
    return n, sent + left


def row(label: str, samples: list[int]) -> str:
    p50, p99, top = percentiles(samples)
    return f"{label:<40} {len(samples):>7} {p50:>11.1f} {p99:>11.1f} {top:>12.1f}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    n, calls = (2000, 5) if args.quick else (10_000, 20)
    print(f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; times in µs")
    print(f"{'enqueue one write':<40} {'calls':>7} {'p50':>11} {'p99':>11} {'max':>12}")
    results: dict[str, list[int]] = {}
    with tempfile.TemporaryDirectory() as tmp, temp_stores(tmp) as stores:
        for label, url, fsync in stores:
            results[label] = bench_outbox(url, fsync, n)
            print(row(f"Outbox, {label}", results[label]), flush=True)
        queue = bench_asyncio_queue(n)
        print(row("asyncio.Queue.put_nowait (not durable)", queue))
        with sandbox_process() as url:
            sdk = bench_sdk(url, calls)
        print(row("notion-client pages.update, 200-1000 ms", sdk))
        sqlite = results[stores[0][0]]
        print(
            f"\nblocking SDK call / Outbox SQLite enqueue (p50): "
            f"{statistics.median(sdk) / statistics.median(sqlite):,.0f}x"
        )
        print(
            f"Outbox SQLite / asyncio.Queue (p50): "
            f"{statistics.median(sqlite) / statistics.median(queue):,.1f}x (the price of a commit)"
        )
        for label, url, _ in stores[:1]:
            enq, rows = bench_coalescing(url, n)
            print(
                f"\ncoalescing ({label}): {enq} bursty updates to 20 pages at ~1 kHz, worker at "
                f"3 requests/s -> {rows} requests ({100 * (1 - rows / enq):.1f}% saved)"
            )


if __name__ == "__main__":
    main()
