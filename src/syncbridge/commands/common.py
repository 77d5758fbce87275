"""What every command shares: failing with a clear message, the Notion client from settings."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, NoReturn

import typer

from syncbridge.settings import Settings

if TYPE_CHECKING:
    from sqlalchemy import Engine

SANDBOX_TOKEN = "sandbox-token"  # the sandbox's default token (syncbridge sandbox --token)
NOTION_API = "https://api.notion.com"


def fail(message: object) -> NoReturn:
    """Print ``error: message`` to stderr and exit with status 1."""
    typer.echo(f"error: {message}", err=True)
    raise typer.Exit(1)


def client_args(settings: Settings, notion_url: str | None = None) -> dict[str, Any]:
    """Keyword arguments for ``NotionClient`` from the settings (and an optional API URL).

    Without ``NOTION_TOKEN`` the only Notion we can talk to is a sandbox, which takes its
    default token; pointing at api.notion.com without a token is an error that says what to do.
    """
    base_url = (notion_url or settings.notion_base_url).rstrip("/")
    if settings.notion_token is not None:
        token = settings.notion_token.get_secret_value()
    elif base_url == NOTION_API:
        fail(
            "no NOTION_TOKEN set: set it to your integration's token, or run `syncbridge sandbox` "
            "and point --notion-url (or NOTION_BASE_URL) at it, e.g. --notion-url "
            "http://127.0.0.1:8765"
        )
    else:
        token = SANDBOX_TOKEN
    return {
        "token": token,
        "base_url": base_url,
        "version": settings.notion_version,
        "rate_limit": settings.notion_rate_limit,
        "max_retries": settings.max_retries,
        "retry_delay": settings.retry_delay,
    }


def settings_store_client(
    notion_url: str | None = None,
) -> tuple[Settings, Engine, dict[str, Any]]:
    """The settings, the migrated store and ``NotionClient`` arguments — or exit with the error."""
    from syncbridge.settings import SettingsError, load_settings
    from syncbridge.store.errors import StoreError
    from syncbridge.store.migrate import open_store

    try:
        settings = load_settings()
        args = client_args(settings, notion_url)
        return settings, open_store(settings.store_url), args
    except (SettingsError, StoreError) as err:
        fail(err)
