"""Registered Notion databases: register (reading the schemas), list, look up, remove.

::

    async with NotionClient(token) as client:
        db = await register_database(engine, client, "1f2e…", database_type="tasks")
    db.data_sources[0].table_name   # "nt_tasks"

Ids are accepted with or without dashes, or as a Notion URL ending in the id; our own ids are
small integers. Registration reads the database and each of its data sources through the client,
then creates one mirror table per data source and records everything in one transaction.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, get_args

from croniter import croniter
from sqlalchemy import Engine, inspect, select
from sqlalchemy.orm import Session, selectinload

from syncbridge.http.errors import HTTPError
from syncbridge.notion.client import NotionClient
from syncbridge.notion.errors import ObjectNotFoundError
from syncbridge.settings import ConflictStrategy, DatabaseConfig
from syncbridge.store import naming
from syncbridge.store.engine import translate_errors
from syncbridge.store.errors import RegistrationError, UnknownDatabaseError
from syncbridge.store.mirror import create_mirror, drop_mirror
from syncbridge.store.models import Checkpoint, DataSource, NotionDatabase
from syncbridge.store.presets import preset_for, resolve_roles
from syncbridge.store.triggers import drop_triggers

CONFLICT_STRATEGIES: tuple[str, ...] = get_args(ConflictStrategy)
_HEX32 = re.compile(r"([0-9a-f]{32})(?:[?#].*)?$")


@dataclass(frozen=True)
class RegisteredDataSource:
    """A data source of a registered database and its mirror table."""

    id: int
    notion_data_source_id: str
    name: str
    table_name: str
    properties: int  # number of properties in the schema
    roles: dict[str, str]  # preset role -> property name


@dataclass(frozen=True)
class RegisteredDatabase:
    """A registered database with its settings and data sources."""

    id: int
    notion_database_id: str
    name: str
    database_type: str
    sync_interval: int | None
    cron: str | None
    conflict_strategy: str
    fetch_content: bool
    enabled: bool
    created_at: datetime
    updated_at: datetime
    data_sources: tuple[RegisteredDataSource, ...]

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict (times in ISO-8601)."""
        data = asdict(self)
        data["created_at"] = self.created_at.isoformat()
        data["updated_at"] = self.updated_at.isoformat()
        return data


def normalize_notion_id(value: str, *, what: str = "Notion database id") -> str:
    """A Notion id in its dashed lower-case form, from dashed, undashed or a URL ending in it.

    Raises:
        RegistrationError: ``value`` holds no 32-hex-digit id.
    """
    compact = value.strip().lower().replace("-", "")
    match = _HEX32.search(compact)
    if match is None:
        raise RegistrationError(f"{what} {value!r} is not a Notion id (32 hex digits)")
    h = match.group(1)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _check_options(sync_interval: int | None, cron: str | None, conflict_strategy: str) -> None:
    if sync_interval is not None and sync_interval <= 0:
        raise RegistrationError(
            f"sync interval must be a positive number of seconds, not {sync_interval}"
        )
    if cron is not None and not croniter.is_valid(cron):
        raise RegistrationError(f"cron expression {cron!r} is not valid (e.g. '*/5 * * * *')")
    if conflict_strategy not in CONFLICT_STRATEGIES:
        raise RegistrationError(
            f"unknown conflict strategy {conflict_strategy!r}; use one of: "
            + ", ".join(CONFLICT_STRATEGIES)
        )


def _plain_title(items: Any) -> str:
    if not isinstance(items, list):
        return ""
    return "".join(str(i.get("plain_text", "")) for i in items if isinstance(i, dict)).strip()


async def _read_schemas(
    client: NotionClient, database_id: str
) -> tuple[str, list[tuple[str, str, dict[str, Any]]]]:
    """The database's title and, per data source, (id, name, properties)."""
    try:
        database = await client.databases.retrieve(database_id=database_id)
        title = _plain_title(database.get("title"))
        refs = database.get("data_sources")
        if refs is None and isinstance(database.get("properties"), dict):
            # Notion-Version 2022-06-28: the database is its own single data source.
            return title, [(database_id, title, database["properties"])]
        sources = []
        for ref in refs or []:
            ds = await client.data_sources.retrieve(data_source_id=ref["id"])
            name = _plain_title(ds.get("title")) or str(ref.get("name") or "") or title
            sources.append((normalize_notion_id(ds["id"]), name, dict(ds.get("properties") or {})))
    except ObjectNotFoundError:
        raise RegistrationError(
            f"Notion database {database_id} not found, or not shared with the integration"
        ) from None
    except HTTPError as err:  # any other answer, or no answer at all
        raise RegistrationError(f"reading Notion database {database_id} failed: {err}") from None
    if not sources:
        raise RegistrationError(f"Notion database {database_id} has no data sources")
    return title, sources


