"""``syncbridge sandbox``: run the Notion API emulator in the foreground."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Annotated, Any

import typer

from syncbridge.sandbox.config import DEFAULT_TOKEN, SandboxConfig
from syncbridge.sandbox.faults import FaultSpecError, parse_spec

VERSION = "2025-09-03"


def _check(config: SandboxConfig) -> None:
    """Reject bad flags before anything starts (typer turns BadParameter into exit code 2)."""
    try:
        parse_spec(config.faults)
    except FaultSpecError as exc:
        raise typer.BadParameter(str(exc), param_hint="--faults") from None
    if any(not t.strip() or any(c.isspace() for c in t) for t in config.tokens):
        raise typer.BadParameter(
            "a token must be non-empty and contain no spaces", param_hint="--token"
        )
    if config.webhook_url is not None:
        if not config.webhook_url.startswith(("http://", "https://")):
            raise typer.BadParameter(
                "must start with http:// or https://", param_hint="--webhook-url"
            )
        if not config.webhook_secret:
            raise typer.BadParameter(
                "--webhook-url needs a signing key", param_hint="--webhook-secret"
            )
    elif config.webhook_secret:
        raise typer.BadParameter(
            "--webhook-secret needs --webhook-url", param_hint="--webhook-secret"
        )
    if config.data is not None and config.data.is_dir():
        raise typer.BadParameter(f"{config.data} is a directory, not a file", param_hint="--data")


def _announce(config: SandboxConfig, base_url: str) -> None:
    """Once the server answers, print the sample's databases (found through the API itself)."""
    import httpx

    headers = {
        "Authorization": f"Bearer {config.tokens[0]}",
        "Notion-Version": VERSION,
        "X-Sandbox-No-Faults": "1",  # keep the seeded fault sequence for the user's requests
    }
    body = {"filter": {"property": "object", "value": "data_source"}, "page_size": 100}
    with httpx.Client(base_url=base_url, headers=headers, timeout=5) as client:
        for _ in range(100):
            try:
                answer = client.post("/v1/search", json=body)
            except httpx.HTTPError:
                time.sleep(0.1)
                continue
            if answer.status_code == 200:
                _print_sources(answer.json().get("results", []))
                _print_todo_page(client)
                return
            time.sleep(max(0.1, float(answer.headers.get("retry-after", "0.2"))))
    typer.echo("(could not list the sample databases; the sandbox may be failing on purpose)")


def _print_sources(results: list[dict[str, Any]]) -> None:
    if not results:
        typer.echo("Workspace is empty.")
        return
    typer.echo(f"{'database':<12} {'database_id':<38} data_source_id")
    for ds in sorted(results, key=lambda d: _plain(d.get("title"))):
        db_id = (ds.get("parent") or {}).get("database_id", "")
        typer.echo(f"{_plain(ds.get('title')):<12} {db_id:<38} {ds.get('id')}")


def _print_todo_page(client: Any) -> None:
    body = {"query": "Batch to-dos", "filter": {"property": "object", "value": "page"}}
    answer = client.post("/v1/search", json=body)
    for page in answer.json().get("results", []) if answer.status_code == 200 else []:
        typer.echo(f"{'page':<12} {'Batch to-dos':<38} {page.get('id')}")


def _plain(rich: Any) -> str:
    return "".join(str(item.get("plain_text", "")) for item in rich or [])


def sandbox(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(min=0, max=65535, help="Port (0 picks a free one).")] = 8765,
    token: Annotated[
        list[str] | None,
        typer.Option(
            "--token", help=f"Accepted bearer token; repeatable. [default: {DEFAULT_TOKEN}]"
        ),
    ] = None,
    rate_limit: Annotated[
        float, typer.Option(min=0, help="Requests/s per token (burst 3x); 0 turns it off.")
    ] = 3.0,
    faults: Annotated[
        str, typer.Option(help="Fault SPEC, e.g. 429=0.2,500=0.05,latency=20-200ms,seed=7.")
    ] = "",
    data: Annotated[
        Path | None, typer.Option(help="Keep the workspace in this SQLite file across restarts.")
    ] = None,
    empty: Annotated[bool, typer.Option("--empty", help="Start without the sample.")] = False,
    webhook_url: Annotated[
        str | None, typer.Option(help="POST signed Notion-style events here.")
    ] = None,
    webhook_secret: Annotated[
        str | None, typer.Option(help="Key for X-Notion-Signature (HMAC-SHA256).")
    ] = None,
) -> None:
    """Run the Notion API sandbox (an offline, stateful emulator of api.notion.com)."""
    config = SandboxConfig(
        host=host,
        port=port,
        tokens=tuple(token or (DEFAULT_TOKEN,)),
        rate_limit=rate_limit,
        faults=faults,
        data=data,
        empty=empty,
        webhook_url=webhook_url,
        webhook_secret=webhook_secret,
    )
    _check(config)
    from syncbridge.sandbox.server import serve

    base_url = f"http://{'127.0.0.1' if host in ('0.0.0.0', '') else host}:{port}"
    typer.echo(f"Notion sandbox on {base_url}  (use it as NOTION_BASE_URL)")
    typer.echo(f"Token: {config.tokens[0]}  Notion-Version: {VERSION}")
    typer.echo(
        f"Rate limit: {'off' if not rate_limit else f'{rate_limit:g}/s per token'}"
        f"  Faults: {faults or 'off'}  Admin: {base_url}/_sandbox/docs"
    )
    if port:
        threading.Thread(target=_announce, args=(config, base_url), daemon=True).start()
    try:
        serve(config)
    except (OSError, ValueError) as exc:
        typer.echo(f"sandbox: {exc}", err=True)
        raise typer.Exit(1) from None


def register(app: typer.Typer) -> None:
    """Add ``syncbridge sandbox``."""
    app.command("sandbox")(sandbox)
