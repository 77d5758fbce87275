"""Page operations: create (under a data source or a page), retrieve, update, property items."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

from syncbridge.sandbox import blocks, paging, versions
from syncbridge.sandbox import properties as props
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.ids import compact, new_id, require_id
from syncbridge.sandbox.ws_base import JSON, body_error, locked, not_found
from syncbridge.sandbox.ws_blocks import BlockOps, archived_error, parse_children

_PAGE_KEYS = frozenset(
    {
        "parent",
        "properties",
        "children",
        "icon",
        "cover",
        "content",
        "in_trash",
        "archived",
        "is_locked",
        "template",
        "erase_content",
        "position",
    }
)
# A page under a page has exactly this schema.
PAGE_SCHEMA: JSON = {"title": {"id": "title", "name": "title", "type": "title", "title": {}}}


class PageOps(BlockOps):
    """Pages: rows of data sources and free-standing pages."""

    def _schema_for(self, page_parent: JSON) -> tuple[JSON, str]:
        if page_parent["type"] == "data_source_id":
            ds_id = page_parent["data_source_id"]
            return self.data_sources[ds_id]["properties"], ds_id
        return PAGE_SCHEMA, ""

    def _page_parent(self, raw: Any, version: str) -> JSON:
        if not isinstance(raw, dict):
            raise body_error("body.parent", "should be an object.")
        if "data_source_id" in raw:
            ds = self._data_source(raw["data_source_id"], "body.parent.data_source_id")
            return self._row_parent(ds)
        if "database_id" in raw:
            db = self._database(raw["database_id"], "body.parent.database_id")
            sources = db["data_sources"]
            if len(sources) != 1:
                raise ValidationError(
                    f"Database {db['id']} has {len(sources)} data sources; "
                    "create the page with parent.data_source_id."
                )
            return self._row_parent(self.data_sources[sources[0]["id"]])
        if "page_id" in raw:
            pid = require_id(raw["page_id"], "body.parent.page_id")
            parent_page = self.pages.get(pid)
            if parent_page is None:
                raise not_found("page", pid)
            if parent_page["in_trash"]:
                raise archived_error()
            return {"type": "page_id", "page_id": pid}
        if raw.get("workspace") is True:
            return {"type": "workspace", "workspace": True}
        raise body_error("body.parent", "should have one of data_source_id, database_id, page_id.")

    def _row_parent(self, ds: JSON) -> JSON:
        if ds["in_trash"]:
            raise archived_error()
        return {
            "type": "data_source_id",
            "data_source_id": ds["id"],
            "database_id": ds["parent"]["database_id"],
        }

    def _grow_options(self, ds_id: str, schema: JSON, values: JSON) -> JSON:
        """Keep select options a page write created by name (as Notion does)."""
        grown = props.schema_with_new_options(schema, values) if ds_id else None
        if grown is None:
            return schema
        self.data_sources[ds_id] = {**self.data_sources[ds_id], "properties": grown}
        self._changed("data_source", ds_id)
        return grown

    @locked
    def create_page(self, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``POST /v1/pages``."""
        unknown = sorted(set(body) - _PAGE_KEYS)
        if unknown:
            raise body_error(f"body.{unknown[0]}", "is not a known page parameter.")
        parent = self._page_parent(body.get("parent"), version)
        request_props = body.get("properties", {})
        if not isinstance(request_props, dict):
            raise body_error("body.properties", "should be an object.")
        schema, ds_id = self._schema_for(parent)
        ctx = self._ctx(ds_id)
        if not ds_id:
            request_props = _page_title_only(request_props)
        values = props.new_page_properties(schema, request_props, ctx=ctx)
        schema = self._grow_options(ds_id, schema, values)
        tree = (
            parse_children(body["children"], "body.children", depth=1, ctx=ctx)
            if body.get("children")
            else []
        )
        page_id, now, actor = new_id(), ctx.now, self._actor()
        page: JSON = {
            "object": "page",
            "id": page_id,
            "created_time": now,
            "last_edited_time": now,
            "created_by": actor,
            "last_edited_by": actor,
            "cover": blocks.icon_or_cover(body.get("cover"), "body.cover"),
            "icon": blocks.icon_or_cover(body.get("icon"), "body.icon"),
            "parent": parent,
            "in_trash": False,
            "is_archived": False,
            "is_locked": bool(body.get("is_locked", False)),
            "properties": values,
            "url": "",
            "public_url": None,
            "archived": False,
        }
        page["properties"] = props.recompute(schema, values, page=page, ctx=ctx)
        page["url"] = _url(self.page_title(page), page_id)
        self._store_page(page)
        self._sync_back_relations(None, page)
        self._attach_child(parent, page_id)
        if tree:
            self._insert(page_id, tree, None)
        self._emit("page.created", page_id, "page", {"parent": parent})
        return self._page_out(page, version)

    @locked
    def retrieve_page(
        self,
        page_id: str,
        version: str = versions.DEFAULT,
        *,
        filter_properties: list[str] | None = None,
    ) -> JSON:
        """``GET /v1/pages/{id}``."""
        return self._page_out(self._page(page_id), version, filter_properties)

    @locked
    def update_page(self, page_id: str, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``PATCH /v1/pages/{id}``: properties, icon, cover, lock, trash/restore."""
        page = self._page(page_id)
        unknown = sorted(set(body) - _PAGE_KEYS - {"parent", "children", "content"})
        if unknown:
            raise body_error(f"body.{unknown[0]}", "is not a known page parameter.")
        trash = versions.trash_flag(body, version)
        if page["in_trash"] and trash is not False:
            raise archived_error()
        schema, ds_id = self._schema_for(page["parent"])
        ctx = self._ctx(ds_id)
        new = dict(page)
        changed: list[str] = []
        if body.get("properties"):
            request_props = body["properties"]
            if not isinstance(request_props, dict):
                raise body_error("body.properties", "should be an object.")
            if not ds_id:
                request_props = _page_title_only(request_props)
            values = props.update_page_properties(
                schema, page["properties"], request_props, ctx=ctx
            )
            changed = [v["id"] for n, v in values.items() if page["properties"].get(n) != v]
            new["properties"] = values
        for key in ("icon", "cover"):
            if key in body:
                new[key] = blocks.icon_or_cover(body[key], f"body.{key}")
        if "is_locked" in body:
            new["is_locked"] = bool(body["is_locked"])
        if trash is not None:
            new["in_trash"] = new["archived"] = trash
        new["last_edited_time"], new["last_edited_by"] = ctx.now, self._actor()
        new["properties"] = props.recompute(schema, new["properties"], page=new, ctx=ctx)
        new["url"] = _url(self.page_title(new), page["id"])
        self._store_page(new)
        self._sync_back_relations(page, new)
        self._refresh_rollups(new)
        self._announce_page_change(page, new, changed)
        return self._page_out(new, version)

    def _announce_page_change(self, old: JSON, new: JSON, changed: list[str]) -> None:
        parent = {"parent": new["parent"]}
        if changed:
            self._emit(
                "page.properties_updated",
                new["id"],
                "page",
                {**parent, "updated_properties": changed},
            )
        if new["in_trash"] and not old["in_trash"]:
            self._emit("page.deleted", new["id"], "page", parent)
        elif old["in_trash"] and not new["in_trash"]:
            self._emit("page.undeleted", new["id"], "page", parent)

    def _trash_container(self, bid: str, view: JSON, trash: bool | None, version: str) -> JSON:
        key = "in_trash"
        if trash is None:
            raise ValidationError(
                f"Block {bid} is a {view['type']}; only in_trash can be changed here."
            )
        if bid in self.pages:
            self.update_page(bid, {key: trash}, versions.V2025)
        else:
            db = self.databases[bid]
            self.databases[bid] = {
                **db,
                "in_trash": trash,
                "archived": trash,
                "last_edited_time": self.now_ms(),
            }
            self._changed("database", bid)
        return versions.shape(self._block_view(bid) or {}, version)

    @locked
    def move_page(self, page_id: str, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``POST /v1/pages/{id}/move``: put a page under another page (or the workspace)."""
        page = self._page(page_id)
        raw = body.get("parent")
        if not isinstance(raw, dict) or not ("page_id" in raw or raw.get("workspace") is True):
            raise body_error("body.parent", "should be a page_id or workspace parent.")
        if page["parent"]["type"] == "data_source_id":
            raise ValidationError("A page in a data source cannot be moved under a page.")
        parent = self._page_parent(raw, version)
        target = parent.get("page_id")
        if target is not None and self._is_within(target, page["id"]):
            raise body_error("body.parent.page_id", "cannot be the page itself or one inside it.")
        old_key = page["parent"].get("page_id")
        if old_key in self.children and page["id"] in self.children[old_key]:
            self.children[old_key].remove(page["id"])
            self._changed("children", old_key)
        new = {**page, "parent": parent, "last_edited_time": self.now_minute()}
        self._store_page(new)
        self._attach_child(parent, page["id"])
        self._emit("page.moved", page["id"], "page", {"parent": parent})
        return self._page_out(new, version)

    def _is_within(self, object_id: str, ancestor: str) -> bool:
        """Whether ``object_id`` is ``ancestor`` or lies under it in the page tree."""
        for _ in range(10_000):
            if object_id == ancestor:
                return True
            obj = self.pages.get(object_id) or self.blocks.get(object_id)
            if obj is None:
                return False
            parent = obj["parent"]
            object_id = parent.get("page_id") or parent.get("block_id") or ""
        return False

    @locked
    def retrieve_page_property(
        self,
        page_id: str,
        property_id: str,
        start_cursor: str | None = None,
        page_size: Any = None,
        version: str = versions.DEFAULT,
    ) -> JSON:
        """``GET /v1/pages/{id}/properties/{property_id}``: one value, paginated for lists."""
        page = self._page(page_id)
        schema, _ = self._schema_for(page["parent"])
        wanted = {property_id, unquote(property_id)}
        for name, prop in schema.items():
            if prop["id"] in wanted or unquote(prop["id"]) in wanted or name in wanted:
                size = paging.page_size(page_size, where="query.page_size")
                value = page["properties"].get(name) or {"id": prop["id"], "type": prop["type"]}
                return props.property_item(prop, value, start_cursor=start_cursor, page_size=size)
        raise not_found("property", property_id)


def _page_title_only(request_props: JSON) -> JSON:
    """A page under a page has only a title; accept it under any key."""
    out = {}
    for key, value in request_props.items():
        is_title = (
            key == "title"
            or (isinstance(value, dict) and "title" in value)
            or isinstance(value, list)
        )
        if not is_title:
            raise body_error(
                f"body.properties.{key}",
                "is not a property that exists. A page whose parent is a page has only a title.",
            )
        out["title"] = value if isinstance(value, dict) else {"title": value}
    return out


def _url(title: str, page_id: str) -> str:
    slug = re.sub(r"[^A-Za-z0-9]+", "-", title).strip("-")
    return f"https://www.notion.so/{slug + '-' if slug else ''}{compact(page_id)}"
