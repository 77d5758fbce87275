"""``syncbridge conflicts list|resolve``: properties edited on both sides, and their resolution."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from syncbridge.commands.common import fail
from syncbridge.settings import SettingsError, load_settings
from syncbridge.store.errors import StoreError

conflicts_app = typer.Typer(help="List and resolve sync conflicts.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add the ``conflicts`` group to the CLI."""
    app.add_typer(conflicts_app, name="conflicts")


def _short(value: Any) -> str:
    if isinstance(value, dict):
        main = value.get("", value)
        text = main if isinstance(main, str) else json.dumps(main, ensure_ascii=False)
    else:
        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 40 else text[:39] + "…"


@conflicts_app.command("list")
def list_command(
    database: Annotated[str | None, typer.Option("--db", help="Only this database.")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Resolved ones too.")] = False,
    errors: Annotated[
        bool, typer.Option("--errors", help="List refused local edits (push errors) instead.")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List open conflicts (base, local and remote value of each property)."""
    from syncbridge.store.migrate import open_store
    from syncbridge.sync.conflicts import list_conflicts, list_push_errors

    try:
        engine = open_store(load_settings().store_url)
    except (SettingsError, StoreError) as err:
        fail(err)
    try:
        if errors:
            items = list_push_errors(engine, database=database)
        else:
            items = list_conflicts(engine, database=database, status=None if all_ else "open")
    except StoreError as err:
        fail(err)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(items, ensure_ascii=False, indent=2, default=str))
        return
    if errors:
        table = Table(title="refused local edits")
        for col in ("id", "page", "property", "message", "at"):
            table.add_column(col)
        for e in items:
            table.add_row(
                str(e["id"]), e["page_id"], e["property_name"] or "", e["message"], e["created_at"]
            )
    else:
        table = Table(title="conflicts")
        for col in ("id", "table", "page", "property", "base", "local", "remote", "status"):
            table.add_column(col)
        for c in items:
            table.add_row(
                str(c["id"]),
                c["table"],
                c["page_id"],
                c["property"],
                _short(c["base"]),
                _short(c["local"]),
                _short(c["remote"]),
                c["status"] + (f" ({c['resolution']})" if c["resolution"] else ""),
            )
    Console().print(table)


@conflicts_app.command("resolve")
def resolve_command(
    conflict_id: Annotated[int, typer.Argument(help="The conflict's id (conflicts list).")],
    take: Annotated[
        str | None, typer.Option("--take", help="Keep the 'local' or the 'remote' value.")
    ] = None,
    value: Annotated[
        str | None,
        typer.Option("--value", help="A JSON value instead, e.g. '\"Done\"' or '{\"\": 3}'."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the conflict as JSON.")] = False,
) -> None:
    """Resolve an open conflict; the next `syncbridge sync` sends what Notion must learn."""
    from syncbridge.store.migrate import open_store
    from syncbridge.sync.conflicts import Take, resolve_conflict

    if (take is None) == (value is None):
        typer.echo("error: give exactly one of --take local|remote or --value JSON", err=True)
        raise typer.Exit(2)
    if take is not None and take not in ("local", "remote"):
        typer.echo(f"error: --take must be local or remote, not {take!r}", err=True)
        raise typer.Exit(2)
    parsed: Any = None
    if value is not None:
        try:
            parsed = json.loads(value)
        except json.JSONDecodeError as err:
            typer.echo(f"error: --value is not JSON: {err}", err=True)
            raise typer.Exit(2) from None
    try:
        engine = open_store(load_settings().store_url)
    except (SettingsError, StoreError) as err:
        fail(err)
    try:
        if take is not None:
            side: Take = "local" if take == "local" else "remote"
            done = resolve_conflict(engine, conflict_id, take=side)
        else:
            done = resolve_conflict(engine, conflict_id, value=parsed)
    except StoreError as err:
        fail(err)
    finally:
        engine.dispose()
    if as_json:
        typer.echo(json.dumps(done, ensure_ascii=False, indent=2, default=str))
    else:
        typer.echo(f"conflict {conflict_id} resolved ({done['resolution']}): {done['property']}")
