"""The sandbox workspace: all state and every API operation (see ``WorkspaceBase``).

Operations are grouped by resource in ``ws_blocks`` → ``ws_pages`` → ``ws_databases``; this
module adds search and comments and is the one public entry point.
"""

from __future__ import annotations

from typing import Any

from syncbridge.sandbox import blocks, paging, versions
from syncbridge.sandbox import properties as props
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.ids import new_id, require_id
from syncbridge.sandbox.ws_base import (
    BOT_ID,
    BOT_NAME,
    JSON,
    QUERY_RESULT_LIMIT,
    EventSink,
    body_error,
    locked,
    not_found,
)
from syncbridge.sandbox.ws_databases import DatabaseOps

__all__ = ["BOT_ID", "BOT_NAME", "QUERY_RESULT_LIMIT", "EventSink", "Workspace"]

_SEARCH_KEYS = frozenset({"query", "filter", "sort", "start_cursor", "page_size"})


class Workspace(DatabaseOps):
    """All sandbox state and operations; methods take request bodies and return answers."""

    # ---- search ----------------------------------------------------------------------------

    @locked
    def search(self, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``POST /v1/search``: titles containing ``query``; pages and data sources."""
        unknown = sorted(set(body) - _SEARCH_KEYS)
        if unknown:
            raise body_error(f"body.{unknown[0]}", "is not a known search parameter.")
        text = body.get("query") or ""
        if not isinstance(text, str):
            raise body_error("body.query", "should be a string.")
        kinds = self._search_kinds(body.get("filter"), version)
        descending = self._search_descending(body.get("sort"))
        needle = text.lower()
        found = [o for o in self._searchable(kinds) if needle in _title(self, o).lower()]
        found.sort(key=lambda o: (o["last_edited_time"], o["id"]), reverse=descending)
        ids = [o["id"] for o in found]
        size = paging.page_size(body.get("page_size"), where="body.page_size")
        start, end, nxt = paging.window(
            ids, body.get("start_cursor"), size, where="body.start_cursor"
        )
        results = [self._search_out(o, version) for o in found[start:end]]
        kind = "page_or_database" if version == versions.V2022 else "page_or_data_source"
        return paging.envelope(results, nxt, kind)

    def _search_kinds(self, filter_: Any, version: str) -> set[str]:
        table = "database" if version == versions.V2022 else "data_source"
        if filter_ is None:
            return {"page", table}
        if not isinstance(filter_, dict) or filter_.get("property") != "object":
            raise body_error("body.filter.property", 'should be `"object"`.')
        value = filter_.get("value")
        if value not in ("page", table):
            raise body_error(
                "body.filter.value", f'should be `"page"` or `"{table}"`, instead was `{value!r}`.'
            )
        return {str(value)}

    @staticmethod
    def _search_descending(sort: Any) -> bool:
        if sort is None:
            return True
        if not isinstance(sort, dict) or sort.get("timestamp") != "last_edited_time":
            raise body_error("body.sort.timestamp", 'should be `"last_edited_time"`.')
        direction = sort.get("direction", "descending")
        if direction not in ("ascending", "descending"):
            raise body_error("body.sort.direction", 'should be `"ascending"` or `"descending"`.')
        return bool(direction == "descending")

    def _searchable(self, kinds: set[str]) -> list[JSON]:
        out: list[JSON] = []
        if "page" in kinds:
            out += [p for p in self.pages.values() if not p["in_trash"]]
        if "data_source" in kinds:
            out += [d for d in self.data_sources.values() if not d["in_trash"]]
        if "database" in kinds:
            out += [
                db
                for db in self.databases.values()
                if not db["in_trash"] and len(db["data_sources"]) == 1
            ]
        return out

    def _search_out(self, obj: JSON, version: str) -> JSON:
        if obj["object"] == "page":
            return self._page_out(obj, version)
        if obj["object"] == "data_source":
            return self._data_source_out(obj, version)
        return self._database_out(obj, version)

    # ---- comments --------------------------------------------------------------------------

    @locked
    def create_comment(self, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``POST /v1/comments``: on a page (new discussion) or in a discussion."""
        rich = props.normalize_rich_text(
            body.get("rich_text"), path="body.rich_text", ctx=self._ctx("")
        )
        if not rich:
            raise body_error("body.rich_text", "should not be empty.")
        if "discussion_id" in body:
            discussion = require_id(body["discussion_id"], "body.discussion_id")
            first = next(
                (c for c in self.comments.values() if c["discussion_id"] == discussion), None
            )
            if first is None:
                raise not_found("discussion", discussion)
            parent = first["parent"]
        else:
            raw = body.get("parent")
            if not isinstance(raw, dict):
                raise body_error("body.parent", "should be an object (or give body.discussion_id).")
            key = "page_id" if "page_id" in raw else "block_id"
            target = require_id(raw.get(key), f"body.parent.{key}")
            if self._block_view(target) is None:
                raise not_found("page" if key == "page_id" else "block", target)
            parent, discussion = {"type": key, key: target}, new_id()
        comment_id, now = new_id(), self.now_minute()
        comment: JSON = {
            "object": "comment",
            "id": comment_id,
            "parent": parent,
            "discussion_id": discussion,
            "created_time": now,
            "last_edited_time": now,
            "created_by": self._actor(),
            "rich_text": rich,
            "display_name": {"type": "integration", "resolved_name": BOT_NAME},
        }
        self.comments[comment_id] = comment
        self._changed("comment", comment_id)
        self._emit("comment.created", comment_id, "comment", {"page_id": parent.get("page_id")})
        return dict(comment)

    @locked
    def retrieve_comment(self, comment_id: str) -> JSON:
        """``GET /v1/comments/{id}``."""
        cid = require_id(comment_id, "path.comment_id")
        comment = self.comments.get(cid)
        if comment is None:
            raise not_found("comment", cid)
        return dict(comment)

    @locked
    def list_templates(self, data_source_id: str) -> JSON:
        """``GET /v1/data_sources/{id}/templates``: the sandbox has no page templates."""
        self._data_source(data_source_id)
        return {"templates": [], "has_more": False, "next_cursor": None}

    @locked
    def list_comments(
        self, block_id: Any, start_cursor: str | None = None, page_size: Any = None
    ) -> JSON:
        """``GET /v1/comments?block_id=…``: comments on a page or block, oldest first."""
        if block_id is None:
            raise ValidationError("query failed validation: query.block_id should be defined.")
        target = require_id(block_id, "query.block_id")
        if self._block_view(target) is None:
            raise not_found("block", target)
        found = [
            c
            for c in self.comments.values()
            if c["parent"].get("page_id") == target or c["parent"].get("block_id") == target
        ]
        ids = [c["id"] for c in found]
        size = paging.page_size(page_size, where="query.page_size")
        start, end, nxt = paging.window(ids, start_cursor, size, where="query.start_cursor")
        return paging.envelope(found[start:end], nxt, "comment")


def _title(ws: Workspace, obj: JSON) -> str:
    if obj["object"] == "page":
        return ws.page_title(obj)
    return blocks.plain_text(obj.get("title") or [])
