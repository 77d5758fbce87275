"""Push: local SQL edits of a mirror table → outbox writes (``syncbridge worker`` sends them).

One call handles one data source::

    result = push(engine, data_source_id, outbox)            # what the change log names
    result = push(engine, data_source_id, outbox, full=True) # also compare every row with its base

For each page the change log names (the mirror's triggers write it; see ``store.triggers``):

* a changed row → one ``update_page`` with the properties whose value differs from the base
  (writable ones; an open manual conflict holds its property back). An edit of a read-only
  property (formula, rollup, created_time …) is refused: recorded in ``sb_push_errors`` and
  reverted to the synced value, never sent;
* a row inserted locally (its ``page_id`` is a placeholder such as ``new:<32 hex>``) →
  ``create_page`` with idempotency key ``sb:<data source>:<placeholder>``; once Notion has made
  the page, the row gets the real page id (:func:`~syncbridge.sync.pending.settle_creates`);
* a deleted row → ``trash_page``.

What was queued is kept in ``sb_pushes`` until the pull sees Notion's answer, which becomes the
base, so our own writes never come back as changes or conflicts.
"""

from __future__ import annotations

import logging
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from syncbridge.notion import codec
from syncbridge.outbox.queue import Outbox
from syncbridge.store import changes as store
from syncbridge.store.mirror import Col, Mirror, get_data_source, load_mirror
from syncbridge.store.push_models import ChangeOp, PushKind
from syncbridge.store.triggers import clear_stale_markers, ensure_triggers, ours
from syncbridge.sync.merge import Columns, same
from syncbridge.sync.pending import base_of, pushed_value, read_only_message, settle_creates

log = logging.getLogger(__name__)

KEY_PREFIX = "sb:"


@dataclass(frozen=True)
class PushResult:
    """What one push of one data source queued, refused and held back."""

    data_source_id: int
    table: str
    updates: int = 0
    creates: int = 0
    trashes: int = 0
    refused: int = 0
    held: int = 0  # properties held back by an open manual conflict
    settled_creates: int = 0
    full_check: bool = False
    errors: tuple[str, ...] = ()  # refused local edits (the push itself went on)
    error: str | None = None  # the push failed (e.g. the store or the outbox refused)

    @property
    def queued(self) -> int:
        """Outbox writes queued."""
        return self.updates + self.creates + self.trashes

    def as_json(self) -> dict[str, Any]:
        """A JSON-ready dict."""
        data = asdict(self)
        data["errors"] = list(self.errors)
        data["queued"] = self.queued
        return data


@dataclass
class _Tally:
    updates: int = 0
    creates: int = 0
    trashes: int = 0
    refused: int = 0
    held: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Page:
    """Everything the push knows about one page with local changes."""

    page_id: str
    change: store.PageChanges | None
    local: dict[str, Any] | None
    base: dict[str, Any] | None
    push: store.Push | None


