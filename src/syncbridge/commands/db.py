"""``syncbridge db add|list|remove``: register Notion databases as typed mirror tables."""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Annotated

import typer

from syncbridge.commands.common import fail, settings_store_client
from syncbridge.settings import SettingsError, load_settings
from syncbridge.store.errors import StoreError

if TYPE_CHECKING:
    from syncbridge.store.registry import RegisteredDatabase

db_app = typer.Typer(
    name="db", help="Register Notion databases, list them, remove them.", no_args_is_help=True
)


@db_app.command("add")
def add(
    notion_database_id: Annotated[str, typer.Argument(help="Notion database id or URL.")],
    name: Annotated[str | None, typer.Option(help="Our name (default: the Notion title).")] = None,
    database_type: Annotated[
        str, typer.Option("--type", help="tasks, calendar, reports, users, sales or generic.")
    ] = "generic",
    interval: Annotated[
        int | None, typer.Option(help="Seconds between pulls (default: the type's preset).")
    ] = None,
    cron: Annotated[
        str | None, typer.Option(help="Cron expression instead of an interval.")
    ] = None,
    conflict_strategy: Annotated[
        str | None,
        typer.Option(help="remote_wins, local_wins, newest_wins or manual (default: preset)."),
    ] = None,
    fetch_content: Annotated[
        bool | None, typer.Option("--content/--no-content", help="Also mirror page content.")
    ] = None,
    notion_url: Annotated[
        str | None, typer.Option(help="Notion API base URL, e.g. a running sandbox.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the record as JSON.")] = False,
) -> None:
    """Register a Notion database: one typed mirror table per data source."""
    from syncbridge.notion.client import NotionClient
    from syncbridge.store.registry import register_database

    _, engine, args = settings_store_client(notion_url)

    async def run() -> RegisteredDatabase:
        async with NotionClient(**args) as client:
            return await register_database(
                engine,
                client,
                notion_database_id,
                name=name,
                database_type=database_type,
                sync_interval=interval,
                cron=cron,
                conflict_strategy=conflict_strategy,
                fetch_content=fetch_content,
            )

    try:
        db = asyncio.run(run())
    except StoreError as err:
        fail(err)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(db.as_json(), ensure_ascii=False, indent=2))
        return
    typer.echo(f"Registered {db.name!r} as id {db.id} ({db.database_type}, {db.conflict_strategy})")
    for ds in db.data_sources:
        typer.echo(
            f"  data source {ds.name!r} -> table {ds.table_name} ({ds.properties} properties)"
        )


@db_app.command("list")
def list_(
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List registered databases and their mirror tables."""
    from syncbridge.store.migrate import open_store
    from syncbridge.store.registry import list_databases

    try:
        engine = open_store(load_settings().store_url)
        databases = list_databases(engine)
        engine.dispose()
    except (SettingsError, StoreError) as err:
        fail(err)
    if as_json:
        typer.echo(json.dumps([db.as_json() for db in databases], ensure_ascii=False, indent=2))
        return
    if not databases:
        typer.echo("No databases registered. Add one with `syncbridge db add NOTION_DATABASE_ID`.")
        return
    _print_table(databases)


def _print_table(databases: list[RegisteredDatabase]) -> None:
    from rich.console import Console
    from rich.table import Table

    table = Table("id", "name", "type", "schedule", "conflicts", "tables")
    table.add_column("notion id", overflow="fold")  # ids are copied from here: never cut them
    for db in databases:
        schedule = db.cron or (f"{db.sync_interval}s" if db.sync_interval else "default")
        if not db.enabled:
            schedule += " (disabled)"
        tables = ", ".join(ds.table_name for ds in db.data_sources)
        table.add_row(
            str(db.id),
            db.name,
            db.database_type,
            schedule,
            db.conflict_strategy,
            tables,
            db.notion_database_id,
        )
    Console().print(table)


@db_app.command("remove")
def remove(
    ident: Annotated[str, typer.Argument(metavar="ID", help="Our id or the Notion database id.")],
    drop_table: Annotated[
        bool, typer.Option("--drop-table", help="Also drop the mirror tables (data lost).")
    ] = False,
) -> None:
    """Unregister a database; its mirror tables are kept unless --drop-table."""
    from syncbridge.store.migrate import open_store
    from syncbridge.store.registry import remove_database

    try:
        engine = open_store(load_settings().store_url)
        db = remove_database(engine, ident, drop_table=drop_table)
        engine.dispose()
    except (SettingsError, StoreError) as err:
        fail(err)
    tables = ", ".join(ds.table_name for ds in db.data_sources)
    what = "dropped" if drop_table else "kept"
    typer.echo(f"Removed {db.name!r} (id {db.id}); {what} table(s) {tables}")


def register(app: typer.Typer) -> None:
    """Add the ``db`` command group to the CLI."""
    app.add_typer(db_app)
