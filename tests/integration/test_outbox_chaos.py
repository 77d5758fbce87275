"""Chaos, small size: SIGKILL the worker 3 times while it drains 150 writes with faults on.

The full size (1,000 writes x 10 kills) is ``python bench/chaos_outbox.py``.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

from chaos_outbox import run


@pytest.mark.slow
def test_killed_worker_loses_nothing_and_duplicates_nothing(sqlite_url: str) -> None:
    outcome = run(sqlite_url, writes=150, kills=3, seed=7)
    assert outcome.problems == []
    assert outcome.kills >= 1  # the worker really was killed mid-drain
