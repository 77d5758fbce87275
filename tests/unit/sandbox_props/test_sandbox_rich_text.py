"""Rich text arrays: defaults, links, mentions, equations, limits."""

from __future__ import annotations

from typing import Any

import pytest

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.rich_text import DEFAULT_ANNOTATIONS, normalize_rich_text, plain_text


def norm(items: Any, ctx: Any = None) -> list[dict[str, Any]]:
    return normalize_rich_text(items, path="body.x", ctx=ctx)


def test_text_gets_every_default() -> None:
    assert norm([{"text": {"content": "hi"}}]) == [
        {
            "type": "text",
            "text": {"content": "hi", "link": None},
            "annotations": DEFAULT_ANNOTATIONS,
            "plain_text": "hi",
            "href": None,
        }
    ]


def test_request_may_echo_a_response_item() -> None:
    item = norm(
        [
            {
                "text": {"content": "a", "link": {"url": "https://a.test"}},
                "annotations": {"code": True, "color": "red_background"},
            }
        ]
    )[0]
    assert norm([item]) == [item]
    assert item["href"] == "https://a.test"
    assert item["annotations"]["color"] == "red_background"


def test_mentions_and_equations(world: Any) -> None:
    ds = world.data_source({"Name": {"title": {}}})
    page = world.create(ds, {"Name": {"title": [{"text": {"content": "Target"}}]}})
    items = norm(
        [
            {"mention": {"user": {"id": "00000000-0000-4000-8000-0000000000fa"}}},
            {"mention": {"type": "page", "page": {"id": page["id"].replace("-", "")}}},
            {"mention": {"date": {"start": "2026-01-02"}}},
            {"mention": {"type": "database", "database": {"id": page["id"]}}},
            {"type": "equation", "equation": {"expression": "E=mc^2"}},
        ],
        ctx=world.ctx(ds),
    )
    assert items[0]["plain_text"] == "@Alice"
    assert items[0]["mention"]["user"]["name"] == "Alice"
    assert items[1]["mention"]["page"] == {"id": page["id"]}
    assert items[1]["plain_text"] == "Target"
    assert items[1]["href"] == f"https://www.notion.so/{page['id'].replace('-', '')}"
    assert items[2]["mention"]["date"] == {"start": "2026-01-02", "end": None, "time_zone": None}
    assert items[2]["plain_text"] == "2026-01-02"
    assert items[4]["plain_text"] == "E=mc^2"
    assert plain_text(items).startswith("@AliceTarget2026-01-02")


@pytest.mark.parametrize(
    ("items", "fragment"),
    [
        ({"text": {}}, "body.x should be an array"),
        (
            [{"text": {"content": "x" * 2001}}],
            "body.x[0].text.content.length should be ≤ 2000, instead was `2001`.",
        ),
        ([{"text": {"content": "x"}}] * 101, "body.x.length should be ≤ 100"),
        ([{"text": {"content": 5}}], "body.x[0].text.content should be a string"),
        ([{}], "body.x[0].text should be defined"),
        ([{"type": "bogus"}], "body.x[0].type"),
        (
            [{"text": {"content": "a"}, "annotations": {"bold": "yes"}}],
            "body.x[0].annotations.bold should be a boolean",
        ),
        (
            [{"text": {"content": "a"}, "annotations": {"color": "teal"}}],
            "body.x[0].annotations.color",
        ),
        (
            [{"text": {"content": "a", "link": {"url": "x" * 2001}}}],
            "body.x[0].text.link.url.length",
        ),
        (
            [{"equation": {"expression": "x" * 1001}}],
            "body.x[0].equation.expression.length should be ≤ 1000",
        ),
        (
            [{"mention": {"user": {"id": "nope"}}}],
            "body.x[0].mention.user.id should be a valid uuid",
        ),
        ([{"mention": {"planet": {}}}], "body.x[0].mention.type"),
        ([{"text": {"content": "a", "extra": 1}}], "body.x[0].text.extra should be not present"),
    ],
)
def test_bad_items_name_the_path(items: Any, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        norm(items)
    assert fragment in info.value.message
