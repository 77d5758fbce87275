"""Two-way sync on SQLite, PostgreSQL and MariaDB against the sandbox over real HTTP.

Local edits are made with plain SQL on the mirror table (as any program would), remote edits
with the official ``notion-client`` SDK; ``sync_database`` pulls, merges and queues, the outbox
worker delivers, and the SDK checks what Notion holds.
"""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import sqlalchemy as sa
from _push_world import World
from typer.testing import CliRunner

from syncbridge.cli import app
from syncbridge.store.registry import update_database
from syncbridge.store.triggers import drop_triggers
from syncbridge.sync.conflicts import list_conflicts, list_push_errors, resolve_conflict


@pytest.fixture
def world(sandbox: Any, store_url: str) -> Any:
    w = World(sandbox, store_url)
    yield w
    w.close()


def test_sql_update_insert_delete_reach_notion(world: World) -> None:
    a, b, c, d = world.pages
    world.sql("UPDATE {t} SET points = 41.5, stage = 'doing' WHERE page_id = :p", p=a)
    world.sql("UPDATE {t} SET due = '2026-05-04T10:11:12.345Z' WHERE page_id = :p", p=b)
    placeholder = "new:" + uuid.uuid4().hex
    world.sql(
        "INSERT INTO {t} (page_id, name, points, _sb_raw) VALUES (:p, 'made in SQL', 7, '{}')",
        p=placeholder,
    )
    world.sql("DELETE FROM {t} WHERE page_id = :p", p=c)
    double = world.engine.dialect.identifier_preparer.quote("double")  # a keyword on MariaDB
    world.sql(f"UPDATE {{t}} SET {double} = 'hacked', points = 5 WHERE page_id = :p", p=d)
    assert world.row(a)["_sb_version"] == 1  # the trigger counted the local edit

    first = world.cycle()
    assert (first.pushes[0].updates, first.pushes[0].creates, first.pushes[0].trashes) == (3, 1, 1)

    assert world.remote(a)["points"] == 41.5
    assert world.remote(a)["stage"] == "doing"
    assert world.remote(b)["due"] is not None
    assert world.remote(b)["due"].startswith("2026-05-04T10:11")
    assert world.remote(c)["trashed"]
    made = world.sdk.data_sources.query(
        data_source_id=world.data_source_id,
        filter={"property": "Name", "title": {"equals": "made in SQL"}},
    )["results"]
    assert len(made) == 1
    new_id = made[0]["id"]
    assert made[0]["properties"]["Points"]["number"] == 7

    # The placeholder row now carries the real page id, and Notion's values are the mirror's.
    row = world.row(new_id)
    assert row["name"] == "made in SQL"
    assert row["points"] == 7
    with world.engine.connect() as conn:
        left = conn.execute(
            sa.text(f"SELECT count(*) FROM {world.quoted} WHERE page_id = :p"), {"p": placeholder}
        ).scalar_one()
    assert left == 0
    assert world.row(b)["due"] == world.remote(b)["due"]  # Notion's formatting is the base
    assert world.row(c)["_sb_deleted"]
    assert world.pending_state() == (0, 0)
    assert list_conflicts(world.engine) == []

    # The formula (read-only) edit was refused, recorded and reverted; the number edit was sent.
    assert world.remote(d)["points"] == 5
    errors = list_push_errors(world.engine, database=world.db_id)
    assert [e["property_name"] for e in errors] == ["Double"]
    assert errors[0]["page_id"] == d
    assert "read-only" in errors[0]["message"]
    assert world.row(d)["double"] == "10"  # Notion's formula value for Points = 5

    # A row inserted and deleted again before its create was delivered ends up in the trash.
    short_lived = "new:" + uuid.uuid4().hex
    world.sql(
        "INSERT INTO {t} (page_id, name, _sb_raw) VALUES (:p, 'short-lived', '{}')", p=short_lived
    )
    assert world.sync().pushes[0].creates == 1
    world.sql("DELETE FROM {t} WHERE page_id = :p", p=short_lived)
    world.deliver()
    assert world.sync().pushes[0].trashes == 1
    world.deliver()
    assert world.sync().pushes[0].queued == 0
    gone = world.sdk.data_sources.query(
        data_source_id=world.data_source_id,
        filter={"property": "Name", "title": {"equals": "short-lived"}},
    )["results"]
    assert gone == []  # trashed pages are not listed

    # Safety net: an edit made while the triggers were gone is found by comparing with the base.
    with world.engine.begin() as conn:
        drop_triggers(conn, world.table)
    world.sql("UPDATE {t} SET points = 12 WHERE page_id = :p", p=a)
    assert world.pending_state() == (0, 0)  # nothing logged
    again = world.cycle()
    assert again.pushes[0].full_check
    assert again.pushes[0].updates == 1
    assert world.remote(a)["points"] == 12
    world.sql("UPDATE {t} SET points = 13 WHERE page_id = :p", p=a)
    assert world.pending_state() == (1, 0)  # the triggers are back


def _both_sides(world: World, page: str, local: str, remote: str) -> None:
    world.sql("UPDATE {t} SET stage = :v WHERE page_id = :p", v=local, p=page)
    world.edit_remote(page, Stage={"select": {"name": remote}})


