"""``syncbridge worker [--burst] [--json]``: send the outbox's queued writes to Notion."""

from __future__ import annotations

import asyncio
import json
import signal
from typing import Annotated

import typer

from syncbridge.commands.common import client_args, fail
from syncbridge.outbox.errors import OutboxError
from syncbridge.settings import SettingsError, load_settings
from syncbridge.store.errors import StoreError


def worker(
    burst: Annotated[
        bool, typer.Option("--burst", help="Send what is due now, then exit.")
    ] = False,
    until_empty: Annotated[
        bool,
        typer.Option(
            "--until-empty", help="With --burst: also wait for retries; exit when nothing is left."
        ),
    ] = False,
    concurrency: Annotated[int, typer.Option(min=1, help="Writes in flight at once.")] = 4,
    lease: Annotated[
        float, typer.Option(min=1.0, help="Seconds a claimed write stays ours (renewed).")
    ] = 60.0,
    notion_url: Annotated[
        str | None, typer.Option(help="Notion API base URL, e.g. a running sandbox.")
    ] = None,
    store_url: Annotated[str | None, typer.Option(help="Store URL (default: settings).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the counts as JSON.")] = False,
) -> None:
    """Deliver queued Notion writes; runs until Ctrl-C/SIGTERM (finishing writes in flight)."""
    from syncbridge.notion.client import NotionClient
    from syncbridge.outbox.queue import Outbox
    from syncbridge.outbox.worker import OutboxWorker

    try:
        settings = load_settings()
        box = Outbox.open(store_url or settings.store_url)
        client = NotionClient(**client_args(settings, notion_url))
    except (SettingsError, StoreError, OutboxError, ValueError) as err:
        fail(err)

    async def run() -> dict[str, object]:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        try:
            runner = OutboxWorker(box, client, concurrency=concurrency, lease_seconds=lease)
            stats = await runner.run(burst=burst, until_empty=until_empty, stop=stop)
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
        return stats.to_json()

    try:
        result = asyncio.run(run())
    except (StoreError, OutboxError) as err:
        fail(err)
    finally:
        box.close()
    result["pending"] = box.pending_count()
    result["dead_letters"] = len(box.entries(dead=True))
    if as_json:
        typer.echo(json.dumps(result, indent=2))
        return
    typer.echo(
        f"sent {result['sent']}, retried {result['retried']}, dead {result['dead']}, "
        f"adopted {result['adopted']}; {result['pending']} pending, "
        f"{result['dead_letters']} dead letters"
    )


def register(app: typer.Typer) -> None:
    """Add ``syncbridge worker``."""
    app.command("worker")(worker)