class Pusher:
    """Pushes one data source's local changes into the outbox; create one per run."""

    def __init__(self, engine: Engine, data_source_id: int, outbox: Outbox) -> None:
        self.engine = engine
        self.outbox = outbox
        with Session(engine) as session:
            ds = get_data_source(session, data_source_id)
            self.ds_id = ds.id
            self.notion_id = ds.notion_data_source_id
            self.mirror: Mirror = load_mirror(session, ds)
        self.tally = _Tally()

    def run(self, *, full: bool = False) -> PushResult:
        """Queue every local change; ``full`` also compares every row with its base."""
        with self.engine.begin() as conn:
            clear_stale_markers(conn)
            if ensure_triggers(conn, self.mirror.table.name, self.ds_id):
                full = True  # edits made while a trigger was missing were not logged
        with self.engine.begin() as conn, ours(conn):
            settled = settle_creates(conn, self.mirror)
        for page in self._pages(full):
            try:
                self._push_page(page)
            except codec.CodecError as exc:  # a value Notion cannot take: say so, drop it
                self._refuse(page.page_id, str(exc), getattr(exc, "prop", None))
                self._consume(page)
        t = self.tally
        return PushResult(
            data_source_id=self.ds_id,
            table=self.mirror.table.name,
            updates=t.updates,
            creates=t.creates,
            trashes=t.trashes,
            refused=t.refused,
            held=t.held,
            settled_creates=settled,
            full_check=full,
            errors=tuple(t.errors),
        )

    # -- what changed ------------------------------------------------------------------------

    def _pages(self, full: bool) -> list[_Page]:
        with self.engine.connect() as conn:
            logged = store.page_changes(conn, self.ds_id)
            pending = store.pushes(conn, self.ds_id)
            ids = set(logged)
            if full:
                ids |= self._drifted_ids(conn, pending)
            local = store.local_rows(conn, self.mirror, ids) if ids else {}
            bases = store.bases(conn, self.ds_id, ids) if ids else {}
        return [
            _Page(pid, logged.get(pid), local.get(pid), bases.get(pid), pending.get(pid))
            for pid in sorted(ids)
        ]

    def _drifted_ids(self, conn: Connection, pending: dict[str, store.Push]) -> set[str]:
        """The safety net over the whole table, a chunk of rows at a time (flat memory)."""
        found = {pid for pid in store.orphan_bases(conn, self.mirror) if pid not in pending}
        for local in store.local_row_chunks(conn, self.mirror):
            found |= self._drifted(local, store.bases(conn, self.ds_id, local), pending)
        return found

    def _drifted(
        self,
        local: dict[str, dict[str, Any]],
        bases: dict[str, dict[str, Any]],
        pending: dict[str, store.Push],
    ) -> set[str]:
        """Pages of ``local`` whose row differs from its base without a logged change."""
        found = {pid for pid in local if pid not in bases and pid not in pending}
        for pid, row in local.items():
            base = bases.get(pid)
            if base is None or row.get(Col.DELETED):
                continue
            for prop_id, prop in self.mirror.active.items():
                value = {s: row.get(c) for s, c in prop.names.items()}
                sent, _ = pushed_value(pending.get(pid), prop_id)
                if not same(value, base_of(base, prop_id, prop.names)) and not same(value, sent):
                    found.add(pid)
                    break
        return found

    # -- one page ----------------------------------------------------------------------------

    def _push_page(self, page: _Page) -> None:
        if page.local is None:
            self._trash(page)
        elif page.base is None:
            self._create(page)
        elif page.local.get(Col.DELETED):
            self._refuse(page.page_id, "the page is in Notion's trash; local edits are not sent")
            self._consume(page)
        else:
            self._update(page)

    def _consume(self, page: _Page, push: store.Push | None = None) -> None:
        with self.engine.begin() as conn:
            if push is not None:
                store.save_push(conn, self.ds_id, push)
            if page.change is not None:
                store.consume_changes(conn, self.ds_id, page.page_id, page.change.last_id)

    def _trash(self, page: _Page) -> None:
        push = page.push
        if push is not None and push.kind == PushKind.CREATE.value:
            # Deleted before its create was settled: trash the page once Notion has made it.
            with self.engine.connect() as conn:
                state = store.outbox_states(conn, [push.outbox_id])[push.outbox_id]
            if state.state != "done" or state.page_id != page.page_id:
                return  # not made yet (or not yet given its real id): look again next time
        elif page.base is None or (push is not None and push.kind == PushKind.TRASH.value):
            self._consume(page)  # never in Notion (or already on its way to the trash)
            return
        outbox_id = self.outbox.trash_page(page.page_id)
        self.tally.trashes += 1
        self._consume(page, self._record(page.page_id, PushKind.TRASH, outbox_id, {}))

    def _create(self, page: _Page) -> None:
        if page.push is not None:
            return  # queued already; its row gets the real id once Notion has made the page
        assert page.local is not None
        props: dict[str, Any] = {}
        sent: dict[str, Any] = {}
        for prop_id, conf, value in self._writable(page.local):
            sent[prop_id] = value
            if any(v is not None for v in value.values()):
                props[prop_id] = codec.encode(conf, codec.from_columns(conf, value))
        self._refuse_read_only(page, revert=False)
        key = f"{KEY_PREFIX}{self.ds_id}:{page.page_id}"
        outbox_id = self.outbox.create_page(self.notion_id, props, key=key)
        self.tally.creates += 1
        entries = {p: {"v": v, "o": outbox_id} for p, v in sent.items()}
        self._consume(page, self._record(page.page_id, PushKind.CREATE, outbox_id, entries, key))

    def _update(self, page: _Page) -> None:
        assert page.local is not None
        assert page.base is not None
        with self.engine.connect() as conn:
            held = {p for (pid, p) in store.open_conflicts(conn, self.ds_id, [page.page_id])}
        props: dict[str, Any] = {}
        values: dict[str, Columns] = {}
        for prop_id, conf, value in self._writable(page.local):
            sent, _ = pushed_value(page.push, prop_id)
            was = base_of(page.base, prop_id, self.mirror.active[prop_id].names)
            if same(value, was) or (sent is not None and same(value, sent)):
                continue
            if prop_id in held:
                self.tally.held += 1
                continue
            props[prop_id] = codec.encode(conf, codec.from_columns(conf, value))
            values[prop_id] = value
        self._refuse_read_only(page, revert=True)
        if not props:
            self._consume(page)
            return
        outbox_id = self.outbox.update_page(page.page_id, props, data_source_id=self.notion_id)
        self.tally.updates += 1
        entries = dict(page.push.properties) if page.push else {}
        entries |= {p: {"v": v, "o": outbox_id} for p, v in values.items()}
        self._consume(page, self._record(page.page_id, PushKind.UPDATE, outbox_id, entries))

    def _writable(self, row: dict[str, Any]) -> list[tuple[str, dict[str, Any], Columns]]:
        out = []
        for prop_id, prop in self.mirror.active.items():
            conf = self.mirror.schema_by_id.get(prop_id)
            if conf is not None and codec.is_writable(conf["type"]):
                out.append((prop_id, conf, {s: row.get(c) for s, c in prop.names.items()}))
        return out

    def _refuse_read_only(self, page: _Page, *, revert: bool) -> None:
        """Record (and revert) local edits of properties Notion computes."""
        assert page.local is not None
        base = page.base or {}  # a local insert: compared with empty values
        restore: dict[str, Any] = {}
        for prop_id, prop in self.mirror.active.items():
            conf = self.mirror.schema_by_id.get(prop_id) or {}
            if codec.is_writable(str(conf.get("type"))):
                continue
            value = {s: page.local.get(c) for s, c in prop.names.items()}
            was = base_of(base, prop_id, prop.names)
            if same(value, was):
                continue
            message = read_only_message(prop.property_name, prop.property_type, reverted=revert)
            self._refuse(page.page_id, message, prop.property_name, prop_id, value)
            if revert:
                restore |= {c: (was or {}).get(s) for s, c in prop.names.items()}
        if restore:
            with self.engine.begin() as conn, ours(conn):
                store.write_columns(conn, self.mirror, page.page_id, restore)

    def _refuse(
        self,
        page_id: str,
        message: str,
        prop_name: str | None = None,
        prop_id: str | None = None,
        value: Any = None,
    ) -> None:
        self.tally.refused += 1
        self.tally.errors.append(f"{page_id}: {message}")
        log.warning("push refused for %s: %s", page_id, message, extra={"action": "push.refused"})
        with self.engine.begin() as conn:
            store.record_error(
                conn,
                self.ds_id,
                page_id,
                message,
                property_id=prop_id,
                property_name=prop_name,
                value=value,
            )

    def _record(
        self,
        page_id: str,
        kind: PushKind,
        outbox_id: int,
        properties: dict[str, Any],
        key: str | None = None,
    ) -> store.Push:
        return store.Push(
            page_id=page_id,
            kind=kind.value,
            outbox_id=outbox_id,
            idem_key=key,
            properties=properties,
            pushed_at=datetime.now(UTC),
        )


def push(engine: Engine, data_source_id: int, outbox: Outbox, *, full: bool = False) -> PushResult:
    """Queue one data source's local changes (our ``sb_data_sources`` id) in the outbox."""
    return Pusher(engine, data_source_id, outbox).run(full=full)


def open_outbox(engine: Engine) -> Outbox:
    """The outbox living in the same store as ``engine``."""
    return Outbox.open(engine.url.render_as_string(hide_password=False))


__all__ = ["ChangeOp", "PushResult", "Pusher", "open_outbox", "push"]
