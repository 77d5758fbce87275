"""Page content: read block trees, render them as plain text or Markdown, append in chunks.

``read_tree`` fetches a page's (or block's) children recursively, following ``has_children``
down to ``max_depth`` levels; each block dict gains a ``"children"`` list. ``to_plain_text`` and
``to_markdown`` render such a tree for the common block types (others render their text, if any).
``append_blocks`` writes any number of blocks 100 at a time, in order, one request after another.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from syncbridge.http.ratelimit import Lane
from syncbridge.notion.pagination import iterate

if TYPE_CHECKING:
    from syncbridge.notion.client import NotionClient

__all__ = [
    "APPEND_LIMIT",
    "append_blocks",
    "read_tree",
    "rich_text_markdown",
    "rich_text_plain",
    "to_markdown",
    "to_plain_text",
]

APPEND_LIMIT = 100
"""Most children one append request may carry."""

POSITION_VERSION = "2026-03-11"
"""From this API version, appends are placed by ``position`` instead of ``after``."""

Block = dict[str, Any]

_HEADINGS = {"heading_1": "# ", "heading_2": "## ", "heading_3": "### ", "heading_4": "#### "}
_MEDIA = ("image", "video", "file", "pdf", "audio")
_CONTAINERS = ("column_list", "column", "synced_block")
_LIST_ITEMS = ("bulleted_list_item", "numbered_list_item", "to_do", "toggle")


async def read_tree(
    client: NotionClient,
    block_id: str,
    *,
    max_depth: int = 5,
    lane: Lane = Lane.INTERACTIVE,
) -> list[Block]:
    """The children of ``block_id``, each with its own ``"children"``, ``max_depth`` levels deep.

    Blocks below the depth limit keep ``has_children: true`` and an empty ``"children"`` list,
    so a caller can tell content was left unread. Child pages and databases are not entered.
    """
    if max_depth < 1:
        raise ValueError(f"max_depth must be at least 1, got {max_depth}")
    blocks = [
        dict(block)
        async for block in iterate(client.blocks.children.list, block_id=block_id, lane=lane)
    ]
    for block in blocks:
        block["children"] = []
        if _descend(block) and max_depth > 1:
            block["children"] = await read_tree(
                client, _content_source(block), max_depth=max_depth - 1, lane=lane
            )
    return blocks


def _content_source(block: Block) -> str:
    """Where a block's children live: a synced copy shows its original's children."""
    origin = (
        (_payload(block).get("synced_from") or {}) if block.get("type") == "synced_block" else {}
    )
    return str(origin.get("block_id") or block["id"])


def _descend(block: Block) -> bool:
    return bool(block.get("has_children")) and block.get("type") not in (
        "child_page",
        "child_database",
    )


async def append_blocks(
    client: NotionClient,
    block_id: str,
    children: Iterable[Block],
    *,
    after: str | None = None,
    lane: Lane = Lane.INTERACTIVE,
) -> list[Block]:
    """Append ``children`` under ``block_id`` in chunks of 100, keeping their order.

    Chunks go one after another, each placed after the last block of the previous chunk, so the
    result reads in the given order even when ``after`` (a block id) puts them mid-page; from API
    version 2026-03-11 the placement is sent as ``position``. Returns the created blocks as Notion
    answered them.
    """
    pending = list(children)
    created: list[Block] = []
    for start in range(0, len(pending), APPEND_LIMIT):
        chunk = pending[start : start + APPEND_LIMIT]
        body: dict[str, Any] = {"children": chunk}
        if after is not None:
            body.update(_placement(client.version, after))
        response = await client.blocks.children.append(block_id=block_id, lane=lane, **body)
        results = [r for r in response.get("results") or [] if isinstance(r, dict)]
        new = results[-len(chunk) :] if len(results) >= len(chunk) else results
        created.extend(new)
        if after is not None and new:
            after = str(new[-1]["id"])
    return created


def _placement(version: str, after: str) -> dict[str, Any]:
    """``after`` as the version expects it: a string before 2026-03-11, ``position`` since."""
    if version >= POSITION_VERSION:
        return {"position": {"type": "after_block", "after_block": {"id": after}}}
    return {"after": after}


def rich_text_plain(items: Iterable[dict[str, Any]] | None) -> str:
    """The plain text of a rich-text array."""
    return "".join(_plain(item) for item in items or [])


def _plain(item: dict[str, Any]) -> str:
    if "plain_text" in item:
        return str(item["plain_text"])
    kind = item.get("type", "text")
    if kind == "text":
        return str((item.get("text") or {}).get("content", ""))
    if kind == "equation":
        return str((item.get("equation") or {}).get("expression", ""))
    return ""


def rich_text_markdown(items: Iterable[dict[str, Any]] | None) -> str:
    """A rich-text array as Markdown: bold, italic, strikethrough, code, links, equations."""
    return "".join(_markdown_span(item) for item in items or [])


def _markdown_span(item: dict[str, Any]) -> str:
    text = _plain(item)
    if not text:
        return ""
    if item.get("type") == "equation":
        return f"${text}$"
    notes = item.get("annotations") or {}
    lead = len(text) - len(text.lstrip())
    trail = len(text) - len(text.rstrip())
    core = text.strip()
    if not core:
        return text
    if notes.get("code"):
        core = f"`{core}`"
    if notes.get("bold"):
        core = f"**{core}**"
    if notes.get("italic"):
        core = f"*{core}*"
    if notes.get("strikethrough"):
        core = f"~~{core}~~"
    href = item.get("href") or ((item.get("text") or {}).get("link") or {}).get("url")
    if href:
        core = f"[{core}]({href})"
    # Markers must hug the text: "** bold**" is not bold in Markdown.
    return text[:lead] + core + text[len(text) - trail :]


def _payload(block: Block) -> dict[str, Any]:
    value = block.get(str(block.get("type")))
    return value if isinstance(value, dict) else {}


def _block_text(block: Block, rich: bool) -> str:
    render = rich_text_markdown if rich else rich_text_plain
    kind = block.get("type")
    data = _payload(block)
    if kind in ("child_page", "child_database"):
        return str(data.get("title", ""))
    if kind == "equation":
        return str(data.get("expression", ""))
    if kind in ("bookmark", "embed", "link_preview"):
        caption = rich_text_plain(data.get("caption"))
        return caption or str(data.get("url", ""))
    if kind in _MEDIA:
        caption = rich_text_plain(data.get("caption"))
        return caption or str(data.get("name") or "") or _media_url(data)
    if kind == "link_to_page":
        return str(data.get(str(data.get("type"))) or "")
    if kind == "table_row":
        return " | ".join(render(cell) for cell in data.get("cells") or [])
    return render(data.get("rich_text"))


def _media_url(data: dict[str, Any]) -> str:
    source = data.get(str(data.get("type"))) or data.get("external") or data.get("file") or {}
    return str(source.get("url", "")) if isinstance(source, dict) else ""


def to_plain_text(blocks: Iterable[Block], *, indent: str = "") -> str:
    """A block tree (as ``read_tree`` returns it) as plain text, one block per line."""
    lines: list[str] = []
    for block in blocks:
        kind = block.get("type")
        if kind == "divider":
            lines.append(indent + "---")
        elif kind not in _CONTAINERS:
            lines.append(indent + _block_text(block, rich=False))
        children = block.get("children") or []
        if children:
            deeper = indent if kind in _CONTAINERS else indent + "  "
            lines.append(to_plain_text(children, indent=deeper))
    return "\n".join(lines)


def to_markdown(blocks: Iterable[Block], *, indent: str = "") -> str:
    """A block tree (as ``read_tree`` returns it) as Markdown."""
    out: list[str] = []
    number = 0
    previous = ""
    for block in blocks:
        kind = str(block.get("type"))
        number = number + 1 if kind == "numbered_list_item" else 0
        rendered = _markdown_block(block, indent, number)
        if not rendered.strip():
            continue  # layout-only or unsupported blocks leave no blank lines behind
        if out:
            # List items stay together; other blocks need a blank line to stay apart.
            tight = kind in _LIST_ITEMS and previous in _LIST_ITEMS
            out.append("\n" if tight else "\n\n")
        out.append(rendered)
        previous = kind
    return "".join(out)


def _markdown_block(block: Block, indent: str, number: int) -> str:
    kind = str(block.get("type"))
    data = _payload(block)
    text = _block_text(block, rich=True)
    children = block.get("children") or []
    nested = indent + "  "
    if kind in _LIST_ITEMS:
        text = text.replace("\n", "\n" + nested)
    elif kind in ("quote", "callout"):
        text = text.replace("\n", "\n" + indent + "> ")
    if kind in _HEADINGS:
        head = indent + _HEADINGS[kind] + text
    elif kind == "bulleted_list_item":
        head = f"{indent}- {text}"
    elif kind == "numbered_list_item":
        head = f"{indent}{number}. {text}"
    elif kind == "to_do":
        mark = "x" if data.get("checked") else " "
        head = f"{indent}- [{mark}] {text}"
    elif kind == "toggle":
        head = f"{indent}- {text}"
    elif kind in ("quote", "callout"):
        icon = (data.get("icon") or {}).get("emoji") if kind == "callout" else None
        head = f"{indent}> {icon + ' ' if icon else ''}{text}"
        nested = indent + "> "
    elif kind == "code":
        source = rich_text_plain(data.get("rich_text"))
        language = str(data.get("language") or "")
        body = "\n".join(indent + line for line in source.split("\n"))
        head = f"{indent}```{language}\n{body}\n{indent}```"
    elif kind == "equation":
        head = f"{indent}$$\n{indent}{text}\n{indent}$$"
    elif kind == "divider":
        head = f"{indent}---"
    elif kind in ("child_page", "child_database"):
        head = f"{indent}[{text}]({block.get('id', '')})"
    elif kind == "link_to_page":
        head = f"{indent}[→ {text}]({text})" if text else ""
    elif kind == "image":
        head = f"{indent}![{rich_text_plain(data.get('caption'))}]({_media_url(data)})"
    elif kind in (*_MEDIA, "bookmark", "embed", "link_preview"):
        url = _media_url(data) if kind in _MEDIA else str(data.get("url", ""))
        head = f"{indent}[{text}]({url})"
    elif kind == "table":
        return _markdown_table(block, indent)
    elif kind in _CONTAINERS:
        return to_markdown(children, indent=indent)
    else:
        head = indent + text
    if children:
        return head + "\n" + to_markdown(children, indent=nested)
    return head


def _markdown_table(block: Block, indent: str) -> str:
    rows = [row for row in block.get("children") or [] if row.get("type") == "table_row"]
    if not rows:
        return ""
    lines = [f"{indent}| {_block_text(row, rich=True)} |" for row in rows]
    width = len(_payload(rows[0]).get("cells") or [])
    lines.insert(1, indent + "|" + " --- |" * max(width, 1))
    return "\n".join(lines)
