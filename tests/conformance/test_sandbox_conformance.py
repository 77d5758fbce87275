"""The sandbox answers the recorded Notion requests with the recorded answers' shapes.

Each cassette in ../shared/notion-cassettes is replayed against a fresh sandbox workspace (ids
mapped to objects made in a setup step); every request to an endpoint the sandbox serves must get
the same status, the same error code, and an answer with the same keys and value types.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from cassettes import cassette_files, load_cassette

from conformance import replay_file, start_server
from syncbridge.sandbox.server import SandboxServer

ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "notion-cassettes"
FILES = cassette_files(ROOT) if ROOT.is_dir() else []
IN_SCOPE_FILES = [p for p in FILES if any(it.in_scope for it in load_cassette(p, ROOT))]


@pytest.fixture(scope="module")
def server(cassettes_dir: Path) -> Iterator[SandboxServer]:
    srv = start_server()
    try:
        yield srv
    finally:
        srv.stop()


@pytest.mark.parametrize("path", IN_SCOPE_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_cassette_shapes_match(server: SandboxServer, path: Path) -> None:
    results = replay_file(server, path, ROOT)
    assert results, "the cassette has in-scope requests, so the replay must send some"
    failures = [
        f"#{r.interaction.index} {r.interaction.method} {r.interaction.template}: "
        + "; ".join(r.diffs[:5])
        for r in results
        if not r.matched
    ]
    assert not failures, "\n".join(failures)
