"""The official notion-client SDK and syncbridge's NotionClient side by side, on the same workloads.

Two measurements, each against a fresh sandbox started as a separate process:

1. **Faulty workload** — sandbox with ``--faults`` (default
   ``429=0.2,500=0.05,503=0.05,timeout=0.02,reset=0.01,latency=20-200ms``), no server rate limit:
   read every row of a 2,000-page data source, then write 200 page updates (8 at a time), then
   check the final data with faults off. Per client: completed, wrong, missing, wall time,
   requests, 429s, errors, Retry-After violations (a request arriving while a ``Retry-After`` it
   was given was still running) and writes applied twice — all from ``GET /_sandbox/requests``.
2. **Rate budget** — sandbox at ``--rate-limit 3``: a mixed workload (reads, queries, updates)
   for 60 s; 429s received and the share of the allowed rate actually used.

Run: ``python bench/client.py`` (``--pages 300 --updates 40 --seconds 10`` for a quick look).
The same functions back ``tests/integration/test_notion_client_chaos.py`` (small sizes).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import hashlib
import socket
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Awaitable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import httpx

from syncbridge.http import close_clients
from syncbridge.notion.client import NotionClient

TOKEN = "sandbox-token"
FAULTS = "429=0.2,500=0.05,503=0.05,timeout=0.02,reset=0.01,latency=20-200ms"
TIMEOUT = 5.0  # seconds; both clients get the same, so a held request costs both the same
Values = tuple[float | None, str]


# ---- sandbox process and admin routes ------------------------------------------------------


@contextlib.contextmanager
def sandbox_process(*, rate_limit: float = 0.0) -> Iterator[str]:
    """Run ``syncbridge sandbox`` in a child process; yields its base URL."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    argv = [
        sys.executable,
        "-c",
        "from syncbridge.cli import main; main()",
        "sandbox",
        "--port",
        str(port),
        "--rate-limit",
        str(rate_limit),
    ]
    child = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):
            with contextlib.suppress(httpx.HTTPError):
                if admin(base, "GET", "/_sandbox/faults").status_code == 200:
                    break
            time.sleep(0.05)
        else:
            raise RuntimeError(f"sandbox did not start on {base}")
        yield base
    finally:
        child.terminate()
        child.wait(timeout=10)


def admin(base: str, method: str, path: str, **kwargs: Any) -> httpx.Response:
    """Call a ``/_sandbox`` route."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    return httpx.request(method, base + path, headers=headers, timeout=10, **kwargs)


def set_faults(base: str, spec: str) -> None:
    """Replace the sandbox's fault spec ("" turns faults off)."""
    answer = httpx.put(
        base + "/_sandbox/faults",
        content=spec.encode(),
        headers={"Authorization": f"Bearer {TOKEN}", "Content-Type": "text/plain"},
        timeout=10,
    )
    answer.raise_for_status()


def log_position(base: str) -> int:
    """The sequence number of the newest request-log entry."""
    last = admin(base, "GET", "/_sandbox/requests", params={"limit": 1}).json()["results"]
    return int(last[-1]["seq"]) if last else 0


def log_entries(base: str, since: int) -> list[dict[str, Any]]:
    """Every request-log entry after ``since``."""
    out: list[dict[str, Any]] = []
    while True:
        page = admin(
            base, "GET", "/_sandbox/requests", params={"since": since, "limit": 10_000}
        ).json()
        out.extend(page["results"])
        if not page["results"]:
            return out
        since = int(page["next_since"])


def token_id(token: str) -> str:
    """How the sandbox's log names a token."""
    return "tok_" + hashlib.sha256(token.encode()).hexdigest()[:8]


# ---- data ----------------------------------------------------------------------------------


@dataclass
class Dataset:
    """A data source seeded for one run and what each of its pages holds."""

    data_source_id: str
    expected: dict[str, Values]


def values_of(page: dict[str, Any]) -> Values:
    """(N, Tag) of a page."""
    props = page["properties"]
    tag = "".join(t.get("plain_text", "") for t in props["Tag"]["rich_text"])
    return props["N"]["number"], tag


