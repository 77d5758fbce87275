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
        if found["results"]:
            parent = found["results"][0]["id"]
        else:  # an --empty sandbox: make a top-level page to hold the database
            root = await client.pages.create(
                parent={"type": "workspace", "workspace": True},
                properties={"title": {"title": [{"text": {"content": "bench"}}]}},
            )
            parent = root["id"]
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
    retry_after_violations_250ms: int = 0  # same, counted only from 250 ms after the 429
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
    base: str,
    driver: Driver,
    dataset: Dataset,
    updates: dict[str, Values],
    *,
    concurrency: int = 8,
    slack: float = 0.05,
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
    stats = log_stats(log_entries(base, since), token_id(TOKEN), slack=slack)
    result.requests, result.rate_limited = stats["requests"], stats["rate_limited"]
    result.retry_after_violations = stats["violations"]
    loose = log_stats(log_entries(base, since), token_id(TOKEN), slack=max(slack, 0.25))
    result.retry_after_violations_250ms = loose["violations"]
    result.double_writes = stats["double_writes"]
    return result


def _when(entry: dict[str, Any]) -> float:
    return datetime.fromisoformat(entry["time"].replace("Z", "+00:00")).timestamp()


def log_stats(entries: list[dict[str, Any]], token: str, *, slack: float = 0.05) -> dict[str, int]:
    """Requests, 429s, Retry-After violations and double-applied writes of one token.

    A violation is a request that arrived while a ``Retry-After`` sent to the same token was
    still running — counted from ``slack`` seconds after the 429 left the server (requests the
    client had already dispatched before reading it are not a violation) to ``slack`` before the
    wait ended.
    """
    mine = [e for e in entries if e["token"] == token and e["path"].startswith("/v1")]
    arrivals = sorted(_when(e) for e in mine)
    violations = 0
    for entry in mine:
        if entry["status"] == 429 and entry.get("retry_after"):
            sent = _when(entry) + entry["duration_ms"] / 1000
            low, high = sent + slack, sent + entry["retry_after"] - slack
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


Cell = float | int | str


def table(columns: list[str], rows: list[tuple[str, list[Cell]]]) -> str:
    """A plain text table; each column after the first also gets its ratio to the first."""
    fmt = lambda v: f"{v:.2f}" if isinstance(v, float) else str(v)  # noqa: E731
    head = f"{'metric':<27}" + "".join(f"{c:>22}" for c in columns)
    head += "".join(f"{'ratio ' + str(k + 1):>10}" for k in range(1, len(columns)))
    lines = [head]
    for name, values in rows:
        line = f"{name:<27}" + "".join(f"{fmt(v):>22}" for v in values)
        base = values[0]
        for value in values[1:]:
            numeric = isinstance(value, int | float) and isinstance(base, int | float)
            line += f"{_ratio(float(value), float(base)) if numeric else '':>10}"  # type: ignore[arg-type]
        lines.append(line)
    return "\n".join(lines)


def faulty_rows(results: list[FaultyResult]) -> list[tuple[str, list[Cell]]]:
    """Table rows for workload 1."""
    return [
        ("completed (reads+updates)", [r.completed for r in results]),
        ("rows read right", [r.read_ok for r in results]),
        ("rows wrong / missing", [f"{r.read_wrong}/{r.read_missing}" for r in results]),
        ("updates applied", [r.updates_ok for r in results]),
        ("updates wrong / missing", [f"{r.updates_wrong}/{r.updates_missing}" for r in results]),
        ("writes applied twice", [r.double_writes for r in results]),
        ("wall time (s)", [r.wall for r in results]),
        ("requests", [r.requests for r in results]),
        ("429 answers", [r.rate_limited for r in results]),
        ("Retry-After violations", [r.retry_after_violations for r in results]),
        ("  … ≥ 250 ms after the 429", [r.retry_after_violations_250ms for r in results]),
        ("errors raised", [sum(r.errors.values()) for r in results]),
    ]


def rate_rows(results: list[RateResult]) -> list[tuple[str, list[Cell]]]:
    """Table rows for workload 2."""
    return [
        ("operations completed", [r.operations for r in results]),
        ("operations failed", [r.failed for r in results]),
        ("requests sent", [r.requests for r in results]),
        ("429 answers", [r.rate_limited for r in results]),
        ("2xx per second", [r.achieved_rate for r in results]),
        ("share of 3 req/s used", [r.utilisation(3.0) for r in results]),
    ]


def _driver(kind: str, base: str, args: argparse.Namespace) -> Driver:
    if kind == "official":
        return Official(base, max_retries=args.retries, retry_delay=0.5)
    rate = 3.0 if kind == "ours" else 1000.0  # 1000/s: no budget, but a 429 still pauses all
    return Ours(base, rate_limit=rate, max_retries=args.retries, retry_delay=0.5)


COLUMNS = {
    "official": "notion-client 3.1",
    "ours": "syncbridge @3 req/s",
    "ours-unbudgeted": "syncbridge no budget",
}


async def bench(args: argparse.Namespace) -> None:
    """Run both workloads for every client and print the tables."""
    kinds = ["official", "ours", "ours-unbudgeted"]
    print(
        f"1) faulty workload: read {args.pages} pages (full scan), {args.updates} page updates "
        f"(8 at a time), faults {args.faults}, retries {args.retries}, timeout {TIMEOUT:.0f} s"
    )
    results: list[FaultyResult] = []
    for kind in kinds:
        with sandbox_process() as base:
            dataset = await seed(base, args.pages)
            updates = plan_updates(dataset, args.updates, salt=1000)
            set_faults(base, args.faults + ",seed=7")
            results.append(await faulty_workload(base, _driver(kind, base, args), dataset, updates))
    print(table([COLUMNS[k] for k in kinds], faulty_rows(results)))
    for kind, res in zip(kinds, results, strict=True):
        print(f"  {COLUMNS[kind]}: errors {dict(res.errors) or 'none'}; exact: {res.exact}")

    print(f"\n2) rate budget: sandbox --rate-limit 3, mixed workload for {args.seconds:.0f} s")
    rates: list[RateResult] = []
    for kind in kinds[:2]:
        with sandbox_process(rate_limit=3) as base:
            dataset = await seed(base, 20, rate_limit=3.0)
            rates.append(
                await mixed_workload(base, _driver(kind, base, args), dataset, args.seconds)
            )
    print(table([COLUMNS[k] for k in kinds[:2]], rate_rows(rates)))


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
    asyncio.run(bench(parser.parse_args()))


if __name__ == "__main__":
    main()
