"""Rich text arrays: validate request items and answer Notion's full response items.

A request item may be ``{"text": {"content", "link"}}``, ``{"mention": {...}}`` or
``{"equation": {"expression"}}`` (``type`` optional), with optional ``annotations``; the
answer fills every annotation, ``plain_text`` and ``href`` as Notion does.
"""

from __future__ import annotations

from typing import Any, Protocol

from syncbridge.sandbox import limits
from syncbridge.sandbox.bodycheck import (
    UNDEFINED,
    fail,
    only_keys,
    require_bool,
    require_dict,
    require_list,
    require_str,
    require_uuid,
)
from syncbridge.sandbox.datevalues import normalize_date

COLORS = frozenset(
    ["default", "gray", "brown", "orange", "yellow", "green", "blue", "purple", "pink", "red"]
)
TEXT_COLORS = COLORS | {f"{c}_background" for c in COLORS if c != "default"}
_BOOL_ANNOTATIONS = ("bold", "italic", "strikethrough", "underline", "code")
DEFAULT_ANNOTATIONS: dict[str, Any] = {
    **dict.fromkeys(_BOOL_ANNOTATIONS, False),
    "color": "default",
}
_KINDS = ("text", "mention", "equation")
_MENTION_KINDS = (
    "user",
    "page",
    "database",
    "date",
    "link_preview",
    "template_mention",
    "custom_emoji",
)


class Lookups(Protocol):
    """What mention rendering may look up (a PropertyContext satisfies it)."""

    def get_user(self, user_id: str) -> dict[str, Any] | None: ...  # pragma: no cover
    def get_page(self, page_id: str) -> dict[str, Any] | None: ...  # pragma: no cover


def normalize_rich_text(items: Any, *, path: str, ctx: Any = None) -> list[dict[str, Any]]:
    """Validate a request rich-text array and return response-shape items.

    Args:
        items: The request value (must be a list of at most 100 items).
        path: Where it sits in the request, for messages (``body.properties.Name.title``).
        ctx: Optional lookups (``get_user``, ``get_page``) to render mentions' plain text.

    Raises:
        ValidationError: Naming the first offending path.
    """
    seq = require_list(items, path, limit=limits.MAX_RICH_TEXT_ITEMS)
    return [_item(item, f"{path}[{n}]", ctx) for n, item in enumerate(seq)]


def plain_text(items: list[dict[str, Any]] | None) -> str:
    """The concatenated ``plain_text`` of response-shape rich text."""
    return "".join(i.get("plain_text", "") for i in items or ())


def text_item(content: str) -> dict[str, Any]:
    """A response-shape plain text item (for formulas, rollups, defaults)."""
    return {
        "type": "text",
        "text": {"content": content, "link": None},
        "annotations": dict(DEFAULT_ANNOTATIONS),
        "plain_text": content,
        "href": None,
    }


def _item(item: Any, path: str, ctx: Any) -> dict[str, Any]:
    obj = require_dict(item, path)
    kind = obj.get("type")
    if kind is None:
        kind = next((k for k in _KINDS if k in obj), None)
    if kind not in _KINDS:
        if kind is None:
            fail(f"{path}.text", "should be defined", UNDEFINED)
        fail(f"{path}.type", "should be `text`, `mention` or `equation`", kind)
    only_keys(obj, {"type", kind, "annotations", "plain_text", "href"}, path)
    annotations = _annotations(obj.get("annotations"), f"{path}.annotations")
    if kind == "text":
        return _text(obj.get("text", UNDEFINED), f"{path}.text", annotations)
    if kind == "equation":
        eq = require_dict(obj.get("equation", UNDEFINED), f"{path}.equation")
        only_keys(eq, {"expression"}, f"{path}.equation")
        expr = require_str(
            eq.get("expression", UNDEFINED),
            f"{path}.equation.expression",
            limit=limits.MAX_EQUATION,
        )
        return {
            "type": "equation",
            "equation": {"expression": expr},
            "annotations": annotations,
            "plain_text": expr,
            "href": None,
        }
    return _mention(obj.get("mention", UNDEFINED), f"{path}.mention", annotations, ctx)


def _annotations(value: Any, path: str) -> dict[str, Any]:
    out = dict(DEFAULT_ANNOTATIONS)
    if value is None:
        return out
    obj = require_dict(value, path)
    only_keys(obj, {*_BOOL_ANNOTATIONS, "color"}, path)
    for key in _BOOL_ANNOTATIONS:
        if key in obj:
            out[key] = require_bool(obj[key], f"{path}.{key}")
    if "color" in obj:
        color = obj["color"]
        if not isinstance(color, str) or color not in TEXT_COLORS:
            fail(f"{path}.color", "should be a valid color", color)
        out["color"] = color
    return out