async def seed(base: str, pages: int, *, rate_limit: float | None = None) -> Dataset:
    """A fresh data source with ``pages`` rows (N = i, Tag = "t{i}"); faults must be off."""
    client = NotionClient(TOKEN, base_url=base, rate_limit=rate_limit)
    try:
        found = await client.search(filter={"property": "object", "value": "page"}, page_size=1)
        parent = found["results"][0]["id"]
        database = await client.databases.create(
            parent={"type": "page_id", "page_id": parent},
            title=[{"text": {"content": f"bench {time.time_ns()}"}}],
            initial_data_source={
                "properties": {"Name": {"title": {}}, "N": {"number": {}}, "Tag": {"rich_text": {}}}
            },
        )
        ds = database["data_sources"][0]["id"]
        sem = asyncio.Semaphore(16)

        async def create(i: int) -> tuple[str, Values]:
            async with sem:
                page = await client.pages.create(
                    parent={"type": "data_source_id", "data_source_id": ds},
                    properties=_props(f"p{i}", i, f"t{i}"),
                )
            return page["id"], (i, f"t{i}")

        rows = await asyncio.gather(*(create(i) for i in range(pages)))
        return Dataset(ds, dict(rows))
    finally:
        await close_clients()


def _props(name: str | None, n: float, tag: str) -> dict[str, Any]:
    props: dict[str, Any] = {
        "N": {"number": n},
        "Tag": {"rich_text": [{"text": {"content": tag}}]},
    }
    if name is not None:
        props["Name"] = {"title": [{"text": {"content": name}}]}
    return props


def plan_updates(dataset: Dataset, count: int, salt: int) -> dict[str, Values]:
    """New values for ``count`` pages, distinct per ``salt`` so runs never look alike."""
    ids = sorted(dataset.expected)[:count]
    return {
        pid: (float(dataset.expected[pid][0] or 0) + salt, f"u{salt}-{i}")
        for i, pid in enumerate(ids)
    }


async def final_state(base: str, dataset: Dataset) -> dict[str, Values]:
    """Every row as it ends up (read with faults off)."""
    client = NotionClient(TOKEN, base_url=base, rate_limit=None)
    try:
        return {
            row["id"]: values_of(row)
            async for row in client.scan_data_source(dataset.data_source_id)
        }
    finally:
        await close_clients()


# ---- the two clients behind one small driver interface -------------------------------------


class Driver:
    """What the workload needs from a client."""

    name = ""

    async def query(self, ds: str, **body: Any) -> dict[str, Any]:
        raise NotImplementedError

    async def update(self, page_id: str, props: dict[str, Any]) -> None:
        raise NotImplementedError

    async def retrieve(self, page_id: str) -> None:
        raise NotImplementedError

    async def scan(self, ds: str, rows: list[dict[str, Any]]) -> None:
        """Every row into ``rows``, following cursors; an error ends the scan."""
        cursor = None
        while True:
            body: dict[str, Any] = {"page_size": 100}
            if cursor:
                body["start_cursor"] = cursor
            answer = await self.query(ds, **body)
            rows.extend(answer["results"])
            cursor = answer.get("next_cursor")
            if not answer.get("has_more") or not cursor:
                return

    async def close(self) -> None:
        """Release connections."""


class Ours(Driver):
    """syncbridge's NotionClient (its limiter shares one bucket; Retry-After pauses it all)."""

    name = "syncbridge"

    def __init__(
        self,
        base: str,
        *,
        rate_limit: float | None,
        max_retries: int,
        retry_delay: float,
        timeout: float = TIMEOUT,
    ) -> None:
        self.client = NotionClient(
            TOKEN,
            base_url=base,
            rate_limit=rate_limit,
            max_retries=max_retries,
            retry_delay=retry_delay,
            timeout=timeout,
        )

    async def query(self, ds: str, **body: Any) -> dict[str, Any]:
        return await self.client.data_sources.query(ds, **body)

    async def scan(self, ds: str, rows: list[dict[str, Any]]) -> None:
        async for row in self.client.scan_data_source(ds):
            rows.append(row)

    async def update(self, page_id: str, props: dict[str, Any]) -> None:
        await self.client.pages.update(page_id, properties=props)

    async def retrieve(self, page_id: str) -> None:
        await self.client.pages.retrieve(page_id, cache=False)

    async def close(self) -> None:
        await close_clients()


