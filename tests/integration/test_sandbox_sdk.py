"""The official ``notion-client`` SDK, unchanged, driving the sandbox over real HTTP."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from notion_client import APIErrorCode, APIResponseError, Client

TOKEN = "sandbox-token"


def text(value: str) -> list[dict[str, Any]]:
    return [{"text": {"content": value}}]


def plain(rich: list[dict[str, Any]]) -> str:
    return "".join(item["plain_text"] for item in rich)


@pytest.fixture
def sdk(sandbox_factory: Any) -> Iterator[Client]:
    server = sandbox_factory(empty=True)
    with Client(auth=TOKEN, base_url=server.base_url) as client:
        yield client


@pytest.fixture
def root(sdk: Client) -> str:
    page = sdk.pages.create(parent={"workspace": True}, properties={"title": text("Root")})
    return str(page["id"])


SCHEMA: dict[str, Any] = {
    "Name": {"title": {}},
    "Notes": {"rich_text": {}},
    "Count": {"number": {"format": "number"}},
    "Stage": {"select": {"options": [{"name": "todo", "color": "red"}, {"name": "done"}]}},
    "Tags": {"multi_select": {"options": [{"name": "a"}, {"name": "b"}]}},
    "State": {"status": {}},
    "Due": {"date": {}},
    "Who": {"people": {}},
    "Files": {"files": {}},
    "Done": {"checkbox": {}},
    "Link": {"url": {}},
    "Mail": {"email": {}},
    "Phone": {"phone_number": {}},
    "Double": {"formula": {"expression": 'prop("Count") * 2'}},
    "Made": {"created_time": {}},
    "Maker": {"created_by": {}},
    "Edited": {"last_edited_time": {}},
    "Editor": {"last_edited_by": {}},
    "Ref": {"unique_id": {"prefix": "T"}},
}


def make_data_source(sdk: Client, root: str, schema: dict[str, Any] | None = None) -> str:
    db = sdk.databases.create(
        parent={"type": "page_id", "page_id": root},
        title=text("Everything"),
        initial_data_source={"properties": schema or SCHEMA},
    )
    return str(db["data_sources"][0]["id"])


def row(sdk: Client, ds: str, name: str, **values: Any) -> dict[str, Any]:
    properties = {"Name": {"title": text(name)}, **values}
    return dict(sdk.pages.create(parent={"data_source_id": ds}, properties=properties))


def test_every_writable_property_type_round_trips(sdk: Client, root: str) -> None:
    ds = make_data_source(sdk, root)
    schema = sdk.data_sources.retrieve(data_source_id=ds)["properties"]
    assert {name: prop["type"] for name, prop in schema.items()} == {
        name: next(iter(conf)) for name, conf in SCHEMA.items()
    }
    me = sdk.users.me()
    page = row(
        sdk,
        ds,
        "First",
        Notes={"rich_text": text("some notes")},
        Count={"number": 21},
        Stage={"select": {"name": "done"}},
        Tags={"multi_select": [{"name": "a"}, {"name": "new"}]},
        Due={"date": {"start": "2026-01-02", "end": None}},
        Who={"people": [{"object": "user", "id": me["id"]}]},
        Files={"files": [{"name": "x", "external": {"url": "https://example.com/x.png"}}]},
        Done={"checkbox": True},
        Link={"url": "https://example.com"},
        Mail={"email": "a@example.com"},
        Phone={"phone_number": "+1 555 0100"},
    )
    got = sdk.pages.retrieve(page_id=page["id"])["properties"]
    assert plain(got["Name"]["title"]) == "First"
    assert plain(got["Notes"]["rich_text"]) == "some notes"
    assert got["Count"]["number"] == 21
    assert got["Stage"]["select"]["name"] == "done"
    assert [o["name"] for o in got["Tags"]["multi_select"]] == ["a", "new"]
    assert got["Due"]["date"]["start"] == "2026-01-02"
    assert [p["id"] for p in got["Who"]["people"]] == [me["id"]]
    assert got["Files"]["files"][0]["external"]["url"] == "https://example.com/x.png"
    assert got["Done"]["checkbox"] is True
    assert got["Link"]["url"] == "https://example.com"
    assert got["Mail"]["email"] == "a@example.com"
    assert got["Phone"]["phone_number"] == "+1 555 0100"
    assert got["Double"]["formula"]["number"] == 42
    assert got["Maker"]["created_by"]["id"] == me["id"]
    assert got["Made"]["created_time"] == page["created_time"]
    assert got["Ref"]["unique_id"] == {"prefix": "T", "number": 1}
    for value in got.values():
        assert (
            value["id"] == schema[next(n for n in schema if schema[n]["id"] == value["id"])]["id"]
        )


def test_update_properties_and_timestamps_are_minute_rounded(sdk: Client, root: str) -> None:
    ds = make_data_source(sdk, root)
    page = row(sdk, ds, "Before", Count={"number": 1})
    assert page["created_time"].endswith(":00.000Z")
    updated = sdk.pages.update(
        page_id=page["id"],
        properties={
            "Name": {"title": text("After")},
            "Count": {"number": 5},
            "Stage": {"select": None},
        },
    )
    assert plain(updated["properties"]["Name"]["title"]) == "After"
    assert updated["properties"]["Count"]["number"] == 5
    assert updated["properties"]["Double"]["formula"]["number"] == 10
    assert updated["last_edited_time"].endswith(":00.000Z")
    db = sdk.databases.retrieve(
        database_id=sdk.data_sources.retrieve(data_source_id=ds)["parent"]["database_id"]
    )
    assert not db["created_time"].endswith(":00.000Z") or db["created_time"].count(".") == 1
    assert db["created_time"].endswith("+00:00")


def test_filters_sorts_and_pagination(sdk: Client, root: str) -> None:
    ds = make_data_source(sdk, root)
    for n in range(7):
        row(sdk, ds, f"row {n}", Count={"number": n}, Done={"checkbox": n % 2 == 0})
    answer = sdk.data_sources.query(
        data_source_id=ds,
        filter={
            "and": [
                {"property": "Count", "number": {"greater_than_or_equal_to": 2}},
                {"property": "Done", "checkbox": {"equals": True}},
            ]
        },
        sorts=[{"property": "Count", "direction": "descending"}],
    )
    assert [r["properties"]["Count"]["number"] for r in answer["results"]] == [6, 4, 2]
    seen: list[int] = []
    cursor = None
    while True:
        kwargs: dict[str, Any] = {
            "page_size": 3,
            "sorts": [{"property": "Count", "direction": "ascending"}],
        }
        if cursor:
            kwargs["start_cursor"] = cursor
        page = sdk.data_sources.query(data_source_id=ds, **kwargs)
        seen += [r["properties"]["Count"]["number"] for r in page["results"]]
        if not page["has_more"]:
            break
        cursor = page["next_cursor"]
    assert seen == list(range(7))
    with pytest.raises(APIResponseError) as bad:
        sdk.data_sources.query(
            data_source_id=ds, filter={"property": "Nope", "number": {"equals": 1}}
        )
    assert bad.value.code == APIErrorCode.ValidationError


def test_trash_and_restore(sdk: Client, root: str) -> None:
    ds = make_data_source(sdk, root)
    keep, gone = row(sdk, ds, "keep"), row(sdk, ds, "gone")
    trashed = sdk.pages.update(page_id=gone["id"], in_trash=True)
    assert trashed["in_trash"] is True
    assert trashed["archived"] is True
    ids = [r["id"] for r in sdk.data_sources.query(data_source_id=ds)["results"]]
    assert ids == [keep["id"]]
    with pytest.raises(APIResponseError) as edit:
        sdk.pages.update(page_id=gone["id"], properties={"Count": {"number": 1}})
    assert edit.value.code == APIErrorCode.ValidationError
    sdk.pages.update(page_id=gone["id"], in_trash=False)
    ids = {r["id"] for r in sdk.data_sources.query(data_source_id=ds)["results"]}
    assert ids == {keep["id"], gone["id"]}
    deleted = sdk.blocks.delete(block_id=keep["id"])
    assert deleted["type"] == "child_page"
    assert deleted["in_trash"] is True


def test_schema_changes(sdk: Client, root: str) -> None:
    ds = make_data_source(
        sdk, root, {"Name": {"title": {}}, "Count": {"number": {}}, "Old": {"rich_text": {}}}
    )
    page = row(sdk, ds, "x", Count={"number": 3}, Old={"rich_text": text("old")})
    count_id = sdk.data_sources.retrieve(data_source_id=ds)["properties"]["Count"]["id"]
    updated = sdk.data_sources.update(
        data_source_id=ds,
        properties={"Count": {"name": "Total"}, "Old": None, "Flag": {"checkbox": {}}},
    )
    props = updated["properties"]
    assert set(props) == {"Name", "Total", "Flag"}
    assert props["Total"]["id"] == count_id
    got = sdk.pages.retrieve(page_id=page["id"])["properties"]
    assert got["Total"]["number"] == 3
    assert got["Flag"]["checkbox"] is False
    assert "Old" not in got


def test_page_property_item_paginates(sdk: Client, root: str) -> None:
    page = sdk.pages.create(parent={"page_id": root}, properties={"title": text("Child")})
    item = sdk.pages.properties.retrieve(page_id=page["id"], property_id="title")
    assert item["object"] == "list"
    assert item["type"] == "property_item"
    assert plain([r["title"] for r in item["results"]]) == "Child"


def test_blocks_append_list_update_delete(sdk: Client, root: str) -> None:
    children = [
        {"paragraph": {"rich_text": text("p")}},
        {"heading_1": {"rich_text": text("h1")}},
        {"heading_2": {"rich_text": text("h2")}},
        {"heading_3": {"rich_text": text("h3")}},
        {"to_do": {"rich_text": text("todo"), "checked": True}},
        {"bulleted_list_item": {"rich_text": text("b")}},
        {"numbered_list_item": {"rich_text": text("n")}},
        {
            "toggle": {
                "rich_text": text("t"),
                "children": [{"paragraph": {"rich_text": text("inner")}}],
            }
        },
        {"code": {"rich_text": text("print(1)"), "language": "python"}},
        {"quote": {"rich_text": text("q")}},
        {"callout": {"rich_text": text("c"), "icon": {"emoji": "🔥"}}},
        {"divider": {}},
    ]
    added = sdk.blocks.children.append(block_id=root, children=children)["results"]
    assert [b["type"] for b in added] == [next(iter(c)) for c in children]
    listed = sdk.blocks.children.list(block_id=root, page_size=5)
    assert listed["has_more"] is True
    assert listed["next_cursor"] == added[5]["id"]
    toggle = next(b for b in added if b["type"] == "toggle")
    assert toggle["has_children"] is True
    inner = sdk.blocks.children.list(block_id=toggle["id"])["results"]
    assert plain(inner[0]["paragraph"]["rich_text"]) == "inner"
    para = added[0]
    changed = sdk.blocks.update(block_id=para["id"], paragraph={"rich_text": text("edited")})
    assert plain(changed["paragraph"]["rich_text"]) == "edited"
    sdk.blocks.delete(block_id=para["id"])
    remaining = sdk.blocks.children.list(block_id=root)["results"]
    assert para["id"] not in [b["id"] for b in remaining]
    child = sdk.pages.create(parent={"page_id": root}, properties={"title": text("Sub")})
    kinds = [b["type"] for b in sdk.blocks.children.list(block_id=root)["results"]]
    assert "child_page" in kinds
    assert sdk.blocks.retrieve(block_id=child["id"])["child_page"] == {"title": "Sub"}
    with pytest.raises(APIResponseError) as too_many:
        sdk.blocks.children.append(block_id=root, children=[{"divider": {}}] * 101)
    assert too_many.value.code == APIErrorCode.ValidationError


def test_search_users_and_comments(sdk: Client, root: str) -> None:
    ds = make_data_source(sdk, root)
    row(sdk, ds, "Findable thing")
    found = sdk.search(query="findable", filter={"property": "object", "value": "page"})
    assert [plain(r["properties"]["Name"]["title"]) for r in found["results"]] == ["Findable thing"]
    sources = sdk.search(filter={"property": "object", "value": "data_source"})["results"]
    assert [s["id"] for s in sources] == [ds]
    ordered = sdk.search(
        sort={"timestamp": "last_edited_time", "direction": "ascending"}, page_size=1
    )
    assert ordered["has_more"] is True
    me = sdk.users.me()
    assert me["type"] == "bot"
    assert sdk.users.retrieve(user_id=me["id"])["id"] == me["id"]
    assert me["id"] in [u["id"] for u in sdk.users.list()["results"]]
    comment = sdk.comments.create(parent={"page_id": root}, rich_text=text("hello"))
    assert comment["object"] == "comment"
    reply = sdk.comments.create(discussion_id=comment["discussion_id"], rich_text=text("again"))
    listed = sdk.comments.list(block_id=root)["results"]
    assert [c["id"] for c in listed] == [comment["id"], reply["id"]]


def test_errors_have_notion_codes(sdk: Client, root: str) -> None:
    with pytest.raises(APIResponseError) as missing:
        sdk.pages.retrieve(page_id="00000000000000000000000000000000")
    assert missing.value.code == APIErrorCode.ObjectNotFound
    ds = make_data_source(sdk, root)
    with pytest.raises(APIResponseError) as unknown:
        row(sdk, ds, "x", Nope={"number": 1})
    assert unknown.value.code == APIErrorCode.ValidationError
    assert "Nope" in str(unknown.value)
    with pytest.raises(APIResponseError) as wrong_type:
        row(sdk, ds, "x", Count={"number": "three"})
    assert wrong_type.value.code == APIErrorCode.ValidationError
    assert "Count" in str(wrong_type.value)
    with pytest.raises(APIResponseError) as empty:
        row(sdk, ds, "x", Mail={"email": ""})
    assert empty.value.code == APIErrorCode.ValidationError


def test_two_way_relations_stay_symmetric(sdk: Client, root: str) -> None:
    people = make_data_source(sdk, root, {"Name": {"title": {}}})
    tasks = make_data_source(
        sdk,
        root,
        {
            "Name": {"title": {}},
            "Owner": {"relation": {"data_source_id": people, "dual_property": {}}},
            "Hours": {"number": {}},
        },
    )
    back = [
        p
        for p in sdk.data_sources.retrieve(data_source_id=people)["properties"].values()
        if p["type"] == "relation"
    ]
    assert len(back) == 1
    assert back[0]["relation"]["data_source_id"] == tasks
    ann = row(sdk, people, "Ann")
    task = row(sdk, tasks, "Write", Owner={"relation": [{"id": ann["id"]}]})
    assert sdk.pages.retrieve(page_id=ann["id"])["properties"][back[0]["name"]]["relation"] == [
        {"id": task["id"]}
    ]
    sdk.pages.update(page_id=task["id"], properties={"Owner": {"relation": []}})
    assert sdk.pages.retrieve(page_id=ann["id"])["properties"][back[0]["name"]]["relation"] == []


def test_rollups_follow_related_pages(sdk: Client, root: str) -> None:
    items = make_data_source(sdk, root, {"Name": {"title": {}}, "Price": {"number": {}}})
    orders = make_data_source(
        sdk,
        root,
        {
            "Name": {"title": {}},
            "Items": {"relation": {"data_source_id": items, "single_property": {}}},
        },
    )
    sdk.data_sources.update(
        data_source_id=orders,
        properties={
            "Total": {
                "rollup": {
                    "relation_property_name": "Items",
                    "rollup_property_name": "Price",
                    "function": "sum",
                }
            }
        },
    )
    a, b = row(sdk, items, "a", Price={"number": 2}), row(sdk, items, "b", Price={"number": 3})
    order = row(sdk, orders, "o", Items={"relation": [{"id": a["id"]}, {"id": b["id"]}]})
    assert order["properties"]["Total"]["rollup"]["number"] == 5
    sdk.pages.update(page_id=b["id"], properties={"Price": {"number": 10}})
    again = sdk.pages.retrieve(page_id=order["id"])["properties"]["Total"]["rollup"]
    assert again["number"] == 12


def test_media_tables_columns_and_links(sdk: Client, root: str) -> None:
    image = {"image": {"external": {"url": "https://example.com/a.png"}, "caption": text("cap")}}
    table = {
        "table": {
            "table_width": 2,
            "has_column_header": True,
            "children": [{"table_row": {"cells": [text("a"), text("b")]}}],
        }
    }
    columns = {
        "column_list": {
            "children": [
                {"column": {"children": [{"paragraph": {"rich_text": text("left")}}]}},
                {"column": {"children": [{"paragraph": {"rich_text": text("right")}}]}},
            ]
        }
    }
    extras = [
        image,
        {"file": {"external": {"url": "https://example.com/robots.txt"}}},
        {"embed": {"url": "https://example.com"}},
        {"bookmark": {"url": "https://example.com"}},
        {"equation": {"expression": "e=mc^2"}},
        {"table_of_contents": {}},
        {"breadcrumb": {}},
        {"link_to_page": {"page_id": root}},
        {"synced_block": {"synced_from": None}},
        table,
        columns,
    ]
    added = sdk.blocks.children.append(block_id=root, children=extras)["results"]
    assert [b["type"] for b in added] == [next(iter(e)) for e in extras]
    assert added[0]["image"]["external"]["url"] == "https://example.com/a.png"
    assert added[1]["file"]["name"] == "robots.txt"
    rows = sdk.blocks.children.list(block_id=added[9]["id"])["results"]
    assert plain(rows[0]["table_row"]["cells"][1]) == "b"
    cols = sdk.blocks.children.list(block_id=added[10]["id"])["results"]
    left = sdk.blocks.children.list(block_id=cols[0]["id"])["results"]
    assert plain(left[0]["paragraph"]["rich_text"]) == "left"
    with pytest.raises(APIResponseError) as bad:
        sdk.blocks.children.append(block_id=root, children=[{"table": {"table_width": 0}}])
    assert bad.value.code == APIErrorCode.ValidationError
    icon = sdk.pages.update(
        page_id=root, icon={"type": "icon", "icon": {"name": "snake", "color": "purple"}}
    )
    assert icon["icon"] == {"type": "icon", "icon": {"name": "snake", "color": "purple"}}
    linked = {
        "type": "external",
        "external": {"url": "https://www.notion.so/icons/snake_purple.svg"},
    }
    assert sdk.pages.update(page_id=root, icon=linked)["icon"] == icon["icon"]
    assert sdk.pages.update(page_id=root, icon=None)["icon"] is None


def test_property_item_pages_through_a_long_relation(sdk: Client, root: str) -> None:
    targets = make_data_source(sdk, root, {"Name": {"title": {}}})
    holder = make_data_source(
        sdk,
        root,
        {
            "Name": {"title": {}},
            "Links": {"relation": {"data_source_id": targets, "single_property": {}}},
        },
    )
    ids = [row(sdk, targets, f"t{n}")["id"] for n in range(30)]
    page = row(sdk, holder, "h", Links={"relation": [{"id": i} for i in ids]})
    shown = sdk.pages.retrieve(page_id=page["id"])["properties"]["Links"]
    assert len(shown["relation"]) == 25
    assert shown["has_more"] is True
    prop_id = sdk.data_sources.retrieve(data_source_id=holder)["properties"]["Links"]["id"]
    seen: list[str] = []
    cursor = None
    while True:
        kwargs: dict[str, Any] = {"page_size": 10}
        if cursor:
            kwargs["start_cursor"] = cursor
        item = sdk.pages.properties.retrieve(page_id=page["id"], property_id=prop_id, **kwargs)
        seen += [r["relation"]["id"] for r in item["results"]]
        if not item["has_more"]:
            break
        cursor = item["next_cursor"]
    assert seen == ids


def test_changing_a_property_type_converts_values(sdk: Client, root: str) -> None:
    ds = make_data_source(sdk, root, {"Name": {"title": {}}, "Amount": {"rich_text": {}}})
    page = row(sdk, ds, "x", Amount={"rich_text": text("42")})
    updated = sdk.data_sources.update(data_source_id=ds, properties={"Amount": {"number": {}}})
    assert updated["properties"]["Amount"]["type"] == "number"
    assert sdk.pages.retrieve(page_id=page["id"])["properties"]["Amount"]["number"] == 42


def test_move_page_retrieve_comment_and_templates(sdk: Client, root: str) -> None:
    a = sdk.pages.create(parent={"page_id": root}, properties={"title": text("A")})
    b = sdk.pages.create(parent={"page_id": root}, properties={"title": text("B")})
    moved = sdk.pages.move(page_id=b["id"], parent={"page_id": a["id"]})
    assert moved["parent"] == {"type": "page_id", "page_id": a["id"]}
    assert [c["id"] for c in sdk.blocks.children.list(block_id=a["id"])["results"]] == [b["id"]]
    assert b["id"] not in [c["id"] for c in sdk.blocks.children.list(block_id=root)["results"]]
    with pytest.raises(APIResponseError) as cycle:
        sdk.pages.move(page_id=a["id"], parent={"page_id": b["id"]})
    assert cycle.value.code == APIErrorCode.ValidationError
    comment = sdk.comments.create(parent={"page_id": a["id"]}, rich_text=text("note"))
    assert sdk.comments.retrieve(comment_id=comment["id"])["id"] == comment["id"]
    ds = make_data_source(sdk, root, {"Name": {"title": {}}})
    assert sdk.data_sources.list_templates(data_source_id=ds) == {
        "templates": [],
        "has_more": False,
        "next_cursor": None,
    }