def _text(value: Any, path: str, annotations: dict[str, Any]) -> dict[str, Any]:
    obj = require_dict(value, path)
    only_keys(obj, {"content", "link"}, path)
    content = require_str(
        obj.get("content", UNDEFINED), f"{path}.content", limit=limits.MAX_TEXT_CONTENT
    )
    link = obj.get("link")
    href = None
    if link is not None:
        link_obj = require_dict(link, f"{path}.link")
        only_keys(link_obj, {"url", "type"}, f"{path}.link")
        href = require_str(
            link_obj.get("url", UNDEFINED),
            f"{path}.link.url",
            limit=limits.MAX_LINK_URL,
            nonempty=True,
        )
        link = {"url": href}
    return {
        "type": "text",
        "text": {"content": content, "link": link},
        "annotations": annotations,
        "plain_text": content,
        "href": href,
    }


def _mention(value: Any, path: str, annotations: dict[str, Any], ctx: Any) -> dict[str, Any]:
    obj = require_dict(value, path)
    kind = obj.get("type") or next((k for k in _MENTION_KINDS if k in obj), None)
    if kind not in _MENTION_KINDS:
        fail(
            f"{path}.type", "should be one of " + ", ".join(f"`{k}`" for k in _MENTION_KINDS), kind
        )
    only_keys(obj, {"type", kind}, path)
    body = obj.get(kind, UNDEFINED)
    href: str | None = None
    if kind == "date":
        inner: dict[str, Any] = normalize_date(body, f"{path}.date")
        plain = inner["start"] if inner["end"] is None else f"{inner['start']} → {inner['end']}"
    elif kind in ("user", "page", "database"):
        ref = require_dict(body, f"{path}.{kind}")
        ref_id = require_uuid(ref.get("id", UNDEFINED), f"{path}.{kind}.id")
        inner, plain = _reference(kind, ref_id, ctx)
        if kind != "user":
            href = f"https://www.notion.so/{ref_id.replace('-', '')}"
    elif kind == "link_preview":
        ref = require_dict(body, f"{path}.link_preview")
        url = require_str(
            ref.get("url", UNDEFINED), f"{path}.link_preview.url", limit=limits.MAX_URL
        )
        inner, plain, href = {"url": url}, url, url
    elif kind == "custom_emoji":
        inner, plain = _custom_emoji(body, f"{path}.custom_emoji")
    else:
        inner, plain = require_dict(body, f"{path}.{kind}"), ""
    return {
        "type": "mention",
        "mention": {"type": kind, kind: inner},
        "annotations": annotations,
        "plain_text": plain,
        "href": href,
    }


def _custom_emoji(value: Any, path: str) -> tuple[dict[str, Any], str]:
    # The sandbox keeps no emoji library, so the request's name and url are echoed (recorded).
    ref = require_dict(value, path)
    only_keys(ref, {"id", "name", "url"}, path)
    emoji_id = require_uuid(ref.get("id", UNDEFINED), f"{path}.id")
    name = require_str(ref.get("name", UNDEFINED), f"{path}.name", limit=limits.MAX_TEXT_CONTENT)
    link = require_str(ref.get("url", UNDEFINED), f"{path}.url", limit=limits.MAX_URL)
    return {"id": emoji_id, "name": name, "url": link}, f":{name}:"


def embedded_user(user: dict[str, Any]) -> dict[str, Any]:
    """A user as mentions and people values embed it.

    The recordings never show ``person.email_verified`` there (only in the users endpoints
    under 2025-09-03), so it is left out.
    """
    out = dict(user)
    person = out.get("person")
    if isinstance(person, dict) and "email_verified" in person:
        out["person"] = {k: v for k, v in person.items() if k != "email_verified"}
    return out


def _reference(kind: str, ref_id: str, ctx: Any) -> tuple[dict[str, Any], str]:
    if kind == "user":
        user = ctx.get_user(ref_id) if ctx is not None else None
        if user is None:
            return {"object": "user", "id": ref_id}, "@Anonymous"
        return embedded_user(user), f"@{user.get('name') or 'Anonymous'}"
    page = ctx.get_page(ref_id) if ctx is not None and kind == "page" else None
    title = "Untitled"
    if page is not None:
        for prop in (page.get("properties") or {}).values():
            if isinstance(prop, dict) and prop.get("type") == "title":
                title = plain_text(prop.get("title")) or "Untitled"
    return {"id": ref_id}, title