class Official(Driver):
    """The official ``notion_client.AsyncClient``, configured alike (retries, timeout)."""

    name = "notion-client"

    def __init__(self, base: str, *, max_retries: int, retry_delay: float) -> None:
        import logging

        import notion_client
        from notion_client.client import RetryOptions

        self.client = notion_client.AsyncClient(
            auth=TOKEN,
            base_url=base,
            timeout_ms=int(TIMEOUT * 1000),
            retry=RetryOptions(
                max_retries=max_retries, initial_retry_delay_ms=int(retry_delay * 1000)
            ),
            log_level=logging.CRITICAL,
        )

    async def query(self, ds: str, **body: Any) -> dict[str, Any]:
        return await self.client.data_sources.query(data_source_id=ds, **body)  # type: ignore[no-any-return]

    async def update(self, page_id: str, props: dict[str, Any]) -> None:
        await self.client.pages.update(page_id=page_id, properties=props)

    async def retrieve(self, page_id: str) -> None:
        await self.client.pages.retrieve(page_id=page_id)

    async def close(self) -> None:
        await self.client.aclose()


# ---- workload 1: reads and updates under faults --------------------------------------------


@dataclass
class FaultyResult:
    """What one client achieved on the faulty workload."""

    client: str
    read_ok: int = 0
    read_wrong: int = 0
    read_missing: int = 0
    updates_ok: int = 0
    updates_wrong: int = 0
    updates_missing: int = 0
    wall: float = 0.0
    requests: int = 0
    rate_limited: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    retry_after_violations: int = 0
    double_writes: int = 0

    @property
    def completed(self) -> int:
        """Rows read right plus updates that landed as asked."""
        return self.read_ok + self.updates_ok

    @property
    def exact(self) -> bool:
        """Every read right, every update applied exactly once, nothing missing."""
        return (
            not (self.read_wrong or self.read_missing or self.updates_wrong or self.updates_missing)
            and not self.double_writes
        )


async def faulty_workload(
    base: str, driver: Driver, dataset: Dataset, updates: dict[str, Values], *, concurrency: int = 8
) -> FaultyResult:
    """Scan every row, then send ``updates``; score against the final state (faults off)."""
    result = FaultyResult(driver.name)
    since = log_position(base)
    started = time.perf_counter()
    try:
        rows: list[dict[str, Any]] = []
        try:
            await driver.scan(dataset.data_source_id, rows)
        except Exception as exc:
            result.errors[type(exc).__name__] += 1
        seen = {row["id"]: values_of(row) for row in rows}
        for pid, values in dataset.expected.items():
            if pid not in seen:
                result.read_missing += 1
            elif seen[pid] == values:
                result.read_ok += 1
            else:
                result.read_wrong += 1
        sem = asyncio.Semaphore(concurrency)

        async def one(pid: str, values: Values) -> None:
            async with sem:
                try:
                    await driver.update(pid, _props(None, values[0] or 0, values[1]))
                except Exception as exc:
                    result.errors[type(exc).__name__] += 1

        await asyncio.gather(*(one(pid, v) for pid, v in updates.items()))
    finally:
        result.wall = time.perf_counter() - started
        await driver.close()
    set_faults(base, "")
    final = await final_state(base, dataset)
    for pid, values in updates.items():
        got = final.get(pid)
        if got == values:
            result.updates_ok += 1
        elif got == dataset.expected[pid]:
            result.updates_missing += 1
        else:
            result.updates_wrong += 1
    stats = log_stats(log_entries(base, since), token_id(TOKEN), dataset)
    result.requests, result.rate_limited = stats["requests"], stats["rate_limited"]
    result.retry_after_violations = stats["violations"]
    result.double_writes = stats["double_writes"]
    return result


