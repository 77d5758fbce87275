"""Pull throughput and memory: syncbridge vs the plain official SDK plus SQLAlchemy upserts.

    python bench/pull.py [--pages 20000] [--big 100000] [--quick]

1. A sandbox process (rate limit off) serves a database of N pages, seeded one minute apart.
2. syncbridge pulls it into a fresh SQLite file (full pull), in its own process: pages/s, peak RSS.
3. The alternative a user would write pulls it too, in its own process: the official
   ``notion-client`` iterating the query, one SQLAlchemy upsert per page into a table
   (page_id, title, properties JSON). Notion stops a query at 10,000 rows, so it also counts how
   many rows it really stored.
4. An incremental pull of the unchanged database: requests and seconds.
5. The same full pull of a bigger database: peak RSS compared with the first (flat memory).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import socket
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

TOKEN = "sandbox-token"
HERE = Path(__file__).resolve()


# -- the sandbox process ---------------------------------------------------------------------
def serve_sandbox(pages: int, port: int) -> None:
    """Seed ``pages`` rows (created one minute apart, long ago) and serve until killed."""
    import uvicorn

    from syncbridge.sandbox.clock import Clock
    from syncbridge.sandbox.config import SandboxConfig
    from syncbridge.sandbox.server import build

    clock = Clock()
    clock.freeze(datetime.now(UTC) - timedelta(minutes=pages + 60))
    app = build(SandboxConfig(port=port, rate_limit=0, empty=True), clock=clock)
    ws = app.state.workspace
    root = ws.create_page(
        {
            "parent": {"type": "workspace", "workspace": True},
            "properties": {"title": {"title": [{"text": {"content": "Bench"}}]}},
        }
    )
    schema = {
        "Name": {"title": {}},
        "Amount": {"number": {}},
        "Stage": {"select": {"options": [{"name": s} for s in ("lead", "won", "lost")]}},
        "Tags": {"multi_select": {}},
        "Due": {"date": {}},
        "Done": {"checkbox": {}},
        "Notes": {"rich_text": {}},
    }
    db = ws.create_database(
        {
            "parent": {"type": "page_id", "page_id": root["id"]},
            "title": [{"text": {"content": "Bench"}}],
            "initial_data_source": {"properties": schema},
        }
    )
    ds = db["data_sources"][0]["id"]
    for i in range(pages):
        ws.create_page(
            {
                "parent": {"data_source_id": ds},
                "properties": {
                    "Name": {"title": [{"text": {"content": f"deal {i}"}}]},
                    "Amount": {"number": i * 10.5},
                    "Stage": {"select": {"name": ("lead", "won", "lost")[i % 3]}},
                    "Tags": {"multi_select": [{"name": f"t{i % 5}"}]},
                    "Due": {"date": {"start": f"2026-{i % 12 + 1:02d}-{i % 28 + 1:02d}"}},
                    "Done": {"checkbox": i % 2 == 0},
                    "Notes": {"rich_text": [{"text": {"content": f"note for deal {i}"}}]},
                },
            }
        )
        clock.advance(60)
    clock.unfreeze()
    print(json.dumps({"database_id": db["id"], "data_source_id": ds}), flush=True)
    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")


def start_sandbox(pages: int) -> tuple[subprocess.Popen[str], str, dict[str, str]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen(
        [sys.executable, str(HERE), "_sandbox", str(pages), str(port)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    ids = json.loads(proc.stdout.readline())
    base_url = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    return proc, base_url, ids


# -- the two pullers (each in its own process, so RSS is theirs alone) ------------------------
def child_syncbridge(base_url: str, database_id: str, store: str, mode: str) -> dict[str, Any]:
    import asyncio

    from syncbridge.notion.client import NotionClient
    from syncbridge.store.migrate import open_store
    from syncbridge.store.registry import list_databases, register_database
    from syncbridge.sync.pull import PullOptions
    from syncbridge.sync.runner import sync_database

    engine = open_store(f"sqlite:///{store}")

    def client(metrics: Any = None) -> NotionClient:
        return NotionClient(TOKEN, base_url=base_url, rate_limit=None, metrics=metrics)

    existing = list_databases(engine)
    if existing:
        db_id = existing[0].id
    else:
        db_id = asyncio.run(register_database(engine, client(), database_id)).id
    started = time.perf_counter()
    options = PullOptions(mode=mode)  # type: ignore[arg-type]
    # The pull alone: pushing local edits is not what this measures.
    result = asyncio.run(sync_database(engine, client, db_id, options, push_changes=False))
    seconds = time.perf_counter() - started
    (pull,) = result.pulls
    assert pull.status == "succeeded", pull.error
    return {
        "seconds": seconds,
        "pages": pull.pages_seen,
        "stored": pull.inserted + pull.updated + pull.unchanged,
        "requests": pull.requests,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def child_sdk(base_url: str, data_source_id: str, store: str) -> dict[str, Any]:
    import sqlalchemy as sa
    from notion_client import Client
    from notion_client.helpers import iterate_paginated_api
    from sqlalchemy.dialects.sqlite import insert

    engine = sa.create_engine(f"sqlite:///{store}")
    meta = sa.MetaData()
    table = sa.Table(
        "deals",
        meta,
        sa.Column("page_id", sa.String, primary_key=True),
        sa.Column("title", sa.Text),
        sa.Column("properties", sa.JSON),
        sa.Column("last_edited_time", sa.String),
    )
    meta.create_all(engine)
    notion = Client(auth=TOKEN, base_url=base_url)
    started = time.perf_counter()
    pages = 0
    with engine.begin() as conn:
        for page in iterate_paginated_api(
            notion.data_sources.query, data_source_id=data_source_id, page_size=100
        ):
            title = "".join(t["plain_text"] for t in page["properties"]["Name"]["title"])
            row = {
                "page_id": page["id"],
                "title": title,
                "properties": page["properties"],
                "last_edited_time": page["last_edited_time"],
            }
            stmt = insert(table).values(row)
            conn.execute(stmt.on_conflict_do_update(index_elements=["page_id"], set_=row))
            pages += 1
    seconds = time.perf_counter() - started
    with engine.connect() as conn:
        stored = conn.scalar(sa.select(sa.func.count()).select_from(table))
    return {
        "seconds": seconds,
        "pages": pages,
        "stored": stored,
        "requests": (pages + 99) // 100,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def run_child(*args: str) -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, str(HERE), *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


# -- the report ------------------------------------------------------------------------------
def measure(pages: int, tmp: Path, *, baseline: bool) -> dict[str, dict[str, Any]]:
    proc, base_url, ids = start_sandbox(pages)
    try:
        store = str(tmp / f"sb-{pages}.db")
        out = {"syncbridge full": run_child("_sb", base_url, ids["database_id"], store, "full")}
        out["syncbridge incremental"] = run_child(
            "_sb", base_url, ids["database_id"], store, "incremental"
        )
        if baseline:
            sdk_store = str(tmp / f"sdk-{pages}.db")
            out["official SDK + upserts"] = run_child(
                "_sdk", base_url, ids["data_source_id"], sdk_store
            )
        return out
    finally:
        proc.kill()
        proc.wait()


def report(pages: int, rows: dict[str, dict[str, Any]]) -> None:
    print(f"\n{pages:,} pages in the database")
    print(
        f"{'':26} {'seconds':>8} {'pages/s':>9} {'stored':>8} {'requests':>9} {'peak RSS MB':>12}"
    )
    for name, r in rows.items():
        rate = r["pages"] / r["seconds"] if r["seconds"] else 0.0
        print(
            f"{name:26} {r['seconds']:8.2f} {rate:9.0f} {r['stored']:8,} "
            f"{r['requests']:9,} {r['rss_mb']:12.1f}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description="pull benchmark")
    parser.add_argument("--pages", type=int, default=20_000)
    parser.add_argument("--big", type=int, default=100_000)
    parser.add_argument("--quick", action="store_true", help="2,000 and 10,000 pages")
    args = parser.parse_args()
    if args.quick:
        args.pages, args.big = 2_000, 10_000
    with tempfile.TemporaryDirectory() as tmp:
        small = measure(args.pages, Path(tmp), baseline=True)
        report(args.pages, small)
        sb, sdk = small["syncbridge full"], small["official SDK + upserts"]
        print(
            f"\nsyncbridge / SDK: pages/s "
            f"{(sb['pages'] / sb['seconds']) / (sdk['pages'] / sdk['seconds']):.2f}x, "
            f"rows stored {sb['stored']:,} vs {sdk['stored']:,} of {args.pages:,}, "
            f"peak RSS {sb['rss_mb'] / sdk['rss_mb']:.2f}x"
        )
        inc = small["syncbridge incremental"]
        print(
            f"incremental over the unchanged database: {inc['requests']} request(s), "
            f"{inc['seconds']:.2f} s"
        )
        big = measure(args.big, Path(tmp), baseline=False)
        report(args.big, big)
        ratio = big["syncbridge full"]["rss_mb"] / sb["rss_mb"]
        print(
            f"\npeak RSS {args.big:,} pages / {args.pages:,} pages: {ratio:.2f}x "
            f"({'within' if ratio <= 1.5 else 'OVER'} the 1.5x bound)"
        )


if __name__ == "__main__":
    if len(sys.argv) > 1 and sys.argv[1].startswith("_"):
        role, rest = sys.argv[1], sys.argv[2:]
        if role == "_sandbox":
            serve_sandbox(int(rest[0]), int(rest[1]))
        elif role == "_sb":
            print(json.dumps(child_syncbridge(*rest)))
        elif role == "_sdk":
            print(json.dumps(child_sdk(*rest)))
        os._exit(0)
    main()
