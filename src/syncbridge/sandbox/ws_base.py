"""Workspace state, locking, lookups, users: the base every group of operations builds on.

One ``Workspace`` holds users, databases, data sources, pages, blocks and comments in dicts
(pages also per data source, in creation order) and answers with response-shape dicts. Stored
objects are never handed out for mutation: every answer is a fresh top-level dict whose nested
values may be shared with the store, so nothing is deep-copied per request.

Methods are thread-safe (one re-entrant lock): the HTTP app runs them on the event loop while
tests and the sample seeder may call them from other threads.
"""

from __future__ import annotations

import functools
import json
import threading
import uuid
from collections import OrderedDict
from collections.abc import Callable
from datetime import UTC
from typing import Any, ParamSpec, TypeVar
from urllib.parse import unquote

from syncbridge.sandbox import blocks, paging, versions
from syncbridge.sandbox import properties as props
from syncbridge.sandbox.clock import Clock, iso
from syncbridge.sandbox.errors import ObjectNotFound, ValidationError
from syncbridge.sandbox.ids import new_id, require_id

JSON = dict[str, Any]
EventSink = Callable[[str, JSON, JSON], None]
P = ParamSpec("P")
R = TypeVar("R")

QUERY_RESULT_LIMIT = 10_000
BOT_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "syncbridge-sandbox/bot"))
BOT_NAME = "syncbridge-sandbox"
OWNER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "syncbridge-sandbox/owner"))
WORKSPACE_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "syncbridge-sandbox/workspace"))
_ACTOR: JSON = {"object": "user", "id": BOT_ID}
QUERY_CACHE_SIZE = 8  # distinct (filter, sorts) results kept per workspace
TABLES = ("user", "database", "data_source", "page", "block", "comment", "children", "counter")


def locked(method: Callable[P, R]) -> Callable[P, R]:
    """Run a Workspace method under the workspace lock."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        with args[0].lock:  # type: ignore[attr-defined]
            return method(*args, **kwargs)

    return wrapper


def _user_out(user: JSON, version: str) -> JSON:
    # Recorded 2026-03-11 answers no longer carry person.email_verified; 2025-09-03 ones do.
    if version == versions.V2026 and "email_verified" in user.get("person", {}):
        person = {k: v for k, v in user["person"].items() if k != "email_verified"}
        return {**user, "person": person}
    return dict(user)


def not_found(kind: str, object_id: str) -> ObjectNotFound:
    """Notion's 404 for an object that is missing or not shared."""
    return ObjectNotFound(
        f"Could not find {kind} with ID: {object_id}. Make sure the relevant pages and databases "
        f'are shared with your integration "{BOT_NAME}".',
        additional_data={"integration_id": BOT_ID},
    )


def body_error(path: str, problem: str) -> ValidationError:
    """A validation error for ``path`` in the request body."""
    return ValidationError(f"body failed validation: {path} {problem}")


