"""``syncbridge migrate``: bring syncbridge's own tables in the store to the newest schema."""

from __future__ import annotations

import typer

from syncbridge.commands.common import fail
from syncbridge.settings import SettingsError, load_settings
from syncbridge.store.errors import StoreError


def migrate_command() -> None:
    """Create or upgrade syncbridge's tables in the store (SYNCBRIDGE_STORE_URL)."""
    # Imported here: the CLI starts fast when the command run does not need Alembic.
    from syncbridge.store.engine import make_engine, safe_url
    from syncbridge.store.migrate import current_revision, migrate

    try:
        url = load_settings().store_url
        engine = make_engine(url)
        before = current_revision(engine)
        after = migrate(engine)
    except (SettingsError, StoreError) as err:
        fail(err)
    if before == after:
        typer.echo(f"store {safe_url(url)} is up to date (revision {after})")
    else:
        typer.echo(f"store {safe_url(url)} migrated from {before or 'empty'} to {after}")


def register(app: typer.Typer) -> None:
    """Add ``migrate`` to the CLI."""
    app.command("migrate")(migrate_command)
