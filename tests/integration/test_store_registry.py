"""Registering the sandbox's sample databases on SQLite, PostgreSQL and MariaDB, over real HTTP."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from syncbridge.notion import codec
from syncbridge.notion.client import NotionClient
from syncbridge.settings import DatabaseConfig
from syncbridge.store.engine import make_engine
from syncbridge.store.errors import RegistrationError, UnknownDatabaseError
from syncbridge.store.migrate import migrate
from syncbridge.store.mirror import BOOKKEEPING, load_mirror
from syncbridge.store.models import Checkpoint, ColumnMapping
from syncbridge.store.registry import (
    get_database,
    list_databases,
    normalize_notion_id,
    register_configured,
    register_database,
    remove_database,
    update_database,
)

TOKEN = "sandbox-token"


@pytest.fixture
def engine(store_url: str) -> Any:
    eng = make_engine(store_url)
    migrate(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Any:
    eng = make_engine(sqlite_url)
    migrate(eng)
    yield eng
    eng.dispose()


def _client(sandbox: Any) -> NotionClient:
    return NotionClient(TOKEN, base_url=sandbox.base_url, rate_limit=None)


async def test_register_every_seed_type_with_presets_and_typed_tables(
    engine: sa.Engine, sandbox: Any
) -> None:
    ids = sandbox.sample_ids
    async with _client(sandbox) as client:
        for kind in ("tasks", "calendar", "reports", "users", "sales"):
            undashed = ids[f"{kind}_database"].replace("-", "")
            db = await register_database(engine, client, undashed, database_type=kind)
            assert db.notion_database_id == ids[f"{kind}_database"]
            assert db.database_type == kind
            (source,) = db.data_sources
            assert source.notion_data_source_id == ids[f"{kind}_data_source"]
            assert source.table_name == f"nt_{kind}"
            assert "title" in source.roles or "name" in source.roles
            schema = (
                await client.data_sources.retrieve(data_source_id=source.notion_data_source_id)
            )["properties"]
            real = {c["name"] for c in sa.inspect(engine).get_columns(source.table_name)}
            with Session(engine) as session:
                mirror = load_mirror(session, source.id)
                assert session.get(Checkpoint, source.id) is not None
            assert set(BOOKKEEPING) <= real
            for conf in schema.values():  # every property has its columns, filled or not
                for spec in codec.columns_for(conf):
                    assert mirror.column(conf["id"], spec.suffix) in real
    listed = list_databases(engine)
    assert [d.database_type for d in listed] == ["tasks", "calendar", "reports", "users", "sales"]
    by_type = {d.database_type: d for d in listed}
    assert by_type["sales"].conflict_strategy == "manual"
    assert by_type["reports"].fetch_content is True
    assert by_type["tasks"].sync_interval == 300


async def test_options_lookups_and_errors(sqlite_engine: sa.Engine, sandbox: Any) -> None:
    engine = sqlite_engine
    tasks = sandbox.sample_ids["tasks_database"]
    async with _client(sandbox) as client:
        with pytest.raises(RegistrationError, match="conflict strategy 'sometimes'"):
            await register_database(engine, client, tasks, conflict_strategy="sometimes")
        with pytest.raises(RegistrationError, match="cron expression"):
            await register_database(engine, client, tasks, cron="every day")
        with pytest.raises(RegistrationError, match="not a Notion id"):
            await register_database(engine, client, "tasks please")
        missing = "0123456789abcdef0123456789abcdef"
        with pytest.raises(RegistrationError, match="01234567-89ab-cdef-0123-456789abcdef"):
            await register_database(engine, client, missing)
        url = f"https://www.notion.so/acme/Tasks-{tasks.replace('-', '')}?v=1"
        db = await register_database(
            engine, client, url, name="My Tasks", cron="*/5 * * * *", conflict_strategy="local_wins"
        )
        with pytest.raises(RegistrationError, match=f"already registered \\(id {db.id}\\)"):
            await register_database(engine, client, tasks)
    assert db.name == "My Tasks"
    assert db.data_sources[0].table_name == "nt_my_tasks"
    assert (db.cron, db.conflict_strategy, db.database_type) == (
        "*/5 * * * *",
        "local_wins",
        "generic",
    )
    assert get_database(engine, db.id) == get_database(engine, tasks.replace("-", "").upper())
    with pytest.raises(UnknownDatabaseError, match="'42'"):
        get_database(engine, 42)
    with pytest.raises(UnknownDatabaseError):
        get_database(engine, "1" * 32)  # all digits, yet a Notion id: no integer overflow
    assert list_databases(engine) == [db]
    assert not sa.inspect(engine).has_table("nt_tasks")  # failed attempts left no table behind


async def test_remove_keeps_or_drops_the_mirror(engine: sa.Engine, sandbox: Any) -> None:
    ids = sandbox.sample_ids
    async with _client(sandbox) as client:
        kept = await register_database(engine, client, ids["users_database"])
        dropped = await register_database(engine, client, ids["sales_database"])
    assert remove_database(engine, kept.notion_database_id) == kept
    assert remove_database(engine, str(dropped.id), drop_table=True) == dropped
    assert sa.inspect(engine).has_table("nt_users")
    assert not sa.inspect(engine).has_table("nt_sales")
    # the kept table is the user's now: plain SQL on it works (no change tracking left behind)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO nt_users (page_id, _sb_raw) VALUES ('p', '{}')"))
        conn.execute(sa.text("UPDATE nt_users SET _sb_hash = 'x' WHERE page_id = 'p'"))
        conn.execute(sa.text("DELETE FROM nt_users WHERE page_id = 'p'"))
    with Session(engine) as session:
        assert session.scalars(sa.select(ColumnMapping)).first() is None
    assert list_databases(engine) == []
    with pytest.raises(UnknownDatabaseError):
        remove_database(engine, kept.id)
    # a mirror table someone already dropped by hand does not block removal
    async with _client(sandbox) as client:
        calendar = await register_database(engine, client, ids["calendar_database"])
    with engine.begin() as conn:
        conn.execute(sa.text("DROP TABLE nt_calendar"))
    assert remove_database(engine, calendar.id, drop_table=True).id == calendar.id
    # registering again finds the kept table's name taken and picks another
    async with _client(sandbox) as client:
        again = await register_database(engine, client, ids["users_database"])
    assert again.data_sources[0].table_name == "nt_users_2"


async def test_a_database_with_two_data_sources_gets_two_tables(
    sqlite_engine: sa.Engine, sandbox: Any
) -> None:
    engine = sqlite_engine
    database_id = sandbox.sample_ids["calendar_database"]
    async with _client(sandbox) as client:
        await client.data_sources.create(
            parent={"type": "database_id", "database_id": database_id},
            title=[{"type": "text", "text": {"content": "Holidays"}}],
            properties={"Day": {"title": {}}, "Country": {"select": {"options": []}}},
        )
        db = await register_database(engine, client, database_id, database_type="calendar")
    tables = sorted(ds.table_name for ds in db.data_sources)
    assert tables == ["nt_calendar", "nt_calendar_holidays"]
    for table in tables:
        assert sa.inspect(engine).has_table(table)


def test_notion_ids_are_normalised() -> None:
    dashed = "1f2e3d4c-5b6a-4789-8abc-def012345678"
    assert normalize_notion_id(dashed.replace("-", "").upper()) == dashed
    assert normalize_notion_id(f"https://notion.so/x/Title-{dashed.replace('-', '')}#h") == dashed


async def test_update_and_register_from_config(sqlite_engine: sa.Engine, sandbox: Any) -> None:
    engine = sqlite_engine
    ids = sandbox.sample_ids
    configs = [
        DatabaseConfig(notion_id=ids["tasks_database"], database_type="tasks", cron="0 * * * *"),
        DatabaseConfig(notion_id=ids["users_database"].replace("-", ""), name="People"),
    ]
    async with _client(sandbox) as client:
        first = await register_configured(engine, client, configs)
        again = await register_configured(engine, client, configs)
    assert [d.name for d in first] == ["Tasks", "People"]
    assert first[0].cron == "0 * * * *"
    assert again == []
    updated = update_database(engine, first[0].id, cron=None, sync_interval=60, enabled=False)
    assert (updated.cron, updated.sync_interval, updated.enabled) == (None, 60, False)
    assert updated.name == "Tasks"  # untouched
    with pytest.raises(RegistrationError, match="conflict strategy"):
        update_database(engine, first[0].id, conflict_strategy="coin_flip")
    with pytest.raises(UnknownDatabaseError):
        update_database(engine, "nope", enabled=True)
    assert get_database(engine, first[0].id).sync_interval == 60


async def test_legacy_api_version_registers_the_database_as_its_own_source(
    sqlite_engine: sa.Engine, sandbox: Any
) -> None:
    tasks = sandbox.sample_ids["tasks_database"]
    client = NotionClient(TOKEN, base_url=sandbox.base_url, version="2022-06-28", rate_limit=None)
    async with client:
        db = await register_database(sqlite_engine, client, tasks, database_type="tasks")
    (source,) = db.data_sources
    assert source.notion_data_source_id == tasks  # 2022-06-28 has no data source ids
    assert source.properties > 5
    assert source.roles["due"] == "Due"
