"""CLI command modules. Each module defines ``register(app)``; ``register_all`` calls them all.

One module per command group (``sandbox.py``, ``db.py`` …), so groups stay small and separate.
"""

from __future__ import annotations

import importlib

import typer

# Add a module name here when you add a command module (kept sorted).
MODULES: tuple[str, ...] = (
    "conflicts",
    "db",
    "hooks",
    "migrate",
    "outbox",
    "run",
    "sandbox",
    "sync",
    "worker",
)


def register_all(app: typer.Typer) -> None:
    """Register every command module's commands on ``app``."""
    for name in MODULES:
        module = importlib.import_module(f"syncbridge.commands.{name}")
        module.register(app)
