"""``syncbridge migrate`` and ``syncbridge db add|list|remove`` against a real sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from typer.testing import CliRunner

from syncbridge.cli import app


@pytest.fixture
def run(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.chdir(tmp_path)  # no stray syncbridge.toml
    runner = CliRunner()
    base_env = {"SYNCBRIDGE_CONFIG": None, "NOTION_TOKEN": None, "NOTION_BASE_URL": None}

    def invoke(*args: str, **env: str) -> Any:
        return runner.invoke(app, list(args), env={**base_env, **env})

    return invoke


def test_migrate_then_add_list_remove(run: Any, sandbox: Any, sqlite_url: str) -> None:
    env = {"SYNCBRIDGE_STORE_URL": sqlite_url}
    first = run("migrate", **env)
    assert first.exit_code == 0, first.output
    assert "migrated from empty" in first.output
    assert "up to date" in run("migrate", **env).output

    tasks = sandbox.sample_ids["tasks_database"]
    added = run(
        "db", "add", tasks.replace("-", ""), "--type", "tasks", "--interval", "120",
        "--notion-url", sandbox.base_url, "--json", **env,
    )  # fmt: skip
    assert added.exit_code == 0, added.output
    record = json.loads(added.stdout)
    assert (record["sync_interval"], record["conflict_strategy"]) == (120, "newest_wins")

    sales = sandbox.sample_ids["sales_database"]
    plain = run("db", "add", sales, "--name", "매출", **env, NOTION_BASE_URL=sandbox.base_url)
    assert plain.exit_code == 0, plain.output
    assert "-> table nt_" in plain.output

    listed = json.loads(run("db", "list", "--json", **env).stdout)
    assert [d["notion_database_id"] for d in listed] == [tasks, sales]
    assert listed[0]["data_sources"][0]["table_name"] == "nt_tasks"
    assert "nt_tasks" in run("db", "list", **env).output

    removed = run("db", "remove", tasks, "--drop-table", **env)
    assert removed.exit_code == 0, removed.output
    assert "dropped" in removed.output
    engine = sa.create_engine(sqlite_url)
    assert not sa.inspect(engine).has_table("nt_tasks")
    engine.dispose()
    assert len(json.loads(run("db", "list", "--json", **env).stdout)) == 1


def test_errors_are_one_clear_line_and_exit_1(run: Any, sqlite_url: str) -> None:
    env = {"SYNCBRIDGE_STORE_URL": sqlite_url}
    no_token = run("db", "add", "0" * 32, **env)
    assert no_token.exit_code == 1
    assert "no NOTION_TOKEN set" in no_token.output
    unknown = run("db", "remove", "7", **env)
    assert unknown.exit_code == 1
    assert "no registered database '7'" in unknown.output
    bad_store = run("db", "list", SYNCBRIDGE_STORE_URL="postgresql://me:topsecret1@127.0.0.1:1/x")
    assert bad_store.exit_code == 1
    assert "topsecret1" not in bad_store.output
    assert "Traceback" not in bad_store.output
