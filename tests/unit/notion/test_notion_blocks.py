"""Block trees: recursive reads (replaying real traffic), rendering, chunked appends."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from syncbridge.http import close_clients
from syncbridge.notion.blocks import (
    append_blocks,
    read_tree,
    rich_text_markdown,
    to_markdown,
    to_plain_text,
)
from syncbridge.notion.client import NotionClient

PAGE = "00000000-0000-4000-8000-000000000004"


def text(content: str, **annotations: Any) -> dict[str, Any]:
    return {
        "type": "text",
        "text": {"content": content, "link": None},
        "annotations": {"bold": False, "italic": False, "code": False, **annotations},
        "plain_text": content,
        "href": None,
    }


def block(
    kind: str, *spans: dict[str, Any], children: list[Any] | None = None, **extra: Any
) -> Any:
    return {
        "object": "block",
        "id": f"id-{kind}",
        "type": kind,
        kind: {"rich_text": list(spans), **extra},
        "has_children": bool(children),
        "children": children or [],
    }


def replay(cassette: Path) -> Any:
    """A handler answering GETs from a recorded cassette, keyed by path and query."""
    answers: dict[tuple[str, str], str] = {}
    for item in yaml.safe_load(cassette.read_text())["interactions"]:
        url = urlsplit(item["request"]["uri"])
        answers[(url.path, url.query)] = item["response"]["content"]

    def handler(seen: Any) -> tuple[int, dict[str, str], str]:
        query = "&".join(f"{k}={v[0]}" for k, v in sorted(seen.query.items()))
        content = answers.get((seen.path, query))
        if content is None:
            return (
                404,
                {},
                json.dumps(
                    {
                        "object": "error",
                        "status": 404,
                        "code": "object_not_found",
                        "message": seen.path,
                    }
                ),
            )
        return 200, {"content-type": "application/json"}, content

    return handler


async def test_read_tree_and_markdown_of_a_recorded_page(
    fake_remote: Any, cassettes_dir: Path
) -> None:
    fake_remote.handler = replay(
        cassettes_dir / "ultimate-notion/test_page/test_page_to_markdown.yaml"
    )
    client = NotionClient("tok", base_url=fake_remote.base_url, rate_limit=None)
    try:
        tree = await read_tree(client, PAGE)
    finally:
        await close_clients()
    assert len(tree) == 36
    table = next(b for b in tree if b["type"] == "table")
    assert [row["type"] for row in table["children"]] == ["table_row"] * 3
    columns = next(b for b in tree if b["type"] == "column_list")["children"]
    assert [c["type"] for c in columns] == ["column", "column"]
    assert all(c["children"][0]["type"] == "paragraph" for c in columns)
    child_page = next(b for b in tree if b["type"] == "child_page")
    assert child_page["children"] == []  # sub-pages are not entered
    synced = [b for b in tree if b["type"] == "synced_block"]
    assert all(s["children"] for s in synced)  # the copy shows its original's content

    md = to_markdown(tree)
    lines = md.splitlines()
    assert lines[0] == "# Headline 1"
    assert "## Headline 2" in lines
    assert "### Headline 3" in lines
    assert "---" in lines
    assert "- Item 1" in lines
    assert "- Item 2\n  with a new line" in md
    assert "- [ ] ToDo1" in lines
    assert "- [x] Checked ToDo3" in lines
    assert "1. First item" in lines
    assert "3. Third item" in lines
    assert "> This is a quote\n> with a new line" in md
    assert "```python" in md or "```" in md
    assert "# Python Code\nimport ultimate_notion" in md
    assert "$$" in md
    assert "[Caption](https://picsum.photos/300/300)" in md
    assert "| --- | --- |" in md
    assert "[Markdown SubPage Test](" in md

    plain = to_plain_text(tree)
    assert "Headline 1" in plain
    assert "Callout!" in plain
    assert "**" not in plain
    column_text = columns[0]["children"][0]["paragraph"]["rich_text"][0]["plain_text"]
    assert f"\n{column_text}" in plain  # columns are layout, not nesting


def test_markdown_annotations_hug_the_text() -> None:
    spans = [
        text("plain "),
        text("bold ", bold=True),
        text("it", italic=True),
        text(" code", code=True),
        {**text("link"), "href": "https://x.test"},
        {"type": "equation", "equation": {"expression": "e=mc^2"}, "plain_text": "e=mc^2"},
    ]
    assert rich_text_markdown(spans) == "plain **bold** *it* `code`[link](https://x.test)$e=mc^2$"


def test_lists_stay_tight_and_nest() -> None:
    tree = [
        block("paragraph", text("Intro")),
        block(
            "bulleted_list_item", text("a"), children=[block("numbered_list_item", text("inner"))]
        ),
        block("bulleted_list_item", text("b")),
        block("paragraph", text("Outro")),
    ]
    assert to_markdown(tree) == "Intro\n\n- a\n  1. inner\n- b\n\nOutro"
    assert to_plain_text(tree) == "Intro\na\n  inner\nb\nOutro"


def test_numbering_restarts_after_another_block() -> None:
    tree = [
        block("numbered_list_item", text("x")),
        block("numbered_list_item", text("y")),
        block("paragraph", text("break")),
        block("numbered_list_item", text("z")),
    ]
    assert to_markdown(tree) == "1. x\n2. y\n\nbreak\n\n1. z"


async def test_append_blocks_sends_chunks_of_100_in_order(fake_remote: Any) -> None:
    created: list[str] = []

    def handler(seen: Any) -> tuple[int, dict[str, str], dict[str, Any]]:
        children = seen.body["children"]
        results = []
        for child in children:
            created.append(child["paragraph"]["rich_text"][0]["text"]["content"])
            results.append({"object": "block", "id": f"b{len(created)}", "type": "paragraph"})
        return (
            200,
            {},
            {"object": "list", "results": results, "has_more": False, "next_cursor": None},
        )

    fake_remote.handler = handler
    blocks = [
        {"paragraph": {"rich_text": [{"text": {"content": f"line {i}"}}]}} for i in range(250)
    ]
    client = NotionClient("tok", base_url=fake_remote.base_url, rate_limit=None)
    try:
        result = await append_blocks(client, PAGE, blocks, after="start-block")
    finally:
        await close_clients()
    assert [len(r.body["children"]) for r in fake_remote.requests] == [100, 100, 50]
    assert created == [f"line {i}" for i in range(250)]
    # Each chunk goes after the last block of the previous one, so order holds mid-page too.
    assert [r.body["after"] for r in fake_remote.requests] == ["start-block", "b100", "b200"]
    assert [b["id"] for b in result] == [f"b{i}" for i in range(1, 251)]


async def test_read_tree_checks_depth() -> None:
    client = NotionClient("tok", base_url="http://127.0.0.1:9", rate_limit=None)
    with pytest.raises(ValueError, match="max_depth"):
        await read_tree(client, PAGE, max_depth=0)


KINDS = [
    "paragraph",
    "heading_1",
    "heading_2",
    "heading_3",
    "bulleted_list_item",
    "numbered_list_item",
    "to_do",
    "toggle",
    "quote",
    "callout",
    "code",
    "some_future_type",  # unknown types still show their text
]
words = st.text(alphabet=st.characters(categories=["L", "N"]), min_size=1, max_size=12)


@st.composite
def trees(draw: Any, depth: int = 0) -> list[dict[str, Any]]:
    out = []
    for _ in range(draw(st.integers(min_value=0, max_value=4))):
        kind = draw(st.sampled_from(KINDS))
        spans = [
            text(w, bold=draw(st.booleans()), italic=draw(st.booleans()))
            for w in draw(st.lists(words, min_size=1, max_size=3))
        ]
        children = draw(trees(depth + 1)) if depth < 2 else []
        out.append(block(kind, *spans, children=children, checked=draw(st.booleans())))
    return out


def all_words(tree: list[dict[str, Any]]) -> list[str]:
    found = []
    for node in tree:
        found += [s["plain_text"] for s in node[node["type"]]["rich_text"]]
        found += all_words(node["children"])
    return found


@given(tree=trees())
def test_rendering_keeps_every_word(tree: list[dict[str, Any]]) -> None:
    plain, markdown = to_plain_text(tree), to_markdown(tree)
    for word in all_words(tree):
        assert word in plain
        assert word in markdown
    assert "**" not in plain