def test_conflicts_follow_the_strategy(world: World) -> None:
    a, b, c, d = world.pages

    # Edits of different properties on the two sides merge: the pull keeps the unsent local one.
    world.sql("UPDATE {t} SET stage = 'done' WHERE page_id = :p", p=a)
    world.edit_remote(a, Points={"number": 99})
    assert world.sync().pulls[0].conflicts == 0
    assert (world.row(a)["stage"], world.row(a)["points"]) == ("done", 99)
    world.deliver()
    world.sync()
    assert (world.remote(a)["stage"], world.remote(a)["points"]) == ("done", 99)

    # remote_wins (the default)
    _both_sides(world, a, "doing", "todo")
    assert world.cycle().pulls[0].conflicts == 1
    assert world.row(a)["stage"] == "todo"
    assert world.remote(a)["stage"] == "todo"

    # equal changes on both sides are not a conflict
    _both_sides(world, a, "done", "done")
    assert world.cycle().pulls[0].conflicts == 0

    update_database(world.engine, world.db_id, conflict_strategy="local_wins")
    _both_sides(world, b, "doing", "done")
    world.cycle()
    assert world.row(b)["stage"] == "doing"
    assert world.remote(b)["stage"] == "doing"

    # newest_wins: Notion's edit time against the local change time
    update_database(world.engine, world.db_id, conflict_strategy="newest_wins")
    clock = world.sandbox.app.state.clock
    # Notion's edit a minute ago (inside the pull's look-back), the local one now: local wins.
    clock.freeze(datetime.now(UTC) - timedelta(minutes=1))
    _both_sides(world, c, "doing", "done")
    world.cycle()
    assert world.remote(c)["stage"] == "doing"
    assert world.row(c)["stage"] == "doing"
    clock.freeze(datetime.now(UTC) + timedelta(hours=1))  # Notion's edit is later: it wins
    _both_sides(world, d, "doing", "done")
    world.cycle()
    assert world.remote(d)["stage"] == "done"
    assert world.row(d)["stage"] == "done"
    clock.unfreeze()

    resolved = list_conflicts(world.engine, status=None)
    assert sorted(c["resolution"] for c in resolved) == sorted(
        ["remote_wins", "local_wins", "remote_wins", "local_wins"]
    )
    assert list_conflicts(world.engine) == []


def test_manual_conflicts_wait_for_a_decision(world: World, monkeypatch: Any) -> None:
    a, b, c, _ = world.pages
    update_database(world.engine, world.db_id, conflict_strategy="manual")
    for page in (a, b, c):
        _both_sides(world, page, "doing", "done")
    world.cycle()
    for page in (a, b, c):  # held: the mirror keeps the local value, Notion its own
        assert world.row(page)["stage"] == "doing"
        assert world.remote(page)["stage"] == "done"

    world.sql("UPDATE {t} SET stage = 'todo' WHERE page_id = :p", p=a)  # edited again meanwhile

    monkeypatch.setenv("SYNCBRIDGE_STORE_URL", world.store_url)
    cli = CliRunner()
    listed = cli.invoke(app, ["conflicts", "list", "--json", "--db", str(world.db_id)])
    assert listed.exit_code == 0, listed.output
    items = {c["page_id"]: c for c in json.loads(listed.stdout)}
    assert set(items) == {a, b, c}
    assert items[a]["local"][""] == "doing"
    assert items[a]["remote"][""] == "done"
    assert items[a]["base"][""] == "todo"

    usage = cli.invoke(app, ["conflicts", "resolve", str(items[a]["id"]), "--take", "both"])
    assert usage.exit_code == 2
    usage = cli.invoke(app, ["conflicts", "resolve", str(items[a]["id"]), "--value", "{oops"])
    assert usage.exit_code == 2
    assert "not JSON" in usage.output
    done = cli.invoke(app, ["conflicts", "resolve", str(items[a]["id"]), "--take", "local"])
    assert done.exit_code == 0, done.output
    done = cli.invoke(app, ["conflicts", "resolve", str(items[b]["id"]), "--take", "remote"])
    assert done.exit_code == 0, done.output
    resolve_conflict(world.engine, items[c]["id"], value="todo")
    again = cli.invoke(app, ["conflicts", "resolve", str(items[c]["id"]), "--take", "local"])
    assert again.exit_code == 1
    assert "already resolved" in again.output

    world.cycle()
    assert (world.remote(a)["stage"], world.row(a)["stage"]) == ("todo", "todo")  # the latest
    assert (world.remote(b)["stage"], world.row(b)["stage"]) == ("done", "done")
    assert (world.remote(c)["stage"], world.row(c)["stage"]) == ("todo", "todo")
    assert list_conflicts(world.engine) == []


def test_properties_added_in_notion_are_pushed_without_clearing_others(world: World) -> None:
    a, b, _, _ = world.pages
    world.sdk.data_sources.update(
        data_source_id=world.data_source_id,
        properties={
            "Flag": {"checkbox": {}},
            "Label": {"rich_text": {}},
            "Triple": {"formula": {"expression": 'prop("Points") * 3'}},
        },
    )
    world.edit_remote(b, Flag={"checkbox": True})  # the pull sees the new schema on this page
    assert world.sync().pulls[0].schema_changes
    # Row a was not pulled again: its base predates the new properties; its new columns are empty.
    world.sql("UPDATE {t} SET label = 'hello', points = 8 WHERE page_id = :p", p=a)
    assert world.cycle().pushes[0].updates == 1
    page = world.sdk.pages.retrieve(page_id=a)["properties"]
    assert page["Label"]["rich_text"][0]["plain_text"] == "hello"
    assert page["Points"]["number"] == 8
    assert page["Flag"]["checkbox"] is False
    assert world.sdk.pages.retrieve(page_id=b)["properties"]["Flag"]["checkbox"] is True
    assert world.row(b)["flag"]
    assert list_push_errors(world.engine) == []  # the new formula's empty column is no edit
    assert world.row(a)["triple"] == "24"
