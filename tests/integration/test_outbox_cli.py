"""The outbox from the command line: git hook → queue → `syncbridge worker` → the sandbox."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import httpx
from typer.testing import CliRunner

from syncbridge.cli import app


def cli(env: dict[str, str | None], *args: str) -> str:
    """Run a syncbridge command in-process (the git hook itself runs as git runs it)."""
    result = CliRunner().invoke(app, list(args), env=env)
    assert result.exit_code == 0, result.output
    return result.stdout


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], check=True, capture_output=True, text=True
    ).stdout


def pages_of(server: Any, ds: str) -> list[dict[str, Any]]:
    headers = {"Authorization": "Bearer sandbox-token", "Notion-Version": "2025-09-03"}
    found, body = [], {"page_size": 100}
    while True:
        answer = httpx.post(
            f"{server.base_url}/v1/data_sources/{ds}/query", json=body, headers=headers
        ).json()
        found += answer["results"]
        if not answer["has_more"]:
            return found
        body["start_cursor"] = answer["next_cursor"]


def plain(page: dict[str, Any], name: str) -> str:
    prop = page["properties"][name]
    return "".join(t["plain_text"] for t in prop[prop["type"]])


def test_commit_hook_queue_worker_and_dead_letters(tmp_path: Path, sandbox: Any) -> None:
    ds = sandbox.sample_ids["issues_data_source"]
    env: dict[str, str | None] = {
        "SYNCBRIDGE_STORE_URL": f"sqlite:///{tmp_path / 'sb.db'}",
        "NOTION_BASE_URL": sandbox.base_url,
        "SYNCBRIDGE_CONFIG": None,
        "NOTION_TOKEN": None,
    }
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    git(repo, "config", "user.email", "dev@example.com")
    git(repo, "config", "user.name", "Dev One")
    cli(env, "hooks", "install", "--repo", str(repo), "--data-source", ds,
        "--fields", "hash=Hash,author=Author,count=Files changed")  # fmt: skip
    (repo / "a.txt").write_text("a")
    git(repo, "add", "a.txt")
    git(repo, "commit", "-q", "-m", "add a\n\nlonger body")
    sha = git(repo, "rev-parse", "HEAD").strip()

    queued = json.loads(cli(env, "outbox", "list", "--json"))
    assert [(r["kind"], r["idem_key"]) for r in queued] == [("create", f"commit:{sha}")]
    cli(env, "outbox", "update", f"key:commit:{sha}", "--set", "Files changed=5")

    out = json.loads(cli(env, "worker", "--burst", "--until-empty", "--json"))
    assert (out["sent"], out["dead"], out["pending"]) == (2, 0, 0)
    [page] = [p for p in pages_of(sandbox, ds) if plain(p, "Hash") == sha]
    assert plain(page, "Message") == "add a"
    assert plain(page, "Author") == "Dev One"
    assert page["properties"]["Files changed"]["number"] == 5

    # a write Notion refuses becomes a dead letter, listed and retried from the CLI
    missing = "0" * 32
    cli(env, "outbox", "trash", missing)
    out = json.loads(cli(env, "worker", "--burst", "--json"))
    assert (out["dead"], out["dead_letters"]) == (1, 1)
    dead = json.loads(cli(env, "outbox", "list", "--dead", "--json"))
    assert [r["page_key"] for r in dead] == [missing]
    assert "object_not_found" in dead[0]["last_error"]
    assert "1 write(s)" in cli(env, "outbox", "retry", "--all-dead")
    assert [r["page_key"] for r in json.loads(cli(env, "outbox", "list", "--json"))] == [missing]


def test_hooks_install_keeps_a_foreign_hook_unless_forced(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    hook = repo / ".git" / "hooks" / "post-commit"
    hook.write_text("#!/bin/sh\necho mine\n")
    env: dict[str, str | None] = {
        "SYNCBRIDGE_STORE_URL": f"sqlite:///{tmp_path / 'sb.db'}",
        "SYNCBRIDGE_CONFIG": None,
    }
    args = ["hooks", "install", "--repo", str(repo), "--data-source", "a" * 32]
    refused = CliRunner().invoke(app, args, env=env)
    assert refused.exit_code == 1
    assert "--force" in refused.output
    assert hook.read_text() == "#!/bin/sh\necho mine\n"
    cli(env, *args, "--force")
    assert "syncbridge.outbox.hook" in hook.read_text()
    bad = CliRunner().invoke(app, [*args, "--fields", "sha=Hash"], env=env)
    assert bad.exit_code == 1
    assert "FIELD=PROPERTY" in bad.output
