"""Two-way relations across data sources, relation answers cut at 25, unknown-key updates."""

from __future__ import annotations

from typing import Any

import pytest

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.properties import (
    apply_backlink,
    dual_relation_edits,
    related_data_sources,
    response_properties,
    sync_dual_relations,
    update_schema,
)


def linked(world: Any) -> tuple[str, str]:
    customers = world.data_source({"Name": {"title": {}}}, title="Customers")
    items = world.data_source(
        {
            "Item": {"title": {}},
            "Bought by": {
                "relation": {
                    "data_source_id": customers,
                    "type": "dual_property",
                    "dual_property": {},
                }
            },
        },
        title="Items",
    )
    synced = sync_dual_relations(
        items, world.schema(items), customers, world.schema(customers), ctx=world.ctx(items)
    )
    assert synced is not None
    world.data_sources[customers]["properties"] = synced
    return items, customers


def test_dual_relation_adds_the_synced_property(world: Any) -> None:
    items, customers = linked(world)
    source = world.schema(items)["Bought by"]
    back = world.schema(customers)["Related to Items (Bought by)"]
    assert back["id"] == source["relation"]["dual_property"]["synced_property_id"]
    assert back["relation"] == {
        "database_id": world.data_sources[items]["parent"]["database_id"],
        "data_source_id": items,
        "type": "dual_property",
        "dual_property": {"synced_property_name": "Bought by", "synced_property_id": source["id"]},
    }
    assert related_data_sources(world.schema(items)) == {customers}
    again = sync_dual_relations(
        items, world.schema(items), customers, world.schema(customers), ctx=world.ctx(items)
    )
    assert again is None  # already in step


def test_rename_and_one_way_follow_on_the_other_side(world: Any) -> None:
    items, customers = linked(world)
    renamed = update_schema(
        world.schema(items), {"Bought by": {"name": "Buyers"}}, ctx=world.ctx(items)
    )
    other = sync_dual_relations(
        items, renamed, customers, world.schema(customers), ctx=world.ctx(items)
    )
    assert other is not None
    assert (
        other["Related to Items (Bought by)"]["relation"]["dual_property"]["synced_property_name"]
        == "Buyers"
    )
    one_way = update_schema(
        renamed,
        {"Buyers": {"relation": {"data_source_id": customers, "single_property": {}}}},
        ctx=world.ctx(items),
    )
    assert one_way["Buyers"]["relation"]["type"] == "single_property"
    other = sync_dual_relations(items, one_way, customers, other, ctx=world.ctx(items))
    assert other is not None
    back = other["Related to Items (Bought by)"]["relation"]
    assert back["type"] == "single_property"
    assert "dual_property" not in back


def test_page_writes_mirror_into_related_pages(world: Any) -> None:
    items, customers = linked(world)
    alice = world.create(customers, {"Name": {"title": [{"text": {"content": "Alice"}}]}})
    bob = world.create(customers, {})
    item = world.create(items, {})
    updated = world.update(
        item, {"Bought by": {"relation": [{"id": alice["id"]}, {"id": bob["id"]}]}}
    )
    edits = dual_relation_edits(world.schema(items), item["properties"], updated["properties"])
    synced_id = world.schema(items)["Bought by"]["relation"]["dual_property"]["synced_property_id"]
    assert edits == [(customers, synced_id, [alice["id"], bob["id"]], [])]
    values = apply_backlink(
        world.schema(customers), alice["properties"], synced_id, item["id"], add=True
    )
    assert values is not None
    assert values["Related to Items (Bought by)"]["relation"] == [{"id": item["id"]}]
    assert apply_backlink(world.schema(customers), values, synced_id, item["id"], add=True) is None
    removed = apply_backlink(world.schema(customers), values, synced_id, item["id"], add=False)
    assert removed is not None
    assert removed["Related to Items (Bought by)"]["relation"] == []
    later = world.update(updated, {"Bought by": {"relation": [{"id": bob["id"]}]}})
    assert dual_relation_edits(world.schema(items), updated["properties"], later["properties"]) == [
        (customers, synced_id, [], [alice["id"]])
    ]


def test_page_answers_show_25_related_pages(world: Any) -> None:
    targets = world.data_source({"T": {"title": {}}})
    pages = [world.create(targets, {}) for _ in range(30)]
    ds = world.data_source({"N": {"title": {}}, "R": {"relation": {"data_source_id": targets}}})
    page = world.create(ds, {"R": {"relation": [{"id": p["id"]} for p in pages]}})
    shown = response_properties(page["properties"])
    assert len(shown["R"]["relation"]) == 25
    assert shown["R"]["has_more"] is True
    assert len(page["properties"]["R"]["relation"]) == 30  # stored values untouched
    small = world.create(ds, {"R": {"relation": [{"id": pages[0]["id"]}]}})
    assert response_properties(small["properties"]) is small["properties"]


def test_updating_an_unknown_key_without_a_type_says_it_does_not_exist(world: Any) -> None:
    ds = world.data_source({"N": {"title": {}}})
    with pytest.raises(ValidationError) as info:
        update_schema(world.schema(ds), {"kt%60c": {"name": "Bought by"}}, ctx=world.ctx(ds))
    assert info.value.message == "kt%60c is not a property that exists."
