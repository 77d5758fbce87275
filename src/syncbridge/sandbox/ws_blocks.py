"""Block operations: retrieve, update, delete, list children, append children."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from syncbridge.sandbox import blocks, paging, versions
from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.ids import new_id, require_id
from syncbridge.sandbox.props_context import PropertyContext
from syncbridge.sandbox.ws_base import JSON, body_error, locked, not_found
from syncbridge.sandbox.ws_relations import RelationOps


@dataclass
class _NewBlock:
    kind: str
    content: JSON
    children: list[_NewBlock] = field(default_factory=list)


def archived_error() -> ValidationError:
    """Notion's answer to editing something in the trash."""
    return ValidationError(
        "Can't edit block that is archived. You must unarchive the block before editing."
    )


class BlockOps(RelationOps):
    """The block tree: pages and databases appear in it as child_page / child_database."""

    def _block_view(self, object_id: str) -> JSON | None:
        """Response-shape block for a block, page or database id (without request_id)."""
        if object_id in self.blocks:
            out = dict(self.blocks[object_id])
        elif object_id in self.pages:
            out = self._container_block(self.pages[object_id], "child_page")
        elif object_id in self.databases:
            out = self._container_block(self.databases[object_id], "child_database")
        else:
            return None
        out["has_children"] = self._has_children(object_id)
        return out

    def _container_block(self, obj: JSON, kind: str) -> JSON:
        if kind == "child_page":
            title, created, edited = (
                self.page_title(obj),
                obj["created_time"],
                obj["last_edited_time"],
            )
        else:
            title = blocks.plain_text(obj["title"])
            created = obj["created_time"][:16] + ":00.000Z"
            edited = obj["last_edited_time"][:16] + ":00.000Z"
        return {
            "object": "block",
            "id": obj["id"],
            "parent": obj["parent"],
            "created_time": created,
            "last_edited_time": edited,
            "created_by": obj.get("created_by", self._actor()),
            "last_edited_by": obj.get("last_edited_by", self._actor()),
            "has_children": False,
            "in_trash": obj["in_trash"],
            "type": kind,
            kind: {"title": title},
            "archived": obj["in_trash"],
        }

    def _has_children(self, object_id: str) -> bool:
        return any(not self._trashed(c) for c in self.children.get(object_id, ()))

    def _trashed(self, object_id: str) -> bool:
        obj = (
            self.blocks.get(object_id) or self.pages.get(object_id) or self.databases.get(object_id)
        )
        return obj is None or bool(obj["in_trash"])

    def _require_block(self, block_id: str) -> tuple[str, JSON]:
        bid = require_id(block_id, "path.block_id")
        view = self._block_view(bid)
        if view is None:
            raise not_found("block", bid)
        return bid, view

    @locked
    def retrieve_block(self, block_id: str, version: str = versions.DEFAULT) -> JSON:
        """``GET /v1/blocks/{id}``."""
        return versions.shape(self._require_block(block_id)[1], version)

    @locked
    def list_children(
        self,
        block_id: str,
        start_cursor: str | None = None,
        page_size: Any = None,
        version: str = versions.DEFAULT,
    ) -> JSON:
        """``GET /v1/blocks/{id}/children``: live children in order; cursor = next block's id."""
        bid, view = self._require_block(block_id)
        if view["type"] == "child_database":
            raise ValidationError(f"Block {bid} is a database; list its rows with a query.")
        size = paging.page_size(page_size, where="query.page_size")
        ids = [c for c in self.children.get(bid, ()) if not self._trashed(c)]
        start, end, nxt = paging.window(ids, start_cursor, size, where="query.start_cursor")
        results = [versions.shape(self._block_view(i) or {}, version) for i in ids[start:end]]
        return paging.envelope(results, nxt, "block")

    @locked
    def append_children(self, block_id: str, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``PATCH /v1/blocks/{id}/children``: ≤ 100 blocks, ≤ 2 levels, at a position."""
        bid, view = self._require_block(block_id)
        if view["in_trash"]:
            raise archived_error()
        if view["type"] == "child_database":
            raise ValidationError(f"Block {bid} is a database and cannot hold blocks.")
        after = self._insert_after(bid, body, version)
        tree = parse_children(body.get("children"), "body.children", depth=1, ctx=self._ctx(""))
        created = self._insert(bid, tree, after)
        self._touch_page(bid, created)
        return paging.envelope(
            [versions.shape(self._block_view(i) or {}, version) for i in created], None, "block"
        )

    def _insert_after(self, parent_id: str, body: JSON, version: str) -> str | None:
        """The block to insert after (None = at the end; "" = at the start)."""
        if version == versions.V2026:
            if "after" in body:
                raise body_error(
                    "body.after",
                    f"is not supported in Notion-Version {version}; use body.position.",
                )
            pos = body.get("position")
            if pos is None:
                return None
            if not isinstance(pos, dict) or pos.get("type") not in ("after_block", "start", "end"):
                raise body_error("body.position.type", "should be one of after_block, start, end.")
            if pos["type"] == "end":
                return None
            if pos["type"] == "start":
                return ""
            ref = pos.get("after_block")
            target = ref.get("id") if isinstance(ref, dict) else None
            where = "body.position.after_block.id"
        else:
            if "position" in body:
                raise body_error(
                    "body.position",
                    f"is not supported in Notion-Version {version}; use body.after.",
                )
            target, where = body.get("after"), "body.after"
            if target is None:
                return None
        tid = require_id(target, where)
        if tid not in self.children.get(parent_id, ()):
            raise body_error(where, f"should be a child of block {parent_id}, instead was `{tid}`.")
        return tid

    def _insert(self, parent_id: str, tree: list[_NewBlock], after: str | None) -> list[str]:
        parent_kind = "page_id" if parent_id in self.pages else "block_id"
        now, actor = self.now_minute(), self._actor()
        kids = self.children.setdefault(parent_id, [])
        at = len(kids) if after is None else (0 if after == "" else kids.index(after) + 1)
        created = []
        for node in tree:
            bid = new_id()
            self.blocks[bid] = {
                "object": "block",
                "id": bid,
                "parent": {"type": parent_kind, parent_kind: parent_id},
                "created_time": now,
                "last_edited_time": now,
                "created_by": actor,
                "last_edited_by": actor,
                "has_children": False,
                "in_trash": False,
                "type": node.kind,
                node.kind: node.content,
                "archived": False,
            }
            self._changed("block", bid)
            kids.insert(at, bid)
            at += 1
            created.append(bid)
            if node.children:
                self._insert(bid, node.children, None)
        self._changed("children", parent_id)
        return created

    def _root_page(self, object_id: str) -> str | None:
        seen = 0
        while object_id in self.blocks and seen < 1000:
            parent = self.blocks[object_id]["parent"]
            object_id = parent.get("block_id") or parent.get("page_id") or ""
            seen += 1
        return object_id if object_id in self.pages else None

    def _touch_page(self, block_id: str, updated: list[str]) -> None:
        """Bump the owning page's last_edited_time and announce page.content_updated."""
        page_id = self._root_page(block_id)
        if page_id is None:
            return
        page = self.pages[page_id]
        self._store_page(
            {**page, "last_edited_time": self.now_minute(), "last_edited_by": self._actor()}
        )
        self._emit(
            "page.content_updated",
            page_id,
            "page",
            {
                "parent": page["parent"],
                "updated_blocks": [{"id": b, "type": "block"} for b in updated],
            },
        )

    @locked
    def update_block(self, block_id: str, body: JSON, version: str = versions.DEFAULT) -> JSON:
        """``PATCH /v1/blocks/{id}``: new content of the same type, or trash/restore."""
        bid, view = self._require_block(block_id)
        trash = versions.trash_flag(body, version)
        if bid not in self.blocks:
            return self._trash_container(bid, view, trash, version)
        block = self.blocks[bid]
        kind = block["type"]
        extra = sorted(set(body) - {kind, "type", "in_trash", "archived"})
        if extra:
            raise body_error(f"body.{extra[0]}", f"is not valid for a {kind} block.")
        if block["in_trash"] and trash is not False:
            raise archived_error()
        new = dict(block)
        if kind in body:
            new[kind] = blocks.content(
                kind, body[kind], "body", current=block[kind], ctx=self._ctx("")
            )
            new[kind].pop("children", None)
        if trash is not None:
            new["in_trash"] = new["archived"] = trash
        new["last_edited_time"] = self.now_minute()
        self.blocks[bid] = new
        self._changed("block", bid)
        self._touch_page(bid, [bid])
        return versions.shape(self._block_view(bid) or {}, version)

    def _trash_container(self, bid: str, view: JSON, trash: bool | None, version: str) -> JSON:
        """Trash/restore a page or database through the blocks API."""
        raise NotImplementedError  # provided by PageOps

    @locked
    def delete_block(self, block_id: str, version: str = versions.DEFAULT) -> JSON:
        """``DELETE /v1/blocks/{id}``: move a block (or page/database) to the trash."""
        key = "archived" if version != versions.V2026 else "in_trash"
        return self.update_block(block_id, {key: True}, version)


def parse_children(
    raw: Any, where: str, *, depth: int, ctx: PropertyContext | None = None
) -> list[_NewBlock]:
    """Validate a ``children`` array completely before anything is stored."""
    if not isinstance(raw, list):
        raise body_error(where, "should be an array.")
    if len(raw) > blocks.MAX_CHILDREN:
        raise body_error(
            f"{where}.length", f"should be ≤ {blocks.MAX_CHILDREN}, instead was {len(raw)}."
        )
    out = []
    for n, item in enumerate(raw):
        path = f"{where}[{n}]"
        kind = blocks.block_type(item, path)
        body = item[kind]
        nested = item.get("children", body.get("children") if isinstance(body, dict) else None)
        content = blocks.content(kind, body, path, ctx=ctx)
        content.pop("children", None)
        children: list[_NewBlock] = []
        if nested:
            if depth >= blocks.MAX_DEPTH and kind not in ("column_list", "column"):
                raise body_error(
                    f"{path}.{kind}.children", "exceeds the 2 levels of nesting allowed."
                )
            deeper = depth if kind == "column" else depth + 1
            children = parse_children(nested, f"{path}.{kind}.children", depth=deeper, ctx=ctx)
        out.append(_NewBlock(kind, content, children))
    return out
