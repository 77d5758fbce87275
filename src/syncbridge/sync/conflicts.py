"""Conflicts: list them, resolve the open ones (library for the CLI and the REST route).

A conflict is a property changed on both sides to different values since the last sync. With
the ``manual`` strategy it stays open: the mirror keeps the local value, nothing is sent for
that property, and :func:`resolve_conflict` decides::

    resolve_conflict(engine, 7, take="local")     # send the local value to Notion
    resolve_conflict(engine, 7, take="remote")    # keep Notion's value (written to the mirror)
    resolve_conflict(engine, 7, value="Done")     # a third value, sent to Notion

Values are the property's mirror columns ``{suffix: SQL value}``; ``value=`` may be that dict or
a plain value for the main column. The next ``push`` (``syncbridge sync DB``) queues what has
to go to Notion.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any, Literal

import sqlalchemy as sa
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from syncbridge.notion.codec import SqlType
from syncbridge.store import changes as store
from syncbridge.store.engine import translate_errors
from syncbridge.store.errors import StoreError
from syncbridge.store.mirror import load_mirror
from syncbridge.store.models import Conflict, ConflictStatus, DataSource
from syncbridge.store.push_models import ChangeOp
from syncbridge.store.registry import get_database
from syncbridge.store.triggers import ours
from syncbridge.sync.merge import same

Take = Literal["local", "remote"]
UNSET: Any = object()  # ``value=None`` is a value (clears the property); this means "not given"


class ConflictError(StoreError):
    """A conflict that does not exist, is already resolved, or a resolution that does not fit."""


def _as_json(conflict: Conflict, table: str) -> dict[str, Any]:
    return {
        "id": conflict.id,
        "data_source_id": conflict.data_source_id,
        "table": table,
        "page_id": conflict.page_id,
        "property_id": conflict.property_id,
        "property": conflict.property_name,
        "base": conflict.base_value,
        "local": conflict.local_value,
        "remote": conflict.remote_value,
        "status": conflict.status,
        "resolution": conflict.resolution,
        "resolved_value": conflict.resolved_value,
        "detected_at": conflict.detected_at.isoformat(),
        "resolved_at": conflict.resolved_at.isoformat() if conflict.resolved_at else None,
    }


def list_conflicts(
    engine: Engine,
    *,
    database: str | int | None = None,
    status: str | None = ConflictStatus.OPEN.value,
    limit: int = 500,
) -> list[dict[str, Any]]:
    """Conflicts (open ones by default; ``status=None`` for all), newest first, JSON-ready.

    Raises:
        UnknownDatabaseError: ``database`` is not registered.
    """
    query = (
        sa.select(Conflict, DataSource.table_name)
        .join(DataSource, DataSource.id == Conflict.data_source_id)
        .order_by(Conflict.id.desc())
        .limit(limit)
    )
    if database is not None:
        ds_ids = [ds.id for ds in get_database(engine, database).data_sources]
        query = query.where(Conflict.data_source_id.in_(ds_ids))
    if status is not None:
        query = query.where(Conflict.status == status)
    with translate_errors(engine, "listing conflicts"), Session(engine) as session:
        return [_as_json(c, table) for c, table in session.execute(query)]


def list_push_errors(engine: Engine, *, database: str | int | None = None) -> list[dict[str, Any]]:
    """Local edits refused by the push (e.g. of read-only properties), newest first."""
    with translate_errors(engine, "listing push errors"), engine.connect() as conn:
        if database is not None:
            ids = [ds.id for ds in get_database(engine, database).data_sources]
        else:
            ids = list(conn.scalars(sa.select(DataSource.id)))
        return store.push_errors(conn, ids)


def resolve_conflict(
    engine: Engine, conflict_id: int, *, take: Take | None = None, value: Any = UNSET
) -> dict[str, Any]:
    """Resolve an open conflict by taking the local or remote value, or a given ``value``.

    Returns:
        The resolved conflict (as :func:`list_conflicts` shows it).

    Raises:
        ConflictError: no such open conflict, or not exactly one of ``take``/``value`` given.
    """
    if (take is None) == (value is UNSET):
        raise ConflictError("give exactly one of take='local'|'remote' or value=…")
    if take is not None and take not in ("local", "remote"):
        raise ConflictError(f"take must be 'local' or 'remote', not {take!r}")
    with translate_errors(engine, "resolving a conflict"), Session(engine) as session:
        conflict = session.get(Conflict, conflict_id)
        if conflict is None:
            raise ConflictError(f"no conflict with id {conflict_id}")
        if conflict.status != ConflictStatus.OPEN.value:
            raise ConflictError(f"conflict {conflict_id} is already {conflict.status}")
        mirror = load_mirror(session, conflict.data_source_id)
        prop = mirror.active.get(conflict.property_id)
        if prop is None:
            raise ConflictError(
                f"conflict {conflict_id}: property {conflict.property_name!r} no longer exists"
            )
        if take == "local":  # what the row holds now (it may have been edited again since)
            now = store.local_rows(session.connection(), mirror, [conflict.page_id])
            row = now.get(conflict.page_id)
            chosen = {s: row[c] for s, c in prop.names.items()} if row else {}
            chosen = chosen or dict(conflict.local_value or {})
        elif take == "remote":
            chosen = dict(conflict.remote_value or {})
        else:
            chosen = _columns_of(value, prop.names, {c.suffix: c.sql_type for c in prop.columns})
        page_id, remote = conflict.page_id, conflict.remote_value
    with translate_errors(engine, "resolving a conflict"), engine.begin() as conn, ours(conn):
        store.write_columns(conn, mirror, page_id, {prop.names[s]: v for s, v in chosen.items()})
        if not same(chosen, remote):  # Notion must learn it: the push sends it
            store.log_change(conn, mirror.data_source_id, page_id, ChangeOp.UPDATE.value)
        store.update_conflict(
            conn,
            conflict_id,
            status=ConflictStatus.RESOLVED.value,
            resolution=take or "value",
            resolved_value=chosen,
            resolved_at=datetime.now(UTC),
        )
    with Session(engine) as session:
        resolved, table = session.execute(
            sa.select(Conflict, DataSource.table_name)
            .join(DataSource, DataSource.id == Conflict.data_source_id)
            .where(Conflict.id == conflict_id)
        ).one()
        return _as_json(resolved, table)


def _columns_of(value: Any, names: dict[str, str], types: dict[str, SqlType]) -> dict[str, Any]:
    """A resolution value as the property's columns: a {suffix: value} dict or the main value."""
    if isinstance(value, dict) and value and set(value) <= set(names):
        return {s: value.get(s) for s in names}
    if "" not in names:
        raise ConflictError("this property has no main column; give {suffix: value} columns")
    if types.get("") is SqlType.JSON and not isinstance(value, str) and value is not None:
        value = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return {s: (value if s == "" else None) for s in names}
