"""``syncbridge outbox list|retry|update|create|append|trash|key-property``."""

from __future__ import annotations

import datetime as dt
import json
import sys
from typing import Annotated, Any

import typer

from syncbridge.commands.common import fail
from syncbridge.outbox.errors import OutboxError
from syncbridge.settings import SettingsError
from syncbridge.store.errors import StoreError

outbox_app = typer.Typer(
    name="outbox", help="Inspect and feed the durable write queue.", no_args_is_help=True
)

StoreOpt = Annotated[str | None, typer.Option("--store-url", help="Store URL (default: settings).")]
SetOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--set", help="NAME=VALUE (VALUE parsed as JSON when it is, else text); repeatable."
    ),
]
StdinOpt = Annotated[
    bool, typer.Option("--stdin", help="Read a JSON object of properties from stdin.")
]


def _open(store_url: str | None) -> Any:
    from syncbridge.outbox.queue import Outbox

    try:
        return Outbox.open(store_url)
    except (SettingsError, StoreError, OutboxError) as err:
        fail(err)


def _properties(pairs: list[str] | None, stdin: bool) -> dict[str, Any]:
    props: dict[str, Any] = {}
    if stdin:
        try:
            data = json.load(sys.stdin)
        except json.JSONDecodeError as err:
            raise typer.BadParameter(f"stdin is not JSON: {err}", param_hint="--stdin") from None
        if not isinstance(data, dict):
            raise typer.BadParameter("stdin must hold a JSON object", param_hint="--stdin")
        props.update(data)
    for pair in pairs or []:
        name, sep, raw = pair.partition("=")
        if not sep or not name:
            raise typer.BadParameter(f"{pair!r} is not NAME=VALUE", param_hint="--set")
        try:
            props[name] = json.loads(raw)
        except json.JSONDecodeError:
            props[name] = raw
    if not props:
        raise typer.BadParameter("give properties with --set NAME=VALUE or --stdin")
    return props


def _queued(action: Any) -> None:
    try:
        row_id = action()
    except (StoreError, OutboxError) as err:
        fail(err)
    typer.echo(f"queued as #{row_id}")


@outbox_app.command("list")
def list_(
    dead: Annotated[bool, typer.Option("--dead", help="Dead letters instead of pending.")] = False,
    limit: Annotated[int, typer.Option(min=1)] = 100,
    store_url: StoreOpt = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """List queued writes (or dead letters), oldest first."""
    box = _open(store_url)
    try:
        rows = box.entries(dead=dead, limit=limit)
    except (StoreError, OutboxError) as err:
        fail(err)
    if as_json:
        typer.echo(json.dumps([r.to_json() for r in rows], indent=2, ensure_ascii=False))
        return
    if not rows:
        typer.echo("No dead letters." if dead else "Nothing queued.")
        return
    for r in rows:
        when = dt.datetime.fromtimestamp(r.enqueued_at, dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
        extra = f"  {r.last_error}" if r.last_error else ""
        typer.echo(f"#{r.id} {when} {r.kind:<6} {r.page_key} {r.state} x{r.attempts}{extra}")


@outbox_app.command("retry")
def retry(
    ids: Annotated[list[int] | None, typer.Argument(help="Dead letter ids.")] = None,
    all_dead: Annotated[bool, typer.Option("--all-dead", help="Retry every dead letter.")] = False,
    store_url: StoreOpt = None,
) -> None:
    """Queue dead letters again (a create sent before is looked up first, never duplicated)."""
    if bool(ids) == all_dead:
        raise typer.BadParameter("give dead letter ids or --all-dead (not both)")
    box = _open(store_url)
    try:
        count = box.retry(None if all_dead else ids)
    except (StoreError, OutboxError) as err:
        fail(err)
    typer.echo(f"{count} write(s) queued again")
    if ids and count < len(ids):
        fail(f"{len(ids) - count} of the ids given are not dead letters")


@outbox_app.command("update")
def update(
    page_id: Annotated[str, typer.Argument(help="Page id, or key:K for a queued create.")],
    set_: SetOpt = None,
    stdin: StdinOpt = False,
    store_url: StoreOpt = None,
) -> None:
    """Queue a property update of a page."""
    props = _properties(set_, stdin)
    box = _open(store_url)
    _queued(lambda: box.update_page(page_id, props))


@outbox_app.command("create")
def create(
    data_source_id: Annotated[str, typer.Argument(help="Data source the page goes in.")],
    key: Annotated[str, typer.Option(help="Idempotency key (at most one page per key).")],
    set_: SetOpt = None,
    stdin: StdinOpt = False,
    store_url: StoreOpt = None,
) -> None:
    """Queue the creation of a page."""
    props = _properties(set_, stdin)
    box = _open(store_url)
    _queued(lambda: box.create_page(data_source_id, props, key=key))


@outbox_app.command("append")
def append(
    page_id: Annotated[str, typer.Argument(help="Page id, or key:K for a queued create.")],
    text: Annotated[
        list[str] | None, typer.Option("--text", help="A paragraph; repeatable.")
    ] = None,
    stdin: Annotated[
        bool, typer.Option("--stdin", help="Read a JSON list of blocks from stdin.")
    ] = False,
    store_url: StoreOpt = None,
) -> None:
    """Queue blocks for the end of a page."""
    from syncbridge.outbox.hook import paragraph

    blocks: list[Any] = [paragraph(t) for t in text or []]
    if stdin:
        try:
            blocks.extend(json.load(sys.stdin))
        except (json.JSONDecodeError, TypeError) as err:
            raise typer.BadParameter(f"stdin is not a JSON list: {err}") from None
    box = _open(store_url)
    _queued(lambda: box.append_blocks(page_id, blocks))


@outbox_app.command("trash")
def trash(
    page_id: Annotated[str, typer.Argument(help="Page id, or key:K for a queued create.")],
    store_url: StoreOpt = None,
) -> None:
    """Queue moving a page to the trash."""
    box = _open(store_url)
    _queued(lambda: box.trash_page(page_id))


@outbox_app.command("key-property")
def key_property(
    data_source_id: Annotated[str, typer.Argument(help="Data source id.")],
    name: Annotated[
        str | None, typer.Argument(help="rich_text property for the key; omit to unset.")
    ] = None,
    store_url: StoreOpt = None,
) -> None:
    """Name the rich_text property where creates store their idempotency key."""
    box = _open(store_url)
    try:
        box.set_key_property(data_source_id, name)
    except (StoreError, OutboxError) as err:
        fail(err)
    typer.echo(f"key property of {data_source_id}: {name or '(none)'}")


def register(app: typer.Typer) -> None:
    """Add ``syncbridge outbox …``."""
    app.add_typer(outbox_app)
