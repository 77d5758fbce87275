"""The ``syncbridge`` command: assembles the command groups that live in ``syncbridge.commands``."""

from __future__ import annotations

import typer

app = typer.Typer(
    name="syncbridge",
    help="Keep Notion databases and JSON APIs in two-way sync with a SQL database.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals may hold tokens
)


@app.callback()
def _root() -> None:
    """Keep Notion databases and JSON APIs in two-way sync with a SQL database."""


# Each command module registers its commands on `app`; one line per module, kept sorted.
from syncbridge.commands import register_all  # noqa: E402

register_all(app)


@app.command()
def version() -> None:
    """Print the syncbridge version."""
    from syncbridge import __version__

    typer.echo(__version__)


def main() -> None:
    """Console-script entry point."""
    app()
