"""Local edits the pull must merge, not overwrite: the pull side of two-way sync.

The pull calls, first in its write transaction (inside ``triggers.ours``)::

    edits = PendingEdits.load(conn, mirror, ids, strategy)   # locks rows, settles creates
    rows, bases = edits.merge(conn, rows, bases, pages)

A page has pending local edits when the change log names it or a push of it is not yet settled.
Its rows are locked first (``SELECT … FOR UPDATE``), so an edit committed while the pull runs is
either seen here or made after the pull's write, never overwritten unseen.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy import Connection

from syncbridge.notion import codec
from syncbridge.store import changes as store
from syncbridge.store.mirror import Col, Mirror
from syncbridge.store.models import ConflictStatus
from syncbridge.store.push_models import ChangeOp, PushKind
from syncbridge.sync.merge import Columns, Decision, merge_property, same


def base_of(base: dict[str, Any], prop_id: str, names: dict[str, str]) -> Columns:
    """A property's base value; empty for a property added since the row was last pulled
    (Notion starts a new property empty on existing pages, and so does its new column).
    """
    found = base.get(prop_id)
    return dict(found) if isinstance(found, dict) else dict.fromkeys(names)


def read_only_message(name: str, prop_type: str, *, reverted: bool) -> str:
    """Why a local edit of a property Notion computes was not sent."""
    return (
        f"{name!r} is a {prop_type} property, computed by Notion (read-only): the local edit "
        "was not sent" + (" and was reverted to the synced value" if reverted else "")
    )


def settle_creates(conn: Connection, mirror: Mirror) -> int:
    """Give locally inserted rows whose page Notion has created their real page id."""
    pending = [p for p in store.pushes(conn, mirror.data_source_id).values() if p.kind == "create"]
    if not pending:
        return 0
    states = store.outbox_states(conn, [p.outbox_id for p in pending])
    moved = 0
    for push in pending:
        state = states[push.outbox_id]
        if state.state == "done" and state.page_id and state.page_id != push.page_id:
            store.rekey(conn, mirror, push.page_id, state.page_id)
            moved += 1
    return moved


def lock_rows(conn: Connection, mirror: Mirror, page_ids: Collection[str]) -> None:
    """Lock these mirror rows for the transaction (a no-op on SQLite: one writer at a time)."""
    if conn.dialect.name == "sqlite" or not page_ids:
        return
    t = mirror.table
    conn.execute(
        sa.select(t.c[Col.PAGE_ID]).where(t.c[Col.PAGE_ID].in_(list(page_ids))).with_for_update()
    )


def pushed_value(push: store.Push | None, prop_id: str) -> tuple[Columns | None, int | None]:
    """The value a push sent for a property and the outbox row carrying it."""
    if push is None:
        return None, None
    entry = push.properties.get(prop_id)
    if not isinstance(entry, dict) or "v" not in entry:
        return None, None
    return dict(entry["v"] or {}), int(entry["o"])


@dataclass
class PendingEdits:
    """The local state of the pages of one pull batch that have unsent or unsettled edits."""

    mirror: Mirror
    strategy: str
    changes: dict[str, store.PageChanges]
    pushes: dict[str, store.Push]
    states: dict[int, store.OutboxState]
    local: dict[str, dict[str, Any]]
    bases: dict[str, dict[str, Any]]
    conflicts: dict[tuple[str, str], int]
    settled: list[str] = field(default_factory=list)
    conflicts_seen: int = 0

    @classmethod
    def load(
        cls, conn: Connection, mirror: Mirror, page_ids: Sequence[str], strategy: str
    ) -> PendingEdits:
        """Read what the pages of a batch hold locally; call it first in the write transaction.

        The rows are locked before anything is read, so an edit committed meanwhile is seen
        (on MariaDB/MySQL the transaction's snapshot starts at its first plain read, after the
        lock); then local inserts Notion has created get their real page ids.
        """
        ds = mirror.data_source_id
        lock_rows(conn, mirror, page_ids)
        settle_creates(conn, mirror)
        changes = store.page_changes(conn, ds, page_ids)
        pushes = store.pushes(conn, ds, page_ids)
        pages = set(changes) | set(pushes)
        outbox_ids = {int(e["o"]) for p in pushes.values() for e in p.properties.values()}
        outbox_ids |= {p.outbox_id for p in pushes.values()}
        return cls(
            mirror=mirror,
            strategy=strategy,
            changes=changes,
            pushes=pushes,
            states=store.outbox_states(conn, outbox_ids) if outbox_ids else {},
            local=store.local_rows(conn, mirror, pages) if pages else {},
            bases=store.bases(conn, ds, pages) if pages else {},
            conflicts=store.open_conflicts(conn, ds, pages) if pages else {},
        )

    def __contains__(self, page_id: object) -> bool:
        return page_id in self.changes or page_id in self.pushes

    def _delivered(self, outbox_id: int | None) -> bool:
        return (
            outbox_id is not None
            and self.states.get(outbox_id, store.OutboxState("gone")).delivered
        )

    def merge(
        self,
        conn: Connection,
        rows: list[dict[str, Any]],
        bases: list[dict[str, Any]],
        pages: dict[str, dict[str, Any]],
    ) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        """Merge the pending pages' rows and bases; returns the rows and bases to write."""
        out_rows: list[dict[str, Any]] = []
        out_bases: list[dict[str, Any]] = []
        for row, base in zip(rows, bases, strict=True):
            page_id = row[Col.PAGE_ID]
            if page_id in self and not self._merge_page(conn, row, base, pages[page_id]):
                continue
            out_rows.append(row)
            out_bases.append(base)
        if self.settled:
            store.drop_pushes(conn, self.mirror.data_source_id, self.settled)
        return out_rows, out_bases

    def _merge_page(
        self, conn: Connection, row: dict[str, Any], base: dict[str, Any], page: dict[str, Any]
    ) -> bool:
        """Merge one page in place; False when its row must not be written (deleted locally)."""
        page_id = row[Col.PAGE_ID]
        change = self.changes.get(page_id)
        push = self.pushes.get(page_id)
        if push is not None and push.kind == PushKind.TRASH.value:
            if not self._delivered(push.outbox_id):
                return False  # our trash is on its way: do not bring the row back meanwhile
            self.settled.append(page_id)
            return True  # comes back as a tombstone (deleted rows are kept, flagged)
        local = self.local.get(page_id)
        if local is None:
            # Deleted here and not yet pushed: the push step will trash it.
            return change is None or ChangeOp.DELETE.value not in change.ops
        local_time = change.changed_at if change else (push.pushed_at if push else None)
        remote_time = _parse(page.get("last_edited_time"))
        local_newer = bool(local_time and remote_time and local_time > remote_time)
        old_base = self.bases.get(page_id)
        props = dict(base["properties"])
        keeps_local = False
        for prop_id, prop in self.mirror.active.items():
            conf = self.mirror.schema_by_id.get(prop_id) or {}
            names = prop.names
            key = (page_id, prop_id)
            sent, outbox_id = pushed_value(push, prop_id)
            writable = codec.is_writable(str(conf.get("type")))
            mine = {s: local.get(c) for s, c in names.items()}
            was = base_of(old_base, prop_id, names) if old_base is not None else None
            if not writable and was is not None and not same(mine, was):
                message = read_only_message(prop.property_name, prop.property_type, reverted=True)
                store.record_error(
                    conn,
                    self.mirror.data_source_id,
                    page_id,
                    message,
                    property_id=prop_id,
                    property_name=prop.property_name,
                    value={k: _jsonable(v) for k, v in mine.items()},
                )
            decision = merge_property(
                was,
                mine,
                {s: row.get(c) for s, c in names.items()},
                strategy="manual" if key in self.conflicts else self.strategy,
                writable=writable,
                local_newer=local_newer,
                pushed=sent,
                delivered=self._delivered(outbox_id),
            )
            for suffix, column in names.items():
                row[column] = decision.value.get(suffix)
            props[prop_id] = decision.base
            keeps_local |= decision.keeps_local and decision.conflict != "manual"
            self._record(conn, page_id, prop_id, prop.property_name, old_base, decision, local)
        base["properties"] = props
        if push is not None and all(
            self._delivered(pushed_value(push, p)[1]) for p in push.properties
        ):
            self.settled.append(page_id)
        if keeps_local and change is None:
            # A value to send that the change log does not name (e.g. local_wins over a
            # delivered push): log it so the push step sends it.
            store.log_change(conn, self.mirror.data_source_id, page_id, ChangeOp.UPDATE.value)
        return True

    def _record(
        self,
        conn: Connection,
        page_id: str,
        prop_id: str,
        name: str,
        old_base: dict[str, Any] | None,
        decision: Decision,
        local: dict[str, Any],
    ) -> None:
        """Write the conflict a decision settled (or opened), or close one that resolved itself."""
        key = (page_id, prop_id)
        open_id = self.conflicts.get(key)
        if decision.conflict is None:
            if open_id is not None and same(decision.value, decision.base):
                store.update_conflict(
                    conn,
                    open_id,
                    status=ConflictStatus.RESOLVED.value,
                    resolution="converged",
                    resolved_value=decision.value,
                    resolved_at=datetime.now(UTC),
                )
            return
        self.conflicts_seen += 1
        if open_id is not None:  # still open: Notion changed it again
            store.update_conflict(conn, open_id, remote_value=decision.base)
            return
        names = self.mirror.active[prop_id].names
        values: dict[str, Any] = {
            "data_source_id": self.mirror.data_source_id,
            "page_id": page_id,
            "property_id": prop_id,
            "property_name": name,
            "base_value": (old_base or {}).get(prop_id),
            "local_value": {s: _jsonable(local.get(c)) for s, c in names.items()},
            "remote_value": decision.base,
        }
        if decision.conflict == "manual":
            values["status"] = ConflictStatus.OPEN.value
        else:
            values |= {
                "status": ConflictStatus.RESOLVED.value,
                "resolution": f"{decision.conflict}_wins",
                "resolved_value": {k: _jsonable(v) for k, v in decision.value.items()},
                "resolved_at": datetime.now(UTC),
            }
        store.add_conflict(conn, values)


def _parse(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _jsonable(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value