async def register_database(
    engine: Engine,
    client: NotionClient,
    notion_database_id: str,
    *,
    name: str | None = None,
    database_type: str = "generic",
    sync_interval: int | None = None,
    cron: str | None = None,
    conflict_strategy: str | None = None,
    fetch_content: bool | None = None,
) -> RegisteredDatabase:
    """Register a Notion database: read its schemas and create one mirror table per data source.

    Args:
        engine: The store (already migrated).
        client: Reads the database and its data sources.
        notion_database_id: The database id, with or without dashes, or its URL.
        name: Our name for it (default: its Notion title); also names the mirror tables.
        database_type: ``tasks``, ``calendar``, ``reports``, ``users``, ``sales`` or ``generic``.
        sync_interval: Seconds between pulls (default: the type's preset, else the settings').
        cron: A cron expression scheduling pulls instead of the interval.
        conflict_strategy: ``remote_wins``, ``local_wins``, ``newest_wins`` or ``manual``
            (default: the type's preset).
        fetch_content: Also mirror page content (default: the type's preset).

    Raises:
        RegistrationError: a bad option, a database already registered, or Notion refused.
        StoreError: the store failed.
    """
    database_id = normalize_notion_id(notion_database_id)
    try:
        preset = preset_for(database_type)
    except ValueError as err:
        raise RegistrationError(str(err)) from None
    strategy = conflict_strategy or preset.conflict_strategy
    _check_options(sync_interval, cron, strategy)
    with translate_errors(engine, "registering a database"), Session(engine) as session:
        existing = _find(session, database_id)
        if existing is not None:
            raise RegistrationError(
                f"Notion database {database_id} is already registered (id {existing.id})"
            )
    title, sources = await _read_schemas(client, database_id)
    display = name or title or database_id
    db = NotionDatabase(
        notion_database_id=database_id,
        name=display,
        database_type=database_type,
        sync_interval=sync_interval if sync_interval is not None else preset.sync_interval,
        cron=cron,
        conflict_strategy=strategy,
        fetch_content=preset.fetch_content if fetch_content is None else fetch_content,
        enabled=True,
    )
    created: list[str] = []
    try:
        with translate_errors(engine, "registering a database"), Session(engine) as session:
            with session.begin():
                _create(session, db, display, sources, created)
            return _registered(session, db.id)
    except BaseException:
        _drop_tables(engine, created)  # MySQL commits DDL on its own: undo what was made
        raise


def _create(
    session: Session,
    db: NotionDatabase,
    display: str,
    sources: list[tuple[str, str, dict[str, Any]]],
    created: list[str],
) -> None:
    for ds_id, _name, _schema in sources:
        owner = session.scalars(
            select(DataSource).where(DataSource.notion_data_source_id == ds_id)
        ).one_or_none()
        if owner is not None:
            raise RegistrationError(
                f"data source {ds_id} is already mirrored (table {owner.table_name})"
            )
    session.add(db)
    taken = set(inspect(session.connection()).get_table_names())
    taken |= set(session.scalars(select(DataSource.table_name)))
    for ds_id, ds_name, schema in sources:
        # One table per data source; a second source's table also carries the source's name.
        alone = len(sources) == 1 or naming.slug(ds_name) == naming.slug(display)
        wanted = display if alone else f"{display} {ds_name}"
        table = naming.table_name(wanted, ds_id, taken)
        taken.add(table)
        ds = DataSource(notion_data_source_id=ds_id, name=ds_name, table_name=table, schema_json={})
        db.data_sources.append(ds)
        session.flush()
        created.append(table)
        create_mirror(session, ds, schema)
        session.add(Checkpoint(data_source_id=ds.id))


def _drop_tables(engine: Engine, tables: list[str]) -> None:
    if not tables:
        return
    with translate_errors(engine, "cleaning up a failed registration"), engine.begin() as conn:
        for table in tables:
            drop_mirror(conn, table)


def _find(session: Session, ident: str | int) -> NotionDatabase | None:
    stmt = select(NotionDatabase).options(selectinload(NotionDatabase.data_sources))
    text = str(ident).strip()
    if text.isdigit() and len(text) < 19:  # our ids; 32 digits would be a Notion id
        return session.scalars(stmt.where(NotionDatabase.id == int(text))).one_or_none()
    try:
        notion_id = normalize_notion_id(text)
    except RegistrationError:
        return None
    return session.scalars(stmt.where(NotionDatabase.notion_database_id == notion_id)).one_or_none()


def _registered(session: Session, database_id: int) -> RegisteredDatabase:
    db = _find(session, database_id)
    assert db is not None
    return _to_value(db)


