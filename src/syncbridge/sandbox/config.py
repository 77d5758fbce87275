"""The sandbox's start-up configuration (the flags of ``syncbridge sandbox``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_TOKEN = "sandbox-token"


@dataclass(frozen=True)
class SandboxConfig:
    """How to run one sandbox. ``faults`` uses the SPEC syntax of ARCHITECTURE.md."""

    host: str = "127.0.0.1"
    port: int = 8765
    tokens: tuple[str, ...] = (DEFAULT_TOKEN,)
    rate_limit: float = 3.0  # requests/s per token; 0 turns rate limiting off
    faults: str = ""
    data: Path | None = None  # persist state in this SQLite file
    empty: bool = False  # no sample workspace
    webhook_url: str | None = None
    webhook_secret: str | None = None
    extra: dict[str, str] = field(default_factory=dict)
