"""Databases (containers), data sources (schemas + rows) and data source queries."""

from __future__ import annotations

import json
from typing import Any

from syncbridge.sandbox import blocks, paging, versions
from syncbridge.sandbox import properties as props
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.ids import compact, new_id, require_id
from syncbridge.sandbox.ws_base import (
    JSON,
    QUERY_CACHE_SIZE,
    QUERY_RESULT_LIMIT,
    body_error,
    locked,
    not_found,
)
from syncbridge.sandbox.ws_pages import PageOps

_QUERY_KEYS = frozenset(
    {
        "filter",
        "sorts",
        "start_cursor",
        "page_size",
        "in_trash",
        "archived",
        "result_type",
        "filter_properties",
    }
)


def title_of(rich: Any, where: str) -> list[JSON]:
    """A normalized title/description rich text (absent or null means empty)."""
    if rich is None:
        return []
    return props.normalize_rich_text(rich, path=where)


class DatabaseOps(PageOps):
    """Create, retrieve, update databases and data sources; query rows."""

    # ---- databases -------------------------------------------------------------------------

    @locked
    def create_database(self, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``POST /v1/databases``: a container plus its first data source."""
        parent = self._database_parent(body.get("parent"))
        if version == versions.V2022:
            schema_request = body.get("properties")
        else:
            if "properties" in body:
                raise body_error(
                    "body.properties",
                    f"is not accepted in Notion-Version {version}; "
                    "use body.initial_data_source.properties.",
                )
            initial = body.get("initial_data_source") or {}
            if not isinstance(initial, dict):
                raise body_error("body.initial_data_source", "should be an object.")
            schema_request = initial.get("properties")
        if schema_request is None:
            schema_request = {"Name": {"title": {}}}
        if not isinstance(schema_request, dict):
            raise body_error("body.properties", "should be an object.")
        title = title_of(body.get("title"), "body.title")
        db_id, now = new_id(), self.now_ms()
        db: JSON = {
            "object": "database",
            "id": db_id,
            "title": title,
            "description": title_of(body.get("description"), "body.description"),
            "parent": parent,
            "is_inline": bool(body.get("is_inline", False)),
            "in_trash": False,
            "is_locked": False,
            "created_time": now,
            "last_edited_time": now,
            "data_sources": [],
            "icon": blocks.icon_or_cover(body.get("icon"), "body.icon"),
            "cover": blocks.icon_or_cover(body.get("cover"), "body.cover"),
            "url": f"https://www.notion.so/{compact(db_id)}",
            "public_url": None,
            "archived": False,
        }
        self.databases[db_id] = db
        try:
            self._new_data_source(db, title, schema_request, icon=None)
        except BaseException:
            del self.databases[db_id]
            raise
        self._attach_child(parent, db_id)
        self._changed("database", db_id)
        self._emit("database.created", db_id, "database", {"parent": parent})
        return self._database_out(db, version)

    def _database_parent(self, raw: Any) -> JSON:
        if not isinstance(raw, dict):
            raise body_error("body.parent", "should be an object.")
        if raw.get("workspace") is True:
            return {"type": "workspace", "workspace": True}
        pid = require_id(raw.get("page_id"), "body.parent.page_id")
        if pid not in self.pages:
            raise not_found("page", pid)
        return {"type": "page_id", "page_id": pid}

    @locked
    def retrieve_database(self, database_id: str, version: str = versions.DEFAULT) -> JSON:
        """``GET /v1/databases/{id}``."""
        return self._database_out(self._database(database_id), version)

    def _database_out(self, db: JSON, version: str) -> JSON:
        out = dict(versions.shape(db, version))
        out["data_sources"] = [{"id": d["id"], "name": d["name"]} for d in db["data_sources"]]
        if version == versions.V2022:
            ds = self._only_data_source(db)
            del out["data_sources"]
            out["properties"] = ds["properties"]
        return out

    def _only_data_source(self, db: JSON) -> JSON:
        if len(db["data_sources"]) != 1:
            raise ValidationError(
                f"Database {db['id']} has {len(db['data_sources'])} data sources; "
                f"Notion-Version {versions.V2022} supports databases with exactly one. "
                f"Use Notion-Version {versions.V2025}."
            )
        return self.data_sources[db["data_sources"][0]["id"]]

    @locked
    def update_database(
        self, database_id: str, body: JSON, version: str = versions.DEFAULT
    ) -> JSON:
        """``PATCH /v1/databases/{id}``: title, description, icon, cover, is_inline, trash."""
        db = self._database(database_id)
        if "properties" in body and version != versions.V2022:
            raise body_error(
                "body.properties",
                f"is not accepted in Notion-Version {version}; "
                "update the schema with PATCH /v1/data_sources/{id}.",
            )
        changes = _container_changes(body, version)
        if "is_inline" in body:
            changes["is_inline"] = bool(body["is_inline"])
        if "properties" in body:
            self._update_schema(self._only_data_source(db), body["properties"])
        new = {**db, **changes, "last_edited_time": self.now_ms()}
        self.databases[db["id"]] = new
        self._changed("database", db["id"])
        return self._database_out(new, version)

    # ---- data sources ----------------------------------------------------------------------

    def _new_data_source(
        self, db: JSON, title: list[JSON], schema_request: JSON, *, icon: JSON | None
    ) -> JSON:
        ds_id, now = new_id(), self.now_minute()
        ds: JSON = {
            "object": "data_source",
            "id": ds_id,
            "cover": None,
            "icon": icon,
            "created_time": now,
            "created_by": self._actor(),
            "last_edited_by": self._actor(),
            "last_edited_time": now,
            "title": title,
            "description": [],
            "is_inline": db["is_inline"],
            "properties": {},
            "parent": {"type": "database_id", "database_id": db["id"]},
            "database_parent": db["parent"],
            "url": db["url"],
            "public_url": None,
            "in_trash": False,
            "archived": False,
        }
        self.data_sources[ds_id] = ds  # registered first: self-relations look it up
        try:
            ds["properties"] = props.create_schema(schema_request, ctx=self._ctx(ds_id))
        except BaseException:
            del self.data_sources[ds_id]
            raise
        self.rows[ds_id] = {}
        self._link_dual_relations(ds_id)
        db["data_sources"].append({"id": ds_id, "name": blocks.plain_text(title)})
        self._changed("data_source", ds_id)
        self._changed("database", db["id"])
        return self.data_sources[ds_id]

    @locked
    def create_data_source(self, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``POST /v1/data_sources``: another table in an existing database."""
        parent = body.get("parent")
        if not isinstance(parent, dict):
            raise body_error("body.parent", "should be an object.")
        db = self._database(parent.get("database_id"), "body.parent.database_id")
        schema_request = body.get("properties")
        if not isinstance(schema_request, dict):
            raise body_error("body.properties", "should be an object.")
        title = title_of(body.get("title"), "body.title")
        icon = blocks.icon_or_cover(body.get("icon"), "body.icon")
        ds = self._new_data_source(db, title, schema_request, icon=icon)
        self._emit("data_source.created", ds["id"], "data_source", {"parent": ds["parent"]})
        return self._data_source_out(ds, version)

    @locked
    def retrieve_data_source(self, data_source_id: str, version: str = versions.DEFAULT) -> JSON:
        """``GET /v1/data_sources/{id}``."""
        return self._data_source_out(self._data_source(data_source_id), version)

    def _data_source_out(self, ds: JSON, version: str) -> JSON:
        return dict(versions.shape(ds, version))

    @locked
    def update_data_source(
        self, data_source_id: str, body: JSON, version: str = versions.DEFAULT
    ) -> JSON:
        """``PATCH /v1/data_sources/{id}``: title, icon, trash, and schema changes."""
        ds = self._data_source(data_source_id)
        changes = _container_changes(body, version)
        changes.pop("cover", None)
        if "properties" in body:
            ds = self._update_schema(ds, body["properties"])
        new = {**ds, **changes, "last_edited_time": self.now_minute()}
        self.data_sources[ds["id"]] = new
        if "title" in changes:
            self._rename_in_database(new)
        self._changed("data_source", ds["id"])
        return self._data_source_out(new, version)

    def _rename_in_database(self, ds: JSON) -> None:
        db = self.databases[ds["parent"]["database_id"]]
        db["data_sources"] = [
            {
                "id": d["id"],
                "name": blocks.plain_text(ds["title"]) if d["id"] == ds["id"] else d["name"],
            }
            for d in db["data_sources"]
        ]
        self._changed("database", db["id"])

    def _update_schema(self, ds: JSON, request_properties: Any) -> JSON:
        if not isinstance(request_properties, dict):
            raise body_error("body.properties", "should be an object.")
        ctx = self._ctx(ds["id"])
        old = ds["properties"]
        schema = props.update_schema(old, request_properties, ctx=ctx)
        changes = _schema_changes(old, schema)
        new = {**ds, "properties": schema, "last_edited_time": self.now_minute()}
        self.data_sources[ds["id"]] = new
        self._changed("data_source", ds["id"])
        if changes:
            self._migrate_rows(ds["id"])
            self._link_dual_relations(ds["id"], old)
            new = self.data_sources[ds["id"]]
            self._emit(
                "data_source.schema_updated",
                ds["id"],
                "data_source",
                {"parent": new["parent"], "updated_properties": changes},
            )
        return new

    # ---- queries ---------------------------------------------------------------------------

    @locked
    def query(
        self,
        data_source_id: str,
        body: JSON,
        version: str = versions.DEFAULT,
        *,
        filter_properties: list[str] | None = None,
    ) -> JSON:
        """``POST /v1/data_sources/{id}/query``: filter, sort, paginate (≤ 10,000 rows)."""
        pages, envelope, wanted = self._query_page(data_source_id, body, version, filter_properties)
        envelope["results"] = [self._page_out(p, version, wanted) for p in pages]
        return envelope

    @locked
    def query_json(
        self,
        data_source_id: str,
        body: JSON,
        version: str = versions.DEFAULT,
        *,
        filter_properties: list[str] | None = None,
        request_id: str = "",
    ) -> bytes:
        """``query`` answered as JSON bytes, with ``request_id``; pages come from a cache."""
        pages, envelope, wanted = self._query_page(data_source_id, body, version, filter_properties)
        envelope["request_id"] = request_id
        if wanted:
            envelope["results"] = [self._page_out(p, version, wanted) for p in pages]
            return json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        head = json.dumps(envelope, ensure_ascii=False, separators=(",", ":")).encode()
        items = b",".join(self.page_json(p, version) for p in pages)
        return head.replace(b'"results":[]', b'"results":[' + items + b"]", 1)

    def _query_page(
        self, data_source_id: str, body: JSON, version: str, filter_properties: list[str] | None
    ) -> tuple[list[JSON], JSON, list[str] | None]:
        """The rows of one answer, its envelope (results empty) and the properties wanted."""
        ds = self._data_source(data_source_id)
        unknown = sorted(set(body) - _QUERY_KEYS)
        if unknown:
            raise body_error(f"body.{unknown[0]}", "is not a known query parameter.")
        size = paging.page_size(body.get("page_size"), where="body.page_size")
        trash = bool(versions.trash_flag(body, version))
        ids, index = self._query_ids(ds, body.get("filter"), body.get("sorts"), trash)
        start, end, nxt = paging.window(
            ids,
            body.get("start_cursor"),
            size,
            where="body.start_cursor",
            index=index,
            limit=QUERY_RESULT_LIMIT,
        )
        wanted = filter_properties or body.get("filter_properties")
        if wanted is not None and not isinstance(wanted, list):
            raise body_error("body.filter_properties", "should be an array of property ids.")
        rows = self.rows[ds["id"]]
        extra: JSON = {}
        if end == QUERY_RESULT_LIMIT and len(ids) > QUERY_RESULT_LIMIT:
            extra["request_status"] = {
                "type": "incomplete",
                "incomplete_reason": "query_result_limit_reached",
            }
        envelope = paging.envelope([], nxt, "page_or_data_source", **extra)
        return [rows[i] for i in ids[start:end]], envelope, wanted

    def _query_ids(
        self, ds: JSON, filter_: Any, sorts: Any, trash: bool
    ) -> tuple[list[str], dict[str, int]]:
        if filter_ is not None and not isinstance(filter_, dict):
            raise body_error("body.filter", "should be an object.")
        if sorts is not None and not isinstance(sorts, list):
            raise body_error("body.sorts", "should be an array.")
        key = (
            ds["id"],
            json.dumps(filter_, sort_keys=True),
            json.dumps(sorts, sort_keys=True),
            trash,
            self.revision,
            self.now_minute(),  # relative date filters (past_week …) move with time
        )
        cached = self._query_cache.get(key)
        if cached is not None:
            self._query_cache.move_to_end(key)
            return cached
        pages = [p for p in self.rows[ds["id"]].values() if p["in_trash"] is trash]
        ctx = self._ctx(ds["id"])
        pages = props.filter_pages(pages, filter_, ds["properties"], ctx=ctx)
        pages = props.sort_pages(pages, sorts, ds["properties"])
        ids = [p["id"] for p in pages]
        entry = (ids, {pid: n for n, pid in enumerate(ids)})
        self._query_cache[key] = entry
        while len(self._query_cache) > QUERY_CACHE_SIZE:
            self._query_cache.popitem(last=False)
        return entry

    @locked
    def query_database(self, database_id: str, body: JSON, version: str = versions.V2022) -> JSON:
        """``POST /v1/databases/{id}/query`` (2022-06-28): the database's only data source."""
        ds = self._only_data_source(self._database(database_id))
        return self.query(ds["id"], body, version)


def _container_changes(body: JSON, version: str) -> JSON:
    """Validated title, description, icon, cover and trash changes of a PATCH body."""
    out: JSON = {}
    for key in ("title", "description"):
        if key in body:
            out[key] = title_of(body[key], f"body.{key}")
    for key in ("icon", "cover"):
        if key in body:
            out[key] = blocks.icon_or_cover(body[key], f"body.{key}")
    trash = versions.trash_flag(body, version)
    if trash is not None:
        out["in_trash"] = out["archived"] = trash
    return out


def _schema_changes(old: JSON, new: JSON) -> list[JSON]:
    """``updated_properties`` of a data_source.schema_updated event."""
    before = {p["id"]: p for p in old.values()}
    after = {p["id"]: p for p in new.values()}
    out = []
    for pid, prop in after.items():
        if pid not in before:
            out.append({"id": pid, "name": prop["name"], "action": "created"})
        elif before[pid] != prop:
            out.append({"id": pid, "name": prop["name"], "action": "updated"})
    out += [
        {"id": pid, "name": prop["name"], "action": "deleted"}
        for pid, prop in before.items()
        if pid not in after
    ]
    return out
