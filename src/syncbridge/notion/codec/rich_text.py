"""Rich text arrays: canonical request items, and plain text split to Notion's limits."""

from __future__ import annotations

from typing import Any

from syncbridge.notion.codec.base import Prop

MAX_CONTENT = 2000  # text.content limit, counted in UTF-16 code units as Notion (JavaScript) does
MAX_ITEMS = 100
DEFAULT_ANNOTATIONS: dict[str, Any] = {
    "bold": False,
    "italic": False,
    "strikethrough": False,
    "underline": False,
    "code": False,
    "color": "default",
}
ITEM_TYPES = ("text", "mention", "equation")


def utf16_len(text: str) -> int:
    """Length as JavaScript counts it (characters outside the BMP count twice)."""
    return len(text.encode("utf-16-le")) // 2


def split_text(prop: Prop, text: str) -> list[dict[str, Any]]:
    """Plain text → text items of at most 2,000 UTF-16 units each, never splitting a character."""
    chunks: list[str] = []
    if utf16_len(text) == len(text):
        chunks = [text[i : i + MAX_CONTENT] for i in range(0, len(text), MAX_CONTENT)]
    else:
        start, units = 0, 0
        for index, char in enumerate(text):
            width = 2 if ord(char) > 0xFFFF else 1
            if units + width > MAX_CONTENT:
                chunks.append(text[start:index])
                start, units = index, 0
            units += width
        if start < len(text):
            chunks.append(text[start:])
    if len(chunks) > MAX_ITEMS:
        raise prop.error(
            f"text of {len(text)} characters needs {len(chunks)} rich text items; "
            f"Notion allows {MAX_ITEMS} of {MAX_CONTENT} characters each"
        )
    return [{"type": "text", "text": {"content": chunk}} for chunk in chunks]


def canonical_items(prop: Prop, items: Any) -> list[dict[str, Any]]:
    """Rich text items in request or response shape → canonical request items (validated).

    Canonical: ``{"type", <type>: minimal body}`` plus ``annotations`` holding only the
    non-default keys (omitted when all are default); response-only keys (``plain_text``,
    ``href``) are dropped.
    """
    if not isinstance(items, list | tuple):
        raise prop.expected("a list of rich text items", items)
    if len(items) > MAX_ITEMS:
        raise prop.error(f"{len(items)} rich text items; Notion allows {MAX_ITEMS}")
    return [_canonical_item(prop, item, f"[{i}]") for i, item in enumerate(items)]


def _canonical_item(prop: Prop, item: Any, where: str) -> dict[str, Any]:
    if not isinstance(item, dict):
        raise prop.expected(f"rich text item {where} to be an object", item)
    kind = item.get("type") or next((k for k in ITEM_TYPES if k in item), None)
    if kind not in ITEM_TYPES or not isinstance(item.get(kind), dict):
        raise prop.error(f"rich text item {where} needs one of {', '.join(ITEM_TYPES)}")
    body = item[kind]
    out: dict[str, Any] = {"type": kind, kind: _BODIES[kind](prop, body, where)}
    annotations = item.get("annotations") or {}
    if not isinstance(annotations, dict):
        raise prop.expected(f"annotations of rich text item {where} to be an object", annotations)
    changed = {k: v for k, v in annotations.items() if DEFAULT_ANNOTATIONS.get(k) != v}
    if changed:
        out["annotations"] = changed
    return out


def _text_body(prop: Prop, body: dict[str, Any], where: str) -> dict[str, Any]:
    content = body.get("content")
    if not isinstance(content, str):
        raise prop.expected(f"text.content of rich text item {where} to be a string", content)
    if utf16_len(content) > MAX_CONTENT:
        raise prop.error(
            f"text.content of rich text item {where} is {utf16_len(content)} characters long; "
            f"Notion allows {MAX_CONTENT} (pass a plain str to have it split)"
        )
    out: dict[str, Any] = {"content": content}
    link = body.get("link")
    if isinstance(link, dict) and link.get("url"):
        out["link"] = {"url": link["url"]}
    return out


def _mention_body(prop: Prop, body: dict[str, Any], where: str) -> dict[str, Any]:
    kind = body.get("type") or next(iter(body), None)
    target = body.get(kind) if isinstance(kind, str) else None
    if not isinstance(kind, str) or not isinstance(target, dict):
        raise prop.error(f"mention of rich text item {where} has no target")
    if kind in ("user", "page", "database", "data_source") and "id" in target:
        return {"type": kind, kind: {"id": target["id"]}}
    if kind == "date":
        keys = ("start", "end", "time_zone")
        return {"type": kind, kind: {key: target.get(key) for key in keys}}
    if kind == "link_preview" and "url" in target:
        return {"type": kind, kind: {"url": target["url"]}}
    return {"type": kind, kind: target}


def _equation_body(prop: Prop, body: dict[str, Any], where: str) -> dict[str, Any]:
    expression = body.get("expression")
    if not isinstance(expression, str):
        raise prop.expected(f"equation.expression of rich text item {where}", expression)
    return {"expression": expression}


_BODIES = {"text": _text_body, "mention": _mention_body, "equation": _equation_body}
