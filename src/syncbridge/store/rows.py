"""Rows of mirror tables: build one from a Notion page, upsert, tombstone, read what is stored.

The sync engine calls these named functions and never builds SQL itself::

    row = page_row(mirror, page)                       # codec values under the mirror's columns
    upsert_rows(conn, mirror, [row, ...])              # INSERT … ON CONFLICT / ON DUPLICATE KEY
    stored = stored_versions(conn, mirror, page_ids)   # page id -> (last edited, hash)
    tombstone(conn, mirror, gone_ids, at=now)
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from syncbridge.notion import codec
from syncbridge.store.mirror import Col, Mirror
from syncbridge.store.models import utcnow
from syncbridge.store.upsert import CHUNK, upsert


@dataclass(frozen=True)
class StoredVersion:
    """What a mirror row holds of a page: enough to skip an unchanged page on the next pull."""

    last_edited_time: datetime | None
    content_hash: str | None
    deleted: bool


def page_hash(page: dict[str, Any]) -> str:
    """SHA-256 of the page's property values (canonical JSON): equal hashes, equal values."""
    canonical = json.dumps(page.get("properties", {}), sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def page_row(
    mirror: Mirror,
    page: dict[str, Any],
    *,
    synced_at: datetime | None = None,
    content: Any = None,
    content_text: str | None = None,
) -> dict[str, Any]:
    """The mirror row of a Notion page (response JSON), every active property through the codec.

    Content columns are only included when ``content`` is given, so an upsert without them
    keeps what an earlier content fetch stored.

    Raises:
        CodecError: a property value does not fit its type (the message names the property).
    """
    trashed = bool(page.get("in_trash") or page.get("archived"))
    row: dict[str, Any] = {
        Col.PAGE_ID: page["id"],
        Col.RAW: page,
        Col.CREATED_TIME: page.get("created_time"),
        Col.LAST_EDITED_TIME: page.get("last_edited_time"),
        Col.HASH: page_hash(page),
        Col.SYNCED_AT: synced_at or utcnow(),
        Col.DELETED: trashed,
        Col.DELETED_AT: page.get("last_edited_time") if trashed else None,
    }
    values = {v.get("id"): (name, v) for name, v in page.get("properties", {}).items()}
    for prop_id, prop in mirror.active.items():
        row.update(dict.fromkeys(prop.names.values()))  # every row has every column
        conf = mirror.schema_by_id.get(prop_id)
        found = values.get(prop_id)
        if conf is None or found is None or found[1].get("type") != conf.get("type"):
            continue  # not on this page (or not yet its new type): empty, never stale
        decoded = codec.decode(found[1], name=found[0])
        for suffix, sql_value in codec.to_columns(conf, decoded).items():
            if suffix in prop.names:
                row[prop.names[suffix]] = sql_value
    if content is not None:
        row[Col.CONTENT] = content
        row[Col.CONTENT_TEXT] = content_text
    return row


def upsert_rows(conn: Connection, mirror: Mirror, rows: Sequence[dict[str, Any]]) -> int:
    """Insert rows, or update every given column of rows whose ``page_id`` exists.

    All rows must have the same keys (``page_row`` gives that). Returns the number of rows sent.
    """
    return upsert(conn, mirror.table, rows, key=[Col.PAGE_ID])


def stored_versions(
    conn: Connection, mirror: Mirror, page_ids: Collection[str]
) -> dict[str, StoredVersion]:
    """Page id -> what the mirror holds, for the ids that have a row."""
    t = mirror.table.c
    found: dict[str, StoredVersion] = {}
    ids = list(page_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        query = sa.select(t[Col.PAGE_ID], t[Col.LAST_EDITED_TIME], t[Col.HASH], t[Col.DELETED])
        for row in conn.execute(query.where(t[Col.PAGE_ID].in_(chunk))):
            found[row[0]] = StoredVersion(row[1], row[2], bool(row[3]))
    return found


def tombstone(
    conn: Connection, mirror: Mirror, page_ids: Collection[str], *, at: datetime | None = None
) -> int:
    """Mark rows deleted (kept, flagged); returns how many were live before."""
    t = mirror.table.c
    when = at or utcnow()
    count = 0
    ids = list(page_ids)
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        result = conn.execute(
            sa.update(mirror.table)
            .where(t[Col.PAGE_ID].in_(chunk), t[Col.DELETED] == sa.false())
            .values({Col.DELETED: True, Col.DELETED_AT: when})
        )
        count += result.rowcount
    return count


def live_page_ids(conn: Connection, mirror: Mirror) -> set[str]:
    """Ids of every row not tombstoned (for id reconciliation after a full scan)."""
    t = mirror.table.c
    return set(conn.scalars(sa.select(t[Col.PAGE_ID]).where(t[Col.DELETED] == sa.false())))
