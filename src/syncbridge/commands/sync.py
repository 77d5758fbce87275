"""``syncbridge sync DB`` and ``syncbridge history``: pull a database now, list past runs."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from syncbridge.commands.common import fail, settings_store_client
from syncbridge.settings import SettingsError, load_settings
from syncbridge.store.errors import StoreError

if TYPE_CHECKING:
    from syncbridge.sync.results import SyncResult


def register(app: typer.Typer) -> None:
    """Add ``sync`` and ``history`` to the CLI."""
    app.command("sync")(sync)
    app.command("history")(history)


def sync(
    database: Annotated[str, typer.Argument(help="Our database id or its Notion id.")],
    full: Annotated[
        bool, typer.Option("--full", help="Scan every row (resumes a killed scan).")
    ] = False,
    force: Annotated[
        bool, typer.Option("--force", help="Rewrite every row and restart any interrupted scan.")
    ] = False,
    notion_url: Annotated[
        str | None, typer.Option(help="Notion API base URL (e.g. a sandbox).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Pull a registered database into its mirror tables now, with progress and a summary."""
    from syncbridge.notion.client import NotionClient
    from syncbridge.sync.pull import PullOptions
    from syncbridge.sync.runner import sync_database

    settings, engine, args = settings_store_client(notion_url)
    console = Console(stderr=True)
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.completed} pages"),
        TimeElapsedColumn(),
        console=console,
        disable=as_json or not console.is_terminal,
    ) as bar:
        task = bar.add_task(f"syncing {database}", total=None)
        options = PullOptions(
            mode="full" if full or force else None,
            force=force,
            delete_threshold=settings.delete_threshold,
            progress=lambda seen: bar.update(task, completed=seen),
        )
        try:
            result = asyncio.run(
                sync_database(engine, lambda m: NotionClient(**args, metrics=m), database, options)
            )
        except StoreError as err:
            fail(err)
        finally:
            engine.dispose()
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        _summary(result)
    if not result.ok:
        raise typer.Exit(1)


def _summary(result: SyncResult) -> None:
    table = Table(title=f"{result.name} (id {result.database_id})")
    for col in (
        "table",
        "mode",
        "status",
        "seen",
        "new",
        "changed",
        "same",
        "gone",
        "requests",
        "429s",
        "seconds",
    ):
        table.add_column(col, justify="right" if col not in ("table", "mode", "status") else "left")
    for p in result.pulls:
        table.add_row(
            p.table,
            p.mode + (" (resumed)" if p.resumed else ""),
            p.status,
            *(str(v) for v in (p.pages_seen, p.inserted, p.updated, p.unchanged, p.tombstoned)),
            str(p.requests),
            str(p.rate_limited),
            f"{p.duration:.1f}",
        )
    Console().print(table)
    for p in result.pulls:
        for change in p.schema_changes:
            typer.echo(f"schema: {change}")
        if p.conflicts:
            typer.echo(f"{p.table}: {p.conflicts} conflicts (syncbridge conflicts list --all)")
        if p.error:
            typer.echo(f"{p.table}: {p.status}: {p.error}", err=True)
    for pushed in result.pushes:
        if pushed.error:
            typer.echo(f"push failed: {pushed.error}", err=True)
        elif pushed.queued or pushed.refused or pushed.held:
            typer.echo(
                f"{pushed.table}: queued {pushed.updates} updates, {pushed.creates} creates, "
                f"{pushed.trashes} trashes for `syncbridge worker`; refused {pushed.refused}, "
                f"held by conflicts {pushed.held}"
            )


def history(
    database: Annotated[str | None, typer.Option("--db", help="Only this database.")] = None,
    limit: Annotated[int, typer.Option(help="How many runs, newest first.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List recent sync runs with their counts and errors."""
    from syncbridge.store import history as runs
    from syncbridge.store.migrate import open_store
    from syncbridge.store.registry import get_database

    try:
        engine = open_store(load_settings().store_url)
        db_id = get_database(engine, database).id if database else None
        items = runs.recent_runs(engine, database_id=db_id, limit=limit)
    except (SettingsError, StoreError) as err:
        fail(err)
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2))
        return
    table = Table(title="sync history")
    for col in (
        "id",
        "database",
        "mode",
        "status",
        "started",
        "seen",
        "new",
        "changed",
        "gone",
        "requests",
        "error",
    ):
        table.add_column(col)
    for run in items:
        table.add_row(
            str(run["id"]),
            run["database"],
            run["mode"],
            run["status"],
            run["started_at"][:19],
            *(str(run[k]) for k in ("pages_seen", "inserted", "updated", "tombstoned", "requests")),
            (run["error"] or "")[:60],
        )
    Console().print(table)