def _when(entry: dict[str, Any]) -> float:
    return datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()


def log_stats(
    entries: list[dict[str, Any]], token: str, dataset: Dataset | None = None
) -> dict[str, int]:
    """Requests, 429s, Retry-After violations and double-applied writes of one token.

    A violation is a request that arrived while a ``Retry-After`` sent to the same token was
    still running — counted from 50 ms after the 429 left the server (requests already on the
    wire when it was sent are not the client's fault) to 50 ms before the wait ended.
    """
    mine = [e for e in entries if e["token"] == token and e["path"].startswith("/v1")]
    arrivals = sorted(_when(e) for e in mine)
    violations = 0
    for entry in mine:
        if entry["status"] == 429 and entry.get("retry_after"):
            sent = _when(entry) + entry["duration_ms"] / 1000
            low, high = sent + 0.05, sent + entry["retry_after"] - 0.05
            violations += sum(1 for t in arrivals if low < t < high)
    applied = Counter(e["path"] for e in mine if e["method"] == "PATCH" and e["status"] == 200)
    return {
        "requests": len(mine),
        "rate_limited": sum(1 for e in mine if e["status"] == 429),
        "violations": violations,
        "double_writes": sum(1 for count in applied.values() if count > 1),
    }


# ---- workload 2: a mixed workload against the server's rate limit --------------------------


@dataclass
class RateResult:
    """What one client achieved in a fixed time against a rate-limited server."""

    client: str
    seconds: float
    operations: int = 0
    failed: int = 0
    requests: int = 0
    rate_limited: int = 0
    achieved_rate: float = 0.0  # requests answered 2xx per second, first to last

    def utilisation(self, allowed: float) -> float:
        """Share of the allowed rate used."""
        return self.achieved_rate / allowed


async def mixed_workload(
    base: str, driver: Driver, dataset: Dataset, seconds: float, *, workers: int = 6
) -> RateResult:
    """Reads, queries and updates from ``workers`` tasks for ``seconds``."""
    result = RateResult(driver.name, seconds)
    since = log_position(base)
    ids = sorted(dataset.expected)
    deadline = time.perf_counter() + seconds

    async def worker(k: int) -> None:
        i = k
        while time.perf_counter() < deadline:
            pid = ids[i % len(ids)]
            op: Awaitable[Any]
            if k % 3 == 0:
                op = driver.update(pid, _props(None, i, f"m{i}"))
            elif k % 3 == 1:
                op = driver.retrieve(pid)
            else:
                op = driver.query(dataset.data_source_id, page_size=10)
            try:
                await op
                result.operations += 1
            except Exception:
                result.failed += 1
            i += workers

    tasks = [asyncio.create_task(worker(k)) for k in range(workers)]
    await asyncio.sleep(seconds)
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    await driver.close()
    await asyncio.sleep(0.2)  # let the log settle
    mine = [
        e
        for e in log_entries(base, since)
        if e["token"] == token_id(TOKEN) and e["path"].startswith("/v1")
    ]
    ok = sorted(_when(e) for e in mine if e["status"] and e["status"] < 400)
    result.requests = len(mine)
    result.rate_limited = sum(1 for e in mine if e["status"] == 429)
    if len(ok) > 1:
        result.achieved_rate = (len(ok) - 1) / (ok[-1] - ok[0])
    return result


# ---- report ---------------------------------------------------------------------------------


def _ratio(ours: float, theirs: float) -> str:
    if theirs == 0:
        return "—" if ours == 0 else "∞"
    return f"{ours / theirs:.2f}×"


