"""A local edit committed while a pull is writing the same row is merged, not overwritten.

The pull's write transaction locks its rows before reading their local edits. Here a program
holds an uncommitted UPDATE of a row that Notion also changed; the pull (in a thread) must wait
for that row lock; once the database shows it waiting, the program commits. PostgreSQL and
MariaDB only: SQLite has one writer at a time, so the pull cannot start its write meanwhile.
"""

from __future__ import annotations

import threading
from typing import Any

import pytest
import sqlalchemy as sa
from _push_world import World

WAITING = {
    "postgresql": "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'",
    # MariaDB's innodb_trx does not list a waiting locking read reliably: look for the statement.
    "mysql": (
        "SELECT count(*) FROM information_schema.processlist WHERE db = DATABASE() "
        "AND id <> CONNECTION_ID() AND info LIKE '%FOR UPDATE%'"
    ),
}


@pytest.fixture(params=["pg_url", "mysql_url"])
def world(request: pytest.FixtureRequest, sandbox: Any) -> Any:
    w = World(sandbox, str(request.getfixturevalue(request.param)))
    yield w
    w.close()


def test_an_edit_committed_during_the_pull_is_merged(world: World) -> None:
    page = world.pages[0]
    world.edit_remote(page, Points={"number": 50})
    outcome: dict[str, Any] = {}
    puller = threading.Thread(target=lambda: outcome.update(result=world.sync()))
    with world.engine.connect() as program:
        program.execute(
            sa.text(f"UPDATE {world.quoted} SET stage = 'done' WHERE page_id = :p"), {"p": page}
        )
        puller.start()
        query = sa.text(WAITING[world.engine.dialect.name])
        waited = False
        with world.engine.connect() as watch:
            for _ in range(600):  # until the pull waits for the row (bounded; nothing timed)
                waited = bool(watch.execute(query).scalar_one())
                watch.rollback()
                if waited:
                    break
                threading.Event().wait(0.05)
        program.commit()  # always: the pull must not stay blocked
    puller.join(90)
    assert waited, "the pull never waited for the locked row"
    assert "result" in outcome
    row = world.row(page)
    assert row["stage"] == "done"  # the program's edit survived …
    assert row["points"] == 50  # … and Notion's edit of another property arrived
    assert outcome["result"].pushes[0].updates == 1  # and the edit was queued for Notion
    world.deliver()
    assert world.remote(page)["stage"] == "done"
