"""Chaos: SIGKILL the outbox worker at random points while it drains, with faults on. Nothing lost?

Queues creates (each with an idempotency key), updates and trashes for pages of a fresh data
source in the sandbox, then runs an outbox worker (burst, until empty) as a subprocess and
kills it (SIGKILL) at a random moment once it is draining, again and again; a last run drains
the rest. Faults are on the whole time, including after-apply ones (the write happened, the
answer says otherwise). Afterwards the sandbox must hold exactly the expected pages — one per
key, no duplicates, the last value of every update, trashed where asked — and the outbox must be
empty with no dead letters.

    python bench/chaos_outbox.py                 # 1,000 writes x 10 kills, SQLite
    python bench/chaos_outbox.py --quick         # 150 writes x 3 kills
    python bench/chaos_outbox.py --store-url postgresql://postgres@127.0.0.1:5432/test
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from typing import Any

import httpx

from syncbridge.outbox.queue import Outbox
from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.server import SandboxServer

TOKEN = "sandbox-token"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2025-09-03"}
FAULTS = "500=0.04,503=0.03,429=0.03,reset=0.02,500_after=0.04,503_after=0.03,reset_after=0.03"


@dataclass
class Expected:
    """What the sandbox must hold afterwards, per idempotency key."""

    count: dict[str, int] = field(default_factory=dict)
    trashed: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Outcome:
    """What a chaos run saw."""

    writes: int
    kills: int
    seconds: float
    problems: list[str]


def new_table(server: SandboxServer) -> str:
    """A fresh data source with a key property; returns its id."""
    body = {
        "parent": {"type": "page_id", "page_id": server.sample_ids["sample_page"]},
        "title": [{"type": "text", "text": {"content": "chaos"}}],
        "initial_data_source": {
            "properties": {
                "Name": {"title": {}},
                "Count": {"number": {}},
                "Sync key": {"rich_text": {}},
            }
        },
    }
    answer = httpx.post(f"{server.base_url}/v1/databases", json=body, headers=HEADERS)
    answer.raise_for_status()
    return str(answer.json()["data_sources"][0]["id"])


def queue_writes(box: Outbox, ds: str, writes: int, rng: random.Random) -> Expected:
    """About ``writes`` enqueue calls: a create per key, then updates and some trashes."""
    expected = Expected()
    keys = [f"chaos-{i}" for i in range(max(1, writes // 3))]
    for key in keys:
        box.create_page(ds, {"Name": key, "Count": 0}, key=key)
        expected.count[key] = 0
    for n in range(writes - len(keys)):
        key = rng.choice(keys)
        if key in expected.trashed:
            continue
        if rng.random() < 0.05:
            box.trash_page(f"key:{key}")
            expected.trashed.add(key)
        else:
            box.update_page(f"key:{key}", {"Count": n + 1})
            expected.count[key] = n + 1
    return expected


# What `syncbridge worker --burst --until-empty --lease 1` does, without the CLI's start-up cost
# (every command module is imported there) and with quick retries, so kills come often.
WORKER = """
import asyncio, sys
from syncbridge.http.retry import RetryPolicy
from syncbridge.notion.client import NotionClient
from syncbridge.outbox.queue import Outbox
from syncbridge.outbox.worker import OutboxWorker

box = Outbox.open(sys.argv[1], max_pending=10**9, when_full="raise")
client = NotionClient("sandbox-token", base_url=sys.argv[2], rate_limit=None,
                      max_retries=3, retry_delay=0.01, timeout=5)
worker = OutboxWorker(box, client, policy=RetryPolicy(30, 0.01, 0.2), lease_seconds=1,
                      settle_seconds=0, poll_interval=0.05)
asyncio.run(worker.run(burst=True, until_empty=True))
"""


def worker_env(server: SandboxServer, store_url: str) -> list[str]:
    """The worker's command line."""
    return [sys.executable, "-c", WORKER, store_url, server.base_url]