def table(title: str, rows: list[tuple[str, float | str, float | str]]) -> str:
    """A plain text table: metric, official, ours, ours/official."""
    lines = [title, f"{'metric':<28}{'notion-client':>16}{'syncbridge':>14}{'ratio':>10}"]
    for name, theirs, ours in rows:
        ratio = (
            _ratio(float(ours), float(theirs))
            if isinstance(ours, int | float) and isinstance(theirs, int | float)
            else ""
        )
        fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else str(v)  # noqa: E731
        lines.append(f"{name:<28}{fmt(theirs):>16}{fmt(ours):>14}{ratio:>10}")
    return "\n".join(lines)


def faulty_rows(
    theirs: FaultyResult, ours: FaultyResult
) -> list[tuple[str, float | str, float | str]]:
    """Table rows for workload 1."""
    return [
        ("completed (reads+updates)", theirs.completed, ours.completed),
        ("rows read right", theirs.read_ok, ours.read_ok),
        (
            "rows wrong / missing",
            f"{theirs.read_wrong}/{theirs.read_missing}",
            f"{ours.read_wrong}/{ours.read_missing}",
        ),
        ("updates applied", theirs.updates_ok, ours.updates_ok),
        (
            "updates wrong / missing",
            f"{theirs.updates_wrong}/{theirs.updates_missing}",
            f"{ours.updates_wrong}/{ours.updates_missing}",
        ),
        ("writes applied twice", theirs.double_writes, ours.double_writes),
        ("wall time (s)", theirs.wall, ours.wall),
        ("requests", theirs.requests, ours.requests),
        ("429 answers", theirs.rate_limited, ours.rate_limited),
        ("Retry-After violations", theirs.retry_after_violations, ours.retry_after_violations),
        ("errors raised", sum(theirs.errors.values()), sum(ours.errors.values())),
    ]


async def bench(args: argparse.Namespace) -> None:
    """Run both workloads for both clients and print the tables."""
    print(f"faulty workload: {args.pages} pages read, {args.updates} updates, faults {args.faults}")
    results: dict[str, FaultyResult] = {}
    for name in ("official", "ours"):
        with sandbox_process() as base:
            dataset = await seed(base, args.pages)
            updates = plan_updates(dataset, args.updates, salt=1000)
            set_faults(base, args.faults + ",seed=7")
            driver: Driver = (
                Official(base, max_retries=args.retries, retry_delay=0.5)
                if name == "official"
                else Ours(
                    base, rate_limit=args.client_rate, max_retries=args.retries, retry_delay=0.5
                )
            )
            results[name] = await faulty_workload(base, driver, dataset, updates)
    print(table("", faulty_rows(results["official"], results["ours"])))
    for name, res in results.items():
        print(f"  {name} errors: {dict(res.errors) or 'none'}; exact: {res.exact}")

    print(f"\nrate budget: sandbox --rate-limit 3, mixed workload for {args.seconds:.0f} s")
    rates: dict[str, RateResult] = {}
    for name in ("official", "ours"):
        with sandbox_process(rate_limit=3) as base:
            dataset = await seed(base, 20, rate_limit=3.0)
            driver = (
                Official(base, max_retries=args.retries, retry_delay=0.5)
                if name == "official"
                else Ours(base, rate_limit=3.0, max_retries=args.retries, retry_delay=0.5)
            )
            rates[name] = await mixed_workload(base, driver, dataset, args.seconds)
    o, u = rates["official"], rates["ours"]
    print(
        table(
            "",
            [
                ("operations completed", o.operations, u.operations),
                ("operations failed", o.failed, u.failed),
                ("requests sent", o.requests, u.requests),
                ("429 answers", o.rate_limited, u.rate_limited),
                ("2xx per second", o.achieved_rate, u.achieved_rate),
                ("share of 3 req/s used", o.utilisation(3), u.utilisation(3)),
            ],
        )
    )


def main() -> None:
    """Command line entry."""
    import logging

    logging.basicConfig(level=logging.ERROR)  # retries are counted in the tables, not logged
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=2000)
    parser.add_argument("--updates", type=int, default=200)
    parser.add_argument("--faults", default=FAULTS)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--retries", type=int, default=6)
    parser.add_argument("--client-rate", type=float, default=3.0, help="our client's req/s")
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
