"""SIGKILL a full pull at random points, restart it, repeat: the mirror ends exact, no duplicates.

The pull runs as a real ``syncbridge sync --full`` process against a sandbox on loopback; the test
waits until the scan has checkpointed a random number of pages, kills the process, and starts it
again. The suite runs a small size; ``bench/chaos_pull.py`` runs the full size (5,000 pages,
ten kills) through the same test with ``CHAOS_PAGES`` and ``CHAOS_KILLS`` set.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from syncbridge.notion.client import NotionClient
from syncbridge.store.migrate import open_store
from syncbridge.store.registry import register_database

TOKEN = "sandbox-token"
PAGES = int(os.environ.get("CHAOS_PAGES", "1200"))
KILLS = int(os.environ.get("CHAOS_KILLS", "3"))


def seed(sandbox: Any, pages: int) -> tuple[str, str]:
    """A database of ``pages`` rows, made directly in the sandbox's workspace (fast).

    Ten rows are created per minute of sandbox time: Notion's created_time has minute
    granularity and gives no order within a minute, so a resumed scan re-reads the rows of the
    minute it stopped in, and no more.
    """
    ws = sandbox.workspace
    clock = sandbox.app.state.clock
    clock.freeze(clock.now() - timedelta(minutes=pages // 10 + 10))
    db = ws.create_database(
        {
            "parent": {"type": "page_id", "page_id": sandbox.sample_ids["sample_page"]},
            "title": [{"text": {"content": "Chaos"}}],
            "initial_data_source": {
                "properties": {"Name": {"title": {}}, "N": {"number": {}}, "Tag": {"select": {}}}
            },
        }
    )
    ds = db["data_sources"][0]["id"]
    for i in range(pages):
        ws.create_page(
            {
                "parent": {"data_source_id": ds},
                "properties": {
                    "Name": {"title": [{"text": {"content": f"row {i}"}}]},
                    "N": {"number": i},
                    "Tag": {"select": {"name": f"t{i % 7}"}},
                },
            }
        )
        if i % 10 == 9:
            clock.advance(60)
    clock.unfreeze()
    return db["id"], ds


def sync_process(db_id: int, base_url: str, store_url: str) -> subprocess.Popen[str]:
    env = {**os.environ, "SYNCBRIDGE_STORE_URL": store_url, "SYNCBRIDGE_CONFIG": ""}
    env.pop("NOTION_TOKEN", None)
    cmd = [sys.executable, "-m", "syncbridge", "sync", str(db_id), "--full", "--json"]
    cmd += ["--notion-url", base_url]
    return subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def scanned(engine: sa.Engine) -> int:
    with engine.connect() as conn:
        value = conn.scalar(sa.text("SELECT MAX(scan_pages) FROM sb_checkpoints"))
        return int(value or 0)


def test_sigkill_during_full_pull_then_resume(
    sandbox_factory: Any, sqlite_url: str, tmp_path: Path
) -> None:
    # Latency stretches the scan so kills land in the middle of it.
    sandbox = sandbox_factory(faults="latency=20-60ms,seed=3")
    _, data_source = seed(sandbox, PAGES)
    engine = open_store(sqlite_url)
    db_id = asyncio.run(
        register_database(
            engine,
            NotionClient(TOKEN, base_url=sandbox.base_url, rate_limit=None),
            sandbox.workspace.retrieve_data_source(data_source)["parent"]["database_id"],
        )
    ).id
    rng = random.Random(11)
    kills = 0
    for _ in range(KILLS):
        # Each run resumes where the last one was killed, so aim past what is already done.
        step = max(100, PAGES // (KILLS + 2))
        target = scanned(engine) + rng.randrange(step // 2, step)
        proc = sync_process(db_id, sandbox.base_url, sqlite_url)
        deadline = time.monotonic() + 60
        while scanned(engine) < target and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.01)
        if proc.poll() is None:
            proc.send_signal(signal.SIGKILL)
            kills += 1
        proc.communicate(timeout=30)
    final = sync_process(db_id, sandbox.base_url, sqlite_url)
    out, err = final.communicate(timeout=120)
    assert final.returncode == 0, err
    result = json.loads(out)
    (pull,) = result["pulls"]
    assert pull["status"] == "succeeded"
    assert kills == KILLS, "every kill must land while the scan is still running"
    assert pull["resumed"], "the last run must continue the killed scan, not start over"
    done_before = PAGES - pull["pages_seen"]
    assert done_before >= KILLS * 50, "a resumed scan does not re-read what earlier runs wrote"

    table = f'"{result["pulls"][0]["table"]}"'
    expected = {
        p["id"]: p["properties"]["Name"]["title"][0]["plain_text"]
        for p in sandbox.workspace.rows[data_source].values()
    }
    with engine.connect() as conn:
        total, distinct = conn.execute(
            sa.text(f"SELECT COUNT(*), COUNT(DISTINCT page_id) FROM {table}")
        ).one()
        got = dict(conn.execute(sa.text(f'SELECT page_id, "name" FROM {table}')).all())
    assert total == distinct == PAGES
    assert got == expected
    engine.dispose()
    print(f"chaos pull: {PAGES} pages, {kills} kills, final run read {pull['pages_seen']} pages")