class WorkspaceBase:
    """All sandbox state; each public method takes an API request body and returns the answer.

    Args:
        clock: Source of time (frozen/advanced by ``/_sandbox/clock``).
        on_event: Called as ``on_event(event_type, entity, data)`` for webhook events.
    """

    def __init__(self, clock: Clock | None = None, *, on_event: EventSink | None = None) -> None:
        self.clock = clock or Clock()
        self.on_event = on_event
        self.lock = threading.RLock()
        self.revision = 0  # bumped by every change; keys the query cache
        self.dirty: set[tuple[str, str]] = set()  # (kind, id) changed since the last flush
        self._flush_hook: Callable[[WorkspaceBase], None] | None = None
        self.reset()

    # ---- lifecycle -------------------------------------------------------------------------

    @locked
    def reset(self) -> None:
        """Forget everything except the workspace owner and the integration's bot user."""
        self.users: dict[str, JSON] = {}
        self.databases: dict[str, JSON] = {}
        self.data_sources: dict[str, JSON] = {}
        self.rows: dict[str, dict[str, JSON]] = {}  # data source id -> page id -> page
        self.pages: dict[str, JSON] = {}
        self.blocks: dict[str, JSON] = {}
        self.children: dict[str, list[str]] = {}
        self.comments: dict[str, JSON] = {}
        self.counters: dict[str, int] = {}
        self._query_cache: OrderedDict[tuple[Any, ...], tuple[list[str], dict[str, int]]] = (
            OrderedDict()
        )
        # (page id, version) -> (the stored page object, its JSON); identity marks staleness
        self._page_json: dict[tuple[str, str], tuple[JSON, bytes]] = {}
        # A real workspace always has a human owner besides the integration's bot.
        self.users[OWNER_ID] = {
            "object": "user",
            "id": OWNER_ID,
            "name": "Sandbox Owner",
            "avatar_url": None,
            "type": "person",
            "person": {"email": "owner@sandbox.invalid", "email_verified": True},
        }
        self.users[BOT_ID] = self._bot()
        self.dirty = {("reset", "")}
        self._changed()

    def _bot(self) -> JSON:
        return {
            "object": "user",
            "id": BOT_ID,
            "name": BOT_NAME,
            "avatar_url": None,
            "type": "bot",
            "bot": {
                "owner": {"type": "workspace", "workspace": True},
                "workspace_name": "Sandbox",
                "workspace_id": WORKSPACE_ID,
                "workspace_limits": {"max_file_upload_size_in_bytes": 5242880},
            },
        }

    def flush(self) -> None:
        """Write changes to the persistence store, if one is attached."""
        if self._flush_hook is not None and self.dirty:
            with self.lock:
                self._flush_hook(self)

    def _changed(self, kind: str | None = None, object_id: str | None = None) -> None:
        self.revision += 1
        if kind is not None and object_id is not None:
            self.dirty.add((kind, object_id))

    def _emit(self, event_type: str, entity_id: str, entity_type: str, data: JSON) -> None:
        if self.on_event is not None:
            self.on_event(event_type, {"id": entity_id, "type": entity_type}, data)

    # ---- time and context ------------------------------------------------------------------

    def now_minute(self) -> str:
        """Now, rounded down to the minute, as pages and blocks carry it."""
        return iso(self.clock.now(), minute=True)

    def now_ms(self) -> str:
        """Now with milliseconds and ``+00:00``, as database containers carry it."""
        return self.clock.now().astimezone(UTC).isoformat(timespec="milliseconds")

    def _actor(self) -> JSON:
        # One shared object: stored values are never changed in place, and 100k pages
        # each holding their own copy would cost memory for nothing.
        return _ACTOR

    def _ctx(self, data_source_id: str) -> props.PropertyContext:
        ds = self.data_sources.get(data_source_id)
        return props.PropertyContext(
            now=self.now_minute(),
            user=self._actor(),
            get_page=self.pages.get,
            get_user=self.users.get,
            get_data_source=self.data_sources.get,
            next_unique_id=self._next_unique_id,
            data_source_id=data_source_id,
            database_id=ds["parent"]["database_id"] if ds else "",
            workspace_id=WORKSPACE_ID,
            get_database=self.databases.get,
            data_source_title=blocks.plain_text(ds["title"]) if ds else "",
        )

    def _next_unique_id(self, data_source_id: str, property_id: str) -> int:
        key = f"{data_source_id}/{property_id}"
        self.counters[key] = self.counters.get(key, 0) + 1
        self._changed("counter", key)
        return self.counters[key]

    # ---- users -----------------------------------------------------------------------------

    @locked
    def add_user(
        self,
        name: str,
        email: str | None = None,
        *,
        user_id: str | None = None,
        avatar_url: str | None = None,
    ) -> JSON:
        """Add a person to the workspace; returns the user object."""
        uid = user_id or new_id()
        user: JSON = {
            "object": "user",
            "id": uid,
            "name": name,
            "avatar_url": avatar_url,
            "type": "person",
            "person": {"email": email, "email_verified": True} if email else {},
        }
        self.users[uid] = user
        self._changed("user", uid)
        return dict(user)

    @locked
    def me(self) -> JSON:
        """The integration's bot user."""
        return dict(self.users[BOT_ID])

    @locked
    def retrieve_user(self, user_id: str, version: str = versions.DEFAULT) -> JSON:
        """One user by id."""
        uid = require_id(user_id, "path.user_id")
        user = self.users.get(uid)
        if user is None:
            raise ObjectNotFound(
                f"Could not find user with ID: {uid}. Make sure your integration has capabilities "
                "to read user information.",
                additional_data={"integration_id": BOT_ID},
            )
        return _user_out(user, version)

    @locked
    def list_users(
        self,
        start_cursor: str | None = None,
        page_size: Any = None,
        version: str = versions.DEFAULT,
    ) -> JSON:
        """All users, paginated."""
        # people first, then bots, as Notion lists them
        ids = sorted(self.users, key=lambda uid: self.users[uid]["type"] != "person")
        size = paging.page_size(page_size, where="query.page_size")
        start, end, nxt = paging.window(ids, start_cursor, size, where="query.start_cursor")
        return paging.envelope(
            [_user_out(self.users[i], version) for i in ids[start:end]], nxt, "user"
        )

    # ---- lookups ---------------------------------------------------------------------------

    def _page(self, page_id: Any, where: str = "path.page_id") -> JSON:
        pid = require_id(page_id, where)
        page = self.pages.get(pid)
        if page is None:
            raise not_found("page", pid)
        return page

    def _data_source(self, data_source_id: Any, where: str = "path.data_source_id") -> JSON:
        did = require_id(data_source_id, where)
        ds = self.data_sources.get(did)
        if ds is None:
            raise not_found("data_source", did)
        return ds

    def _database(self, database_id: Any, where: str = "path.database_id") -> JSON:
        did = require_id(database_id, where)
        db = self.databases.get(did)
        if db is None:
            raise not_found("database", did)
        return db

    def _parent_container(self, parent_id: str) -> JSON:
        """A page or block that may hold children."""
        if parent_id in self.pages:
            return self.pages[parent_id]
        if parent_id in self.blocks:
            return self.blocks[parent_id]
        raise not_found("block", parent_id)

    # ---- shared page/tree helpers ----------------------------------------------------------

    def page_json(self, page: JSON, version: str) -> bytes:
        """A stored page as response JSON for ``version``, serialized once per change."""
        key = (page["id"], version)
        cached = self._page_json.get(key)
        if cached is None or cached[0] is not page:
            data = json.dumps(
                self._page_out(page, version), ensure_ascii=False, separators=(",", ":")
            )
            cached = (page, data.encode())
            self._page_json[key] = cached
        return cached[1]

    def _store_page(self, page: JSON) -> None:
        self.pages[page["id"]] = page
        parent = page["parent"]
        if parent["type"] == "data_source_id":
            self.rows[parent["data_source_id"]][page["id"]] = page
        self._changed("page", page["id"])

    def _page_out(self, page: JSON, version: str, wanted: list[str] | None = None) -> JSON:
        out = dict(page)
        out["properties"] = props.response_properties(page["properties"])  # ≤ 25 relation refs
        if version == versions.V2026:
            out.pop("archived", None)
        elif version == versions.V2022 and page["parent"]["type"] == "data_source_id":
            out["parent"] = {"type": "database_id", "database_id": page["parent"]["database_id"]}
        if wanted:
            keep = set(wanted) | {unquote(w) for w in wanted}
            out["properties"] = {
                name: value
                for name, value in out["properties"].items()
                if name in keep or value["id"] in keep or unquote(value["id"]) in keep
            }
        return out

    def _attach_child(self, parent: JSON, child_id: str, *, after: str | None = None) -> None:
        key = parent.get("page_id") or parent.get("block_id")
        if not isinstance(key, str):
            return
        kids = self.children.setdefault(key, [])
        kids.insert(kids.index(after) + 1 if after in kids else len(kids), child_id)
        self._changed("children", key)

    def page_title(self, page: JSON) -> str:
        """Plain text of a page's title property."""
        for value in page["properties"].values():
            if value.get("type") == "title":
                return blocks.plain_text(value.get("title") or [])
        return ""

    def table(self, kind: str) -> dict[str, Any]:
        """The live table of one kind of document (see ``TABLES``)."""
        tables: dict[str, dict[str, Any]] = {
            "user": self.users,
            "database": self.databases,
            "data_source": self.data_sources,
            "page": self.pages,
            "block": self.blocks,
            "comment": self.comments,
            "children": self.children,
            "counter": self.counters,
        }
        return tables[kind]

    @locked
    def export_state(self) -> dict[str, dict[str, Any]]:
        """Every table by kind (live objects: copy before changing or keeping them)."""
        return {kind: self.table(kind) for kind in TABLES}

    @locked
    def import_state(self, state: dict[str, dict[str, Any]], *, dirty: bool) -> None:
        """Replace everything with ``state`` (as ``export_state`` gives); no events are sent.

        Args:
            state: Tables by kind; taken over, not copied.
            dirty: Mark everything for the next ``flush`` (False when it came from the store).
        """
        self.reset()
        for kind in TABLES:
            self.table(kind).update(state.get(kind, {}))
        for ds_id in self.data_sources:
            self.rows[ds_id] = {}
        for page in sorted(self.pages.values(), key=lambda p: p["created_time"]):
            if page["parent"]["type"] == "data_source_id":
                self.rows[page["parent"]["data_source_id"]][page["id"]] = page
        self.dirty = {("reset", "")} if dirty else set()
        self._changed()

    def set_flush_hook(self, hook: Callable[[WorkspaceBase], None]) -> None:
        """Have ``flush()`` call ``hook`` (the persistence store) with the workspace."""
        self._flush_hook = hook
