"""Replay every in-scope cassette request against a sandbox and tally what matches.

Run as a script for the per-endpoint table: ``python tests/conformance/conformance.py``.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))

from cassettes import Interaction, cassette_files, load_cassette
from replay import Replayer, Result
from shapes import nullable_keys

from syncbridge.sandbox.config import SandboxConfig
from syncbridge.sandbox.server import SandboxServer

TOKEN = "sandbox-token"


_NULLABLE: dict[Path, set[tuple[object, object, str]]] = {}


def recorded_nullable(root: Path) -> set[tuple[object, object, str]]:
    """Which keys the recordings show null, per kind of object (computed once per folder)."""
    if root not in _NULLABLE:
        _NULLABLE[root] = nullable_keys(
            it.response for path in cassette_files(root) for it in load_cassette(path, root)
        )
    return _NULLABLE[root]


def replay_file(server: SandboxServer, path: Path, root: Path) -> list[Result]:
    """Reset the sandbox to an empty workspace, then replay one cassette's in-scope requests."""
    interactions = load_cassette(path, root)
    auth = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2025-09-03"}
    with httpx.Client(base_url=server.base_url, timeout=30) as client:
        client.post("/_sandbox/reset", json={"empty": True}, headers=auth).raise_for_status()
        root_page = client.post(
            "/v1/pages",
            headers=auth,
            json={
                "parent": {"type": "workspace", "workspace": True},
                "properties": {"title": {"title": [{"text": {"content": "Replay root"}}]}},
            },
        )
        root_page.raise_for_status()
        replayer = Replayer(
            client, TOKEN, recorded_nullable(root), root_page=root_page.json()["id"]
        )
        replayer.learn(interactions)
        return [replayer.replay(it) for it in interactions if it.in_scope]


def start_server() -> SandboxServer:
    server = SandboxServer(SandboxConfig(port=0, rate_limit=0, tokens=(TOKEN,)))
    server.start()
    return server


def main(root: Path) -> int:
    server = start_server()
    results: list[Result] = []
    try:
        for path in cassette_files(root):
            results.extend(replay_file(server, path, root))
    finally:
        server.stop()
    total: Counter[str] = Counter()
    matched: Counter[str] = Counter()
    for r in results:
        key = f"{r.interaction.method} {r.interaction.template}"
        total[key] += 1
        matched[key] += r.matched
    print(f"{'endpoint':45} {'requests':>9} {'match':>7}")
    for key in sorted(total):
        print(f"{key:45} {total[key]:>9} {matched[key]:>7}")
    print(f"{'all in-scope':45} {sum(total.values()):>9} {sum(matched.values()):>7}")
    for r in results:
        if not r.matched:
            it: Interaction = r.interaction
            print(f"- {it.file}#{it.index} {it.method} {it.template}: {'; '.join(r.diffs[:3])}")
    return 0


if __name__ == "__main__":
    default = Path(__file__).resolve().parents[3] / "shared" / "notion-cassettes"
    raise SystemExit(main(Path(sys.argv[1]) if len(sys.argv) > 1 else default))
