"""``syncbridge run``: the main job on whatever is configured, once, with progress.

With no ``NOTION_TOKEN`` it starts the built-in sandbox, registers the sample databases and
mirrors them into the store (``./syncbridge.db`` by default), then says what it mirrored and a
query to try. With a token it syncs every database registered with ``syncbridge db add``.
"""

from __future__ import annotations

import asyncio
import functools
from pathlib import Path
from typing import Annotated

import sqlalchemy as sa
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from syncbridge.commands.common import SANDBOX_TOKEN, client_args, fail
from syncbridge.settings import Settings, SettingsError, load_settings
from syncbridge.store.errors import StoreError

SANDBOX_DATA = "syncbridge-sandbox.db"
SAMPLE = ("tasks", "calendar", "reports", "users", "sales", "issues")


def register(app: typer.Typer) -> None:
    """Add ``run`` to the CLI."""
    app.command("run")(run)


def run(
    full: Annotated[
        bool, typer.Option("--full", help="Scan every row instead of what changed.")
    ] = False,
) -> None:
    """Sync every registered database once (the sandbox's sample when no NOTION_TOKEN is set)."""
    from syncbridge.store.migrate import open_store

    try:
        settings = load_settings()
        engine = open_store(settings.store_url)
    except (SettingsError, StoreError) as err:
        fail(err)
    try:
        if settings.sandbox_mode:
            _run_on_sandbox(settings, engine, full)
        else:
            _sync_all(settings, engine, client_args(settings), full)
    finally:
        engine.dispose()


def _run_on_sandbox(settings: Settings, engine: sa.Engine, full: bool) -> None:
    from syncbridge.sandbox.config import SandboxConfig
    from syncbridge.sandbox.server import SandboxServer
    from syncbridge.store.registry import list_databases, register_database

    console = Console(stderr=True)
    console.print(
        "No NOTION_TOKEN set: using the built-in Notion sandbox "
        f"(its workspace is kept in {SANDBOX_DATA})."
    )
    # The sandbox keeps its workspace in a file beside the store, so ids stay the same from one
    # run to the next and a second run pulls only what changed.
    config = SandboxConfig(
        port=0,
        rate_limit=settings.notion_rate_limit,
        tokens=(SANDBOX_TOKEN,),
        data=Path(SANDBOX_DATA),
    )
    with SandboxServer(config) as server:
        args = {**client_args(settings, server.base_url), "token": SANDBOX_TOKEN}
        from syncbridge.notion.client import NotionClient

        known = {db.name for db in list_databases(engine)}

        async def register_sample() -> None:
            client = NotionClient(**args)
            for name in SAMPLE:
                if name.title() in known:
                    continue
                await register_database(
                    engine,
                    client,
                    server.sample_ids[f"{name}_database"],
                    name=name.title(),
                    database_type=name if name != "issues" else "generic",
                )

        asyncio.run(register_sample())
        _sync_all(settings, engine, args, full, only=[n.title() for n in SAMPLE])
    _show_mirror(engine)


def _sync_all(
    settings: Settings,
    engine: sa.Engine,
    args: dict[str, object],
    full: bool,
    only: list[str] | None = None,
) -> None:
    from syncbridge.http.metrics import MetricsHook
    from syncbridge.notion.client import NotionClient
    from syncbridge.store.registry import list_databases
    from syncbridge.sync.pull import PullOptions
    from syncbridge.sync.runner import sync_database

    databases = [
        db for db in list_databases(engine) if db.enabled and (only is None or db.name in only)
    ]
    if not databases:
        fail("no databases registered: add one with `syncbridge db add NOTION_DATABASE_ID`")
    console = Console(stderr=True)
    failed = False
    with Progress(
        TextColumn("[bold]{task.description:12}"),
        BarColumn(),
        TextColumn("{task.completed} pages"),
        TimeElapsedColumn(),
        console=console,
    ) as bar:
        for db in databases:
            task = bar.add_task(db.name, total=None)
            options = PullOptions(
                mode="full" if full else None,
                delete_threshold=settings.delete_threshold,
                progress=functools.partial(_advance, bar, task),
            )

            def make(metrics: MetricsHook) -> NotionClient:
                return NotionClient(**args, metrics=metrics)  # type: ignore[arg-type]

            result = asyncio.run(sync_database(engine, make, db.id, options))
            seen = result.total("pages_seen")
            mark = "✓" if result.ok else "✗"
            bar.update(task, description=f"{db.name} {mark}", total=seen, completed=seen)
            for pull in result.pulls:
                if pull.error:
                    failed = True
                    console.print(f"[red]{db.name}: {pull.status}: {pull.error}")
    if failed:
        raise typer.Exit(1)


def _advance(bar: Progress, task: TaskID, seen: int) -> None:
    bar.update(task, completed=seen)


def _show_mirror(engine: sa.Engine) -> None:
    from syncbridge.store.registry import list_databases

    table = Table(title="mirrored tables")
    table.add_column("database")
    table.add_column("table")
    table.add_column("rows", justify="right")
    first = None
    with engine.connect() as conn:
        for db in list_databases(engine):
            for ds in db.data_sources:
                count = conn.scalar(sa.select(sa.func.count()).select_from(sa.table(ds.table_name)))
                table.add_row(db.name, ds.table_name, str(count))
                first = first or ds.table_name
    console = Console()
    console.print(table)
    console.print(f"Store: {engine.url.render_as_string(hide_password=True)}")
    if first:
        console.print(f'Try in your SQL client: SELECT * FROM "{first}" LIMIT 5;')
        console.print("Run it again to pull what changed; `syncbridge history` lists the runs.")