def start_worker(cmd: list[str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def kill_while_draining(box: Outbox, env: list[str], rng: random.Random) -> bool:
    """Start a worker, SIGKILL it at a random moment once it sends; False if it finished first."""
    before = box.pending_count()
    proc = start_worker(env)
    while proc.poll() is None and box.pending_count() >= before:
        time.sleep(0.02)
    time.sleep(rng.uniform(0.0, 0.4))
    if proc.poll() is not None:
        return False
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    return True


def pages(server: SandboxServer, ds: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    body: dict[str, Any] = {"page_size": 100}
    while True:
        answer = httpx.post(
            f"{server.base_url}/v1/data_sources/{ds}/query", json=body, headers=HEADERS
        ).json()
        found += answer["results"]
        if not answer["has_more"]:
            return found
        body["start_cursor"] = answer["next_cursor"]


def trashed_pages(server: SandboxServer, box: Outbox, expected: Expected) -> dict[str, bool]:
    """in_trash of each key's page (query results may leave trashed pages out)."""
    out = {}
    for key in expected.count:
        created = box.db.created(key)
        if created is None or created[1] is None:
            continue
        page = httpx.get(f"{server.base_url}/v1/pages/{created[1]}", headers=HEADERS).json()
        out[key] = bool(page.get("in_trash") or page.get("archived"))
    return out


def verify(server: SandboxServer, box: Outbox, ds: str, expected: Expected) -> list[str]:
    """Differences between the sandbox/outbox and what was queued (empty = all good)."""
    problems = []
    if box.pending_count():
        problems.append(f"{box.pending_count()} writes still pending")
    for row in box.entries(dead=True):
        problems.append(f"dead letter #{row.id} {row.kind}: {row.last_error}")
    by_key: dict[str, list[dict[str, Any]]] = {}
    for page in pages(server, ds):
        title = "".join(t["plain_text"] for t in page["properties"]["Name"]["title"])
        by_key.setdefault(title, []).append(page)
    trash = trashed_pages(server, box, expected)
    for key, count in expected.count.items():
        live = [p for p in by_key.get(key, []) if not p.get("in_trash")]
        made = by_key.get(key, [])
        if key in expected.trashed:
            if not trash.get(key):
                problems.append(f"{key}: not trashed")
            if len(made) > 1:
                problems.append(f"{key}: {len(made)} pages (duplicates)")
            continue
        if len(live) != 1:
            problems.append(f"{key}: {len(live)} pages instead of 1")
            continue
        got = live[0]["properties"]["Count"]["number"]
        if got != count:
            problems.append(f"{key}: Count {got}, expected {count}")
    return problems


def run(store_url: str, *, writes: int, kills: int, seed: int) -> Outcome:
    """One chaos run against a fresh sandbox; returns what it saw."""
    rng = random.Random(seed)
    started = time.monotonic()
    config = SandboxConfig(port=0, rate_limit=0.0, faults="")
    with SandboxServer(config) as server:
        ds = new_table(server)
        httpx.put(
            f"{server.base_url}/_sandbox/faults",
            json={"spec": f"{FAULTS},seed={seed}"},
            headers=HEADERS,
        ).raise_for_status()
        box = Outbox.open(store_url, max_pending=10**6, when_full="raise")
        box.set_key_property(ds, "Sync key")
        expected = queue_writes(box, ds, writes, rng)
        env = worker_env(server, store_url)
        done = sum(kill_while_draining(box, env, rng) for _ in range(kills))
        final = start_worker(env)
        final.wait(timeout=600)
        httpx.put(f"{server.base_url}/_sandbox/faults", json={"spec": ""}, headers=HEADERS)
        problems = verify(server, box, ds, expected)
        box.close()
    return Outcome(writes, done, time.monotonic() - started, problems)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="150 writes x 3 kills")
    parser.add_argument("--writes", type=int, default=1000)
    parser.add_argument("--kills", type=int, default=10)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--store-url", default=None, help="default: a temporary SQLite file")
    args = parser.parse_args()
    writes, kills = (150, 3) if args.quick else (args.writes, args.kills)
    with tempfile.TemporaryDirectory() as tmp:
        url = args.store_url or f"sqlite:///{tmp}/chaos.db"
        outcome = run(url, writes=writes, kills=kills, seed=args.seed)
    print(f"chaos: {outcome.writes} writes queued, worker SIGKILLed {outcome.kills} times, ")
    print(f"       faults {FAULTS}, {outcome.seconds:.1f} s")
    if outcome.problems:
        print(f"FAILED: {len(outcome.problems)} problems")
        for problem in outcome.problems[:30]:
            print("  -", problem)
        sys.exit(1)
    print("OK: every write arrived once, no duplicate page, no dead letter, outbox empty")


if __name__ == "__main__":
    main()