def _to_value(db: NotionDatabase) -> RegisteredDatabase:
    return RegisteredDatabase(
        id=db.id,
        notion_database_id=db.notion_database_id,
        name=db.name,
        database_type=db.database_type,
        sync_interval=db.sync_interval,
        cron=db.cron,
        conflict_strategy=db.conflict_strategy,
        fetch_content=db.fetch_content,
        enabled=db.enabled,
        created_at=db.created_at,
        updated_at=db.updated_at,
        data_sources=tuple(
            RegisteredDataSource(
                id=ds.id,
                notion_data_source_id=ds.notion_data_source_id,
                name=ds.name,
                table_name=ds.table_name,
                properties=len(ds.schema_json),
                roles=resolve_roles(db.database_type, ds.schema_json),
            )
            for ds in db.data_sources
        ),
    )


def list_databases(engine: Engine) -> list[RegisteredDatabase]:
    """Every registered database, oldest first."""
    with translate_errors(engine, "listing databases"), Session(engine) as session:
        stmt = (
            select(NotionDatabase)
            .options(selectinload(NotionDatabase.data_sources))
            .order_by(NotionDatabase.id)
        )
        return [_to_value(db) for db in session.scalars(stmt)]


def get_database(engine: Engine, ident: str | int) -> RegisteredDatabase:
    """A registered database by our id or its Notion id (dashed, undashed or URL).

    Raises:
        UnknownDatabaseError: nothing registered under ``ident``.
    """
    with translate_errors(engine, "looking up a database"), Session(engine) as session:
        db = _find(session, ident)
        if db is None:
            raise _unknown(ident)
        return _to_value(db)


def remove_database(
    engine: Engine, ident: str | int, *, drop_table: bool = False
) -> RegisteredDatabase:
    """Unregister a database; its mirror tables stay unless ``drop_table``.

    Its data sources, column maps, checkpoints, row bases, runs and conflicts go with it; a kept
    mirror table loses its change-tracking triggers and becomes a plain table of the user's.

    Raises:
        UnknownDatabaseError: nothing registered under ``ident``.
    """
    with translate_errors(engine, "removing a database"), Session(engine) as session:
        with session.begin():
            db = _find(session, ident)
            if db is None:
                raise _unknown(ident)
            removed = _to_value(db)
            conn = session.connection()
            inspector = inspect(conn)
            for ds in removed.data_sources:
                # Change tracking would log into rows that are about to go; a kept table is
                # the user's from now on, so plain SQL on it must keep working.
                if inspector.has_table(ds.table_name):
                    drop_triggers(conn, ds.table_name)
            session.delete(db)
        if drop_table:
            with session.begin():
                for ds in removed.data_sources:
                    drop_mirror(session.connection(), ds.table_name)
    return removed


def _unknown(ident: str | int) -> UnknownDatabaseError:
    return UnknownDatabaseError(
        f"no registered database {str(ident)!r}: give our id or the Notion database id "
        "(see `syncbridge db list`)"
    )


class _Unset:
    """Marks an option of :func:`update_database` that was not given (``None`` clears)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()


def update_database(
    engine: Engine,
    ident: str | int,
    *,
    name: str = UNSET,
    sync_interval: int | None = UNSET,
    cron: str | None = UNSET,
    conflict_strategy: str = UNSET,
    fetch_content: bool = UNSET,
    enabled: bool = UNSET,
) -> RegisteredDatabase:
    """Change a registered database's settings; options not given stay as they are.

    ``sync_interval=None`` returns to the default interval, ``cron=None`` removes the schedule.

    Raises:
        UnknownDatabaseError: nothing registered under ``ident``.
        RegistrationError: a bad value (the message names it).
    """
    changes: dict[str, Any] = {
        key: value
        for key, value in {
            "name": name,
            "sync_interval": sync_interval,
            "cron": cron,
            "conflict_strategy": conflict_strategy,
            "fetch_content": fetch_content,
            "enabled": enabled,
        }.items()
        if value is not UNSET
    }
    if "name" in changes and not str(changes["name"]).strip():
        raise RegistrationError("a database name cannot be empty")
    with translate_errors(engine, "updating a database"), Session(engine) as session:
        with session.begin():
            db = _find(session, ident)
            if db is None:
                raise _unknown(ident)
            _check_options(
                changes.get("sync_interval", db.sync_interval),
                changes.get("cron", db.cron),
                changes.get("conflict_strategy", db.conflict_strategy),
            )
            for key, value in changes.items():
                setattr(db, key, value)
        return _registered(session, db.id)


async def register_configured(
    engine: Engine, client: NotionClient, databases: Sequence[DatabaseConfig]
) -> list[RegisteredDatabase]:
    """Register the config file's ``[[databases]]`` that are not registered yet.

    Returns:
        The databases registered now (those already there are left as they are).
    """
    registered = []
    for config in databases:
        with translate_errors(engine, "looking up a database"), Session(engine) as session:
            if _find(session, normalize_notion_id(config.notion_id)) is not None:
                continue
        registered.append(
            await register_database(
                engine,
                client,
                config.notion_id,
                name=config.name,
                database_type=config.database_type,
                sync_interval=config.sync_interval,
                cron=config.cron,
                conflict_strategy=config.conflict_strategy,
                fetch_content=config.fetch_content,
            )
        )
    return registered
