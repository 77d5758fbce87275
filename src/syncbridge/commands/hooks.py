"""``syncbridge hooks install``: a git post-commit hook that queues each commit for Notion."""

from __future__ import annotations

import os
import shlex
import stat
import sys
from pathlib import Path
from typing import Annotated

import typer

from syncbridge.commands.common import fail
from syncbridge.outbox.errors import OutboxError
from syncbridge.settings import SettingsError, load_settings
from syncbridge.store.errors import StoreError

MARKER = "# syncbridge post-commit hook"
hooks_app = typer.Typer(name="hooks", help="Git hooks that record commits in Notion.")


def _absolute_store_url(url: str) -> str:
    """Hooks run in the repository's root: make a relative SQLite path absolute."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/"):
        return prefix + str(Path(url[len(prefix) :]).resolve())
    return url


def hook_script(store_url: str, data_source: str, fields: str, *, background: bool) -> str:
    """The post-commit hook's text: one local enqueue, never the network.

    With ``background`` the commit does not wait for the enqueue either (its messages go to
    ``.git/syncbridge-hook.log``); the commit is then queued a moment after ``git commit`` ends.
    """
    cmd = [sys.executable, "-m", "syncbridge.outbox.hook", "--store-url", store_url]
    cmd += ["--data-source", data_source]
    if fields:
        cmd += ["--fields", fields]
    run = f"{shlex.join(cmd)} || true"
    if background:
        run = f'{shlex.join(cmd)} </dev/null >>"${{GIT_DIR:-.git}}/syncbridge-hook.log" 2>&1 &'
    return (
        "#!/bin/sh\n"
        f"{MARKER}: queues this commit in the outbox (no network); `syncbridge worker`\n"
        "# sends it to Notion. A failure is reported but never undoes the commit.\n"
        f"{run}\n"
    )


@hooks_app.command("install")
def install(
    data_source: Annotated[
        str, typer.Option("--data-source", help="Data source of the Notion Issues database.")
    ],
    repo: Annotated[Path, typer.Option(help="The git repository.")] = Path("."),
    fields: Annotated[
        str,
        typer.Option(
            help="Also set properties: FIELD=PROPERTY,… with FIELD in hash, author, email, "
            "files, count, date, branch (e.g. 'hash=Hash,author=Author')."
        ),
    ] = "",
    store_url: Annotated[str | None, typer.Option(help="Store URL (default: settings).")] = None,
    force: Annotated[bool, typer.Option(help="Replace a post-commit hook not ours.")] = False,
    background: Annotated[
        bool, typer.Option(help="Do not let the commit wait for the enqueue (~0.1 s) either.")
    ] = False,
) -> None:
    """Install the post-commit hook (and make sure the outbox tables exist)."""
    from syncbridge.outbox.hook import parse_fields
    from syncbridge.outbox.queue import Outbox

    git_dir = repo / ".git"
    if not git_dir.is_dir():
        fail(f"{repo.resolve()} is not a git repository (no .git directory)")
    try:
        parse_fields(fields)
        url = _absolute_store_url(store_url or load_settings().store_url)
        Outbox.open(url).close()
    except (SettingsError, StoreError, OutboxError, ValueError) as err:
        fail(err)
    hook = git_dir / "hooks" / "post-commit"
    if hook.exists() and MARKER not in hook.read_text(errors="replace") and not force:
        fail(f"{hook} exists and is not ours; rerun with --force to replace it")
    hook.parent.mkdir(parents=True, exist_ok=True)
    hook.write_text(hook_script(url, data_source, fields, background=background))
    os.chmod(hook, hook.stat().st_mode | stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH)
    typer.echo(f"installed {hook}: each commit is queued for data source {data_source}")


def register(app: typer.Typer) -> None:
    """Add ``syncbridge hooks …``."""
    app.add_typer(hooks_app)
