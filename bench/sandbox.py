"""How fast does the sandbox answer? Requests/s for page retrieve and data source query.

Starts ``syncbridge sandbox --rate-limit 0`` in a separate process (uvicorn, the sample workspace),
then drives it with N concurrent clients for a fixed time per case, twice: with plain
``httpx.AsyncClient`` and with the official ``notion-client`` SDK (``AsyncClient``), so the table
shows the server's throughput and what a typical client library leaves of it.

    python bench/sandbox.py            # 3 interleaved rounds of 2 s per case, 1/4/16 clients
    python bench/sandbox.py --quick    # 1 round of 1.5 s per case, 1/8 clients
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import socket
import statistics
import subprocess
import sys
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from notion_client import AsyncClient as NotionSDK

TOKEN = "bench-token"
VERSION = "2025-09-03"
HEADERS = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": VERSION}


@dataclass(frozen=True)
class Result:
    client: str
    operation: str
    concurrency: int
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def percentile(self, q: float) -> float:
        if not self.latencies:
            return float("nan")
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(q * len(ordered)))] * 1000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_sandbox(port: int) -> subprocess.Popen[bytes]:
    """``syncbridge sandbox`` in its own process; returns once it answers."""
    command = [
        sys.executable, "-c", "from syncbridge.cli import main; main()", "sandbox",
        "--port", str(port), "--token", TOKEN, "--rate-limit", "0",
    ]  # fmt: skip
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(
                f"sandbox exited: {proc.stderr.read().decode() if proc.stderr else ''}"
            )
        try:
            if httpx.get(f"http://127.0.0.1:{port}/v1/users/me", headers=HEADERS).is_success:
                return proc
        except httpx.HTTPError:
            time.sleep(0.1)
    proc.kill()
    raise SystemExit("sandbox did not start within 30 s")


def sample_ids(base_url: str) -> tuple[list[str], str]:
    """Page ids of the Tasks data source and its id (found through the API)."""
    with httpx.Client(base_url=base_url, headers=HEADERS) as client:
        search = client.post(
            "/v1/search", json={"filter": {"property": "object", "value": "data_source"}}
        ).json()
        tasks = next(d["id"] for d in search["results"] if d["title"][0]["plain_text"] == "Tasks")
        rows = client.post(f"/v1/data_sources/{tasks}/query", json={"page_size": 100}).json()
    return [p["id"] for p in rows["results"]], tasks


async def drive(
    call: Callable[[], Awaitable[Any]], concurrency: int, seconds: float
) -> tuple[int, int, list[float]]:
    """Run ``call`` from ``concurrency`` tasks for ``seconds``; (ok, errors, latencies)."""
    stop = time.perf_counter() + seconds
    latencies: list[float] = []
    errors = 0

    async def worker() -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                await call()
            except Exception:
                errors += 1
                continue
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    return len(latencies), errors, latencies


async def bench_httpx(
    base_url: str, pages: list[str], ds: str, concurrency: int, seconds: float
) -> list[Result]:
    rng = random.Random(1)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base_url, headers=HEADERS, limits=limits) as client:
        # Parse the JSON as the SDK does, so the two columns do the same work.
        async def retrieve() -> None:
            answer = await client.get(f"/v1/pages/{rng.choice(pages)}")
            answer.raise_for_status()
            answer.json()

        async def query() -> None:
            answer = await client.post(f"/v1/data_sources/{ds}/query", json={"page_size": 100})
            answer.raise_for_status()
            answer.json()

        return await _cases("httpx", retrieve, query, concurrency, seconds)


async def bench_sdk(
    base_url: str, pages: list[str], ds: str, concurrency: int, seconds: float
) -> list[Result]:
    rng = random.Random(1)
    sdk = NotionSDK(auth=TOKEN, base_url=base_url, notion_version=VERSION)
    try:

        async def retrieve() -> None:
            await sdk.pages.retrieve(page_id=rng.choice(pages))

        async def query() -> None:
            await sdk.data_sources.query(data_source_id=ds, page_size=100)

        return await _cases("notion-client", retrieve, query, concurrency, seconds)
    finally:
        await sdk.aclose()


async def _cases(
    name: str,
    retrieve: Callable[[], Awaitable[None]],
    query: Callable[[], Awaitable[None]],
    concurrency: int,
    seconds: float,
) -> list[Result]:
    out = []
    for operation, call in (("page retrieve", retrieve), ("query (100 rows)", query)):
        await drive(call, concurrency, min(0.3, seconds / 5))  # warm up connections
        ok, errors, latencies = await drive(call, concurrency, seconds)
        out.append(Result(name, operation, concurrency, ok, errors, seconds, latencies))
    return out


def merge(results: list[Result]) -> list[Result]:
    """One result per (client, operation, concurrency), summed over the rounds."""
    groups: dict[tuple[str, str, int], list[Result]] = {}
    for r in results:
        groups.setdefault((r.client, r.operation, r.concurrency), []).append(r)
    return [
        Result(
            client,
            operation,
            concurrency,
            sum(r.requests for r in rs),
            sum(r.errors for r in rs),
            sum(r.seconds for r in rs),
            [x for r in rs for x in r.latencies],
        )
        for (client, operation, concurrency), rs in groups.items()
    ]


def print_table(results: list[Result]) -> None:
    print(f"\n{'operation':<18} {'clients':>7} {'client':<14} {'req/s':>8} "
          f"{'p50 ms':>8} {'p99 ms':>8} {'errors':>6}")  # fmt: skip
    for r in sorted(results, key=lambda r: (r.operation, r.concurrency, r.client)):
        print(f"{r.operation:<18} {r.concurrency:>7} {r.client:<14} {r.rate:>8.0f} "
              f"{r.percentile(0.5):>8.2f} {r.percentile(0.99):>8.2f} {r.errors:>6}")  # fmt: skip
    print("\nratio notion-client / httpx (req/s):")
    for r in results:
        if r.client != "httpx":
            continue
        other = next(
            x for x in results
            if x.client != "httpx" and (x.operation, x.concurrency) == (r.operation, r.concurrency)
        )  # fmt: skip
        print(f"  {r.operation:<18} x{r.concurrency:<3} {other.rate / r.rate:5.2f}")


async def middleware_overhead(calls: int) -> tuple[float, float]:
    """µs per in-process ASGI call of a tiny /v1 route without and with SandboxMiddleware."""
    from fastapi import FastAPI

    from syncbridge.sandbox.config import SandboxConfig
    from syncbridge.sandbox.middleware import SandboxMiddleware, build_infra

    def app(wrapped: bool) -> FastAPI:
        out = FastAPI()
        if wrapped:
            infra = build_infra(SandboxConfig(tokens=(TOKEN,), rate_limit=1e9))
            out.add_middleware(SandboxMiddleware, infra=infra)

        @out.get("/v1/ping")
        async def ping() -> dict[str, str]:
            return {"object": "ping"}

        return out

    headers = [(k.lower().encode(), v.encode()) for k, v in HEADERS.items()]
    scope = {"type": "http", "method": "GET", "path": "/v1/ping", "raw_path": b"/v1/ping",
             "query_string": b"", "headers": headers, "http_version": "1.1", "scheme": "http",
             "server": ("127.0.0.1", 80), "client": ("127.0.0.1", 1), "root_path": ""}  # fmt: skip

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: dict[str, Any]) -> None:
        pass

    async def per_call(target: FastAPI) -> float:
        for _ in range(200):
            await target(dict(scope, state={}), receive, send)
        started = time.perf_counter()
        for _ in range(calls):
            await target(dict(scope, state={}), receive, send)
        return (time.perf_counter() - started) / calls * 1e6

    plain, wrapped = app(False), app(True)
    return await per_call(plain), await per_call(wrapped)


async def main_async(args: argparse.Namespace) -> None:
    port = free_port()
    proc = start_sandbox(port)
    base_url = f"http://127.0.0.1:{port}"
    try:
        pages, ds = sample_ids(base_url)
        results: list[Result] = []
        for concurrency in args.clients:
            # Interleaved rounds: both clients see the same background load on a busy machine.
            for _ in range(args.rounds):
                results += await bench_httpx(base_url, pages, ds, concurrency, args.seconds)
                results += await bench_sdk(base_url, pages, ds, concurrency, args.seconds)
        results = merge(results)
        load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
        python = sys.version.split()[0]
        print(f"sandbox: {base_url} (separate process), {os.cpu_count()} CPUs, load {load}, "
              f"{args.rounds} x {args.seconds:g} s per case, Python {python}")  # fmt: skip
        print_table(results)
        mean = statistics.fmean(r.rate for r in results if r.operation == "page retrieve")
        print(f"\nmean page-retrieve rate over all cases: {mean:.0f} req/s")
        plain, wrapped = await middleware_overhead(2000 if args.quick else 10000)
        print(f"middleware cost in process: {plain:.0f} µs/request without, {wrapped:.0f} µs "
              f"with SandboxMiddleware (+{wrapped - plain:.0f} µs)")  # fmt: skip
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="short run (1.5 s per case)")
    parser.add_argument("--seconds", type=float, default=None, help="seconds per case and round")
    parser.add_argument("--rounds", type=int, default=None, help="interleaved rounds per case")
    parser.add_argument("--clients", type=int, nargs="+", default=None, help="concurrency levels")
    args = parser.parse_args()
    args.seconds = args.seconds or (1.5 if args.quick else 2.0)
    args.rounds = args.rounds or (1 if args.quick else 3)
    args.clients = args.clients or ([1, 8] if args.quick else [1, 4, 16])
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
