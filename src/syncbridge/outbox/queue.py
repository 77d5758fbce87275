"""``Outbox``: the durable write queue's public face. Every call is synchronous and durable.

Usage::

    from syncbridge import Outbox

    outbox = Outbox.open()                      # settings' store_url
    outbox.update_page(page_id, {"Status": "Filled", "Qty": 3})
    outbox.create_page(ds_id, {"Name": "Order 42"}, key="order-42")
    outbox.append_blocks("key:order-42", [paragraph("filled at 101.5")])
    outbox.trash_page(page_id)

A call returns once its row is committed (microseconds on SQLite). ``syncbridge worker`` (or
``OutboxWorker``) delivers the rows to Notion. See docs/outbox.md for order, coalescing,
durability and the backlog bound.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Literal

from syncbridge.outbox import payload as pl
from syncbridge.outbox.db import OutboxDB, Row
from syncbridge.outbox.errors import OutboxFullError, OutboxInputError
from syncbridge.outbox.urls import StoreURL, parse_store_url

__all__ = ["Outbox", "OutboxFullError", "Row"]

WhenFull = Literal["raise", "block"]
_BLOCK_POLL = 0.05


class Outbox:
    """A durable queue of Notion writes in the store; safe to share between threads.

    Args:
        db: the store's outbox tables.
        max_pending: backlog bound; past it a write raises or blocks, never drops.
        when_full: ``"raise"`` (OutboxFullError) or ``"block"`` (wait until the worker drains).
        clock: wall clock for row times (injected in tests).
        sleep: how ``"block"`` waits.
        refresh_interval: seconds between exact recounts of the backlog; in between the
            count is this process's estimate (so another process may overshoot the bound by
            what it queues in one interval).
    """

    def __init__(
        self,
        db: OutboxDB,
        *,
        max_pending: int = 1_000_000,
        when_full: WhenFull = "raise",
        clock: Callable[[], float] = time.time,
        sleep: Callable[[float], None] = time.sleep,
        refresh_interval: float = 1.0,
    ) -> None:
        if when_full not in ("raise", "block"):
            raise OutboxInputError(f"when_full: expected 'raise' or 'block', got {when_full!r}")
        self.db = db
        self.max_pending = max_pending
        self.when_full = when_full
        self._clock = clock
        self._sleep = sleep
        self._refresh_interval = refresh_interval
        self._estimate = 0
        self._refreshed = float("-inf")

    @classmethod
    def open(
        cls,
        store_url: str | None = None,
        *,
        max_pending: int | None = None,
        when_full: WhenFull | None = None,
        fsync: bool = False,
        create_tables: bool = True,
        **kwargs: Any,
    ) -> Outbox:
        """Open the outbox of a store (default: the settings' ``store_url``).

        Args:
            store_url: ``sqlite:///FILE``, ``postgresql://…`` or ``mysql://…``.
            max_pending: default settings' ``outbox_max_pending``.
            when_full: default settings' ``outbox_when_full``.
            fsync: wait for the store's disk flush on every write (survives power loss and OS
                crashes; costs a disk flush, ~ms). The default survives a crash of this
                process: SQLite ``synchronous=NORMAL``, PostgreSQL ``synchronous_commit=off``.
                MySQL follows the server's ``innodb_flush_log_at_trx_commit``.
            create_tables: bring the store's schema up to date when the outbox table is missing.
            **kwargs: passed to the constructor (``clock``, ``sleep``, ``refresh_interval``).
        """
        if store_url is None or max_pending is None or when_full is None:
            from syncbridge.settings import load_settings

            settings = load_settings()
            store_url = store_url or settings.store_url
            max_pending = max_pending or settings.outbox_max_pending
            when_full = when_full or settings.outbox_when_full
        url = parse_store_url(store_url)
        db = OutboxDB(url, fsync=fsync)
        if create_tables and not db.table_exists():
            _create_tables(url)
        return cls(db, max_pending=max_pending, when_full=when_full, **kwargs)

    # -- writes ------------------------------------------------------------------------------

    def update_page(
        self,
        page_id: str,
        properties: Mapping[str, Any],
        *,
        data_source_id: str | None = None,
    ) -> int:
        """Queue a property update; merges into the page's pending update when that is last.

        Args:
            page_id: the page's id, or ``"key:K"`` for the page ``create_page(..., key=K)`` makes.
            properties: name (or property id) -> plain value or Notion property JSON.
            data_source_id: the page's data source, if known (saves the worker a lookup when
                values need the schema).

        Returns:
            The row id (the same id when the update merged into a pending one).
        """
        key = pl.page_key(page_id)
        ds = _optional_id(data_source_id, "data_source_id")
        stored = pl.dumps(pl.wrap(pl.properties_arg(properties)), where="properties")
        self._admit()
        with self.db.translated("enqueue"):
            return self.db.insert_update(key, ds, stored, self._clock())

    def create_page(
        self,
        data_source_id: str,
        properties: Mapping[str, Any],
        *,
        key: str,
        children: Sequence[Mapping[str, Any]] | None = None,
    ) -> int:
        """Queue the creation of a page in a data source, at most once per ``key``.

        Args:
            data_source_id: the data source the page goes in.
            properties: name (or property id) -> plain value or Notion property JSON.
            key: idempotency key; queueing the same key again returns the first row's id, and
                the worker never makes two pages for one key. Later writes can address the new
                page as ``"key:" + key``.
            children: up to 100 blocks for the page body.
        """
        ds = _optional_id(data_source_id, "data_source_id")
        pl.idem_key(key)
        body: dict[str, Any] = {"properties": dict(pl.properties_arg(properties))}
        if children is not None:
            body["children"] = pl.blocks_arg(children, where="children")
            if len(body["children"]) > pl.MAX_CHILDREN:
                raise OutboxInputError(
                    f"children: at most {pl.MAX_CHILDREN} blocks on create; "
                    "queue the rest with append_blocks('key:…', …)"
                )
        stored = pl.dumps(body, where="properties")
        self._admit()
        with self.db.translated("enqueue"):
            return self.db.insert_write(
                "create", pl.KEY_PREFIX + key, ds, key, stored, self._clock()
            )

    def append_blocks(self, page_id: str, blocks: Sequence[Mapping[str, Any]]) -> int:
        """Queue block children for the end of a page (split into rows of ≤ 100 blocks).

        Returns:
            The id of the last row queued.
        """
        key = pl.page_key(page_id)
        items = pl.blocks_arg(blocks)
        row_id = 0
        for start in range(0, len(items), pl.MAX_CHILDREN):
            chunk = items[start : start + pl.MAX_CHILDREN]
            stored = pl.dumps({"children": chunk}, where="blocks")
            self._admit()
            with self.db.translated("enqueue"):
                row_id = self.db.insert_write("append", key, None, None, stored, self._clock())
        return row_id

    def trash_page(self, page_id: str) -> int:
        """Queue moving a page to the trash (after everything queued for it before)."""
        key = pl.page_key(page_id)
        self._admit()
        with self.db.translated("enqueue"):
            return self.db.insert_write("trash", key, None, None, "{}", self._clock())

    # -- backlog bound -----------------------------------------------------------------------

    def _admit(self) -> None:
        estimate = self._estimate + 1
        if estimate <= self.max_pending and (
            time.monotonic() - self._refreshed < self._refresh_interval
        ):
            self._estimate = estimate
            return
        self._refresh()
        while self._estimate + 1 > self.max_pending:
            if self.when_full == "raise":
                raise OutboxFullError(
                    f"outbox full: {self._estimate} writes wait to be sent "
                    f"(outbox_max_pending={self.max_pending}); run `syncbridge worker` or raise "
                    "the bound; nothing was queued"
                )
            self._sleep(_BLOCK_POLL)
            self._refresh()
        self._estimate += 1

    def _refresh(self) -> None:
        self._estimate = self.db.count_active()
        self._refreshed = time.monotonic()

    # -- inspection and repair ---------------------------------------------------------------

    def pending_count(self) -> int:
        """Writes waiting to be sent (exact count)."""
        return self.db.count_active()

    def entries(self, *, dead: bool = False, limit: int = 1000) -> list[Row]:
        """Queued writes (or with ``dead``, the dead letters), oldest first."""
        states = ("dead",) if dead else ("pending", "sending")
        return self.db.rows(states, limit=limit)

    def retry(self, ids: Sequence[int] | None = None) -> int:
        """Queue dead letters again (all when ``ids`` is None); returns how many."""
        return self.db.retry(ids, now=self._clock())

    def set_key_property(self, data_source_id: str, property_name: str | None) -> Outbox:
        """Name the rich_text property that carries each create's idempotency key.

        With it, the worker finds a create whose answer was lost with one filtered query.
        """
        ds = _optional_id(data_source_id, "data_source_id")
        assert ds is not None
        self.db.set_key_property(ds, property_name)
        return self

    def close(self) -> None:
        """Close this thread's store connection."""
        self.db.close()

    def __enter__(self) -> Outbox:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _optional_id(value: str | None, where: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or value.startswith(pl.KEY_PREFIX):
        raise OutboxInputError(f"{where}: expected a Notion id, got {value!r}")
    return pl.page_key(value, where=where)


def _create_tables(url: StoreURL) -> None:
    """Bring the store's schema to head (Alembic, ``syncbridge.store.migrate``)."""
    from syncbridge.store.migrate import migrate

    migrate(url.url)
