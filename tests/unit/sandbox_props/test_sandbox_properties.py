"""Schemas and page values of every property type: writes, read-only rules, errors, limits."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.properties import (
    READ_ONLY,
    convert_value,
    create_schema,
    empty_value,
    property_item,
    update_page_properties,
    update_schema,
)

ALL_TYPES: dict[str, Any] = {
    "Name": {"title": {}},
    "Text": {"rich_text": {}},
    "Price": {"number": {"format": "dollar"}},
    "Priority": {"select": {"options": [{"name": "High", "color": "red"}, {"name": "Low"}]}},
    "Tags": {"multi_select": {"options": [{"name": "a"}, {"name": "b", "color": "blue"}]}},
    "Status": {"status": {}},
    "Due": {"date": {}},
    "Owner": {"people": {}},
    "Files": {"files": {}},
    "Done": {"checkbox": {}},
    "Link": {"url": {}},
    "Mail": {"email": {}},
    "Phone": {"phone_number": {}},
    "Double": {"formula": {"expression": 'prop("Price") * 2'}},
    "Created": {"created_time": {}},
    "Creator": {"created_by": {}},
    "Edited": {"last_edited_time": {}},
    "Editor": {"last_edited_by": {}},
    "ID": {"unique_id": {"prefix": "TASK"}},
    "Verified": {"verification": {}},
    "Go": {"button": {}},
}


def val(page: dict[str, Any], name: str) -> Any:
    prop = page["properties"][name]
    return prop[prop["type"]]


def error(fn: Any, *args: Any, **kwargs: Any) -> str:
    with pytest.raises(ValidationError) as info:
        fn(*args, **kwargs)
    return info.value.message


@pytest.fixture
def ds(world: Any) -> str:
    return world.data_source(ALL_TYPES)


# ---- schemas -----------------------------------------------------------------------------------


def test_schema_has_response_shape_for_every_type(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    assert set(schema) == set(ALL_TYPES)
    for name, prop in schema.items():
        assert set(prop) == {"id", "name", "description", "type", prop["type"]}
        assert prop["name"] == name
        assert prop["description"] is None
    assert schema["Name"]["id"] == "title"
    assert schema["Price"]["number"] == {"format": "dollar"}
    assert schema["ID"]["unique_id"] == {"prefix": "TASK"}
    assert schema["Done"]["checkbox"] == {}
    opts = schema["Priority"]["select"]["options"]
    assert [(o["name"], o["color"], o["description"]) for o in opts] == [
        ("High", "red", None),
        ("Low", "default", None),
    ]
    assert all(re.fullmatch(r"[0-9a-f-]{36}", o["id"]) for o in opts)


def test_property_ids_are_short_url_encoded_and_unique(world: Any, ds: str) -> None:
    ids = [p["id"] for p in world.schema(ds).values()]
    assert len(set(ids)) == len(ids)
    for pid in ids:
        if pid != "title":
            assert len(unquote(pid)) == 4
            assert re.fullmatch(r"[A-Za-z0-9%_.~-]+", pid)


def test_schema_order_is_notions_decoded_ids_then_title(world: Any, ds: str) -> None:
    ids = [p["id"] for p in world.schema(ds).values()]
    assert ids[-1] == "title"
    decoded = [unquote(i) for i in ids[:-1]]
    assert decoded == sorted(decoded)


def test_status_without_config_gets_notions_default_options_and_groups(world: Any, ds: str) -> None:
    status = world.schema(ds)["Status"]["status"]
    assert [(o["name"], o["color"]) for o in status["options"]] == [
        ("Not started", "default"),
        ("In progress", "blue"),
        ("Done", "green"),
    ]
    groups = status["groups"]
    assert [(g["name"], g["color"]) for g in groups] == [
        ("To-do", "gray"),
        ("In progress", "blue"),
        ("Complete", "green"),
    ]
    assert [g["option_ids"] for g in groups] == [[o["id"]] for o in status["options"]]


def test_status_with_own_options_puts_them_in_to_do(world: Any) -> None:
    ds = world.data_source(
        {"N": {"title": {}}, "S": {"status": {"options": [{"name": "Backlog"}]}}}
    )
    status = world.schema(ds)["S"]["status"]
    assert status["groups"][0]["option_ids"] == [status["options"][0]["id"]]


def test_relation_and_rollup_configs_have_both_ids(world: Any) -> None:
    other = world.data_source({"Item": {"title": {}}, "Cost": {"number": {}}}, title="Items")
    ds = world.data_source(
        {
            "Name": {"title": {}},
            "Items": {"relation": {"data_source_id": other, "single_property": {}}},
            "Total": {
                "rollup": {
                    "function": "sum",
                    "relation_property_name": "Items",
                    "rollup_property_name": "Cost",
                }
            },
            "Both": {
                "relation": {"data_source_id": other, "type": "dual_property", "dual_property": {}}
            },
        }
    )
    schema = world.schema(ds)
    rel = schema["Items"]["relation"]
    assert rel == {
        "database_id": world.data_sources[other]["parent"]["database_id"],
        "data_source_id": other,
        "type": "single_property",
        "single_property": {},
    }
    roll = schema["Total"]["rollup"]
    assert roll["relation_property_id"] == unquote(schema["Items"]["id"])
    assert roll["rollup_property_id"] == unquote(world.schema(other)["Cost"]["id"])
    assert roll["function"] == "sum"
    dual = schema["Both"]["relation"]["dual_property"]
    assert dual["synced_property_name"] == "Related to Tasks (Both)"
    assert dual["synced_property_id"] not in {p["id"] for p in world.schema(other).values()}


def test_formula_expression_is_stored_by_property_id(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    expr = schema["Double"]["formula"]["expression"]
    ref = f"notion:block_property:{schema['Price']['id']}:{ds}:{world.ctx(ds).workspace_id}"
    assert expr == "{{" + ref + "}} * 2"


@pytest.mark.parametrize(
    ("properties", "fragment"),
    [
        ({"A": {"number": {"format": "bitcoin"}}}, "body.properties.A.number.format"),
        ({"A": {"select": {"options": [{"name": "x,y"}]}}}, "should not contain commas"),
        ({"A": {"select": {"options": [{"name": "x"}, {"name": "x"}]}}}, "unique"),
        ({"A": {"select": {"options": [{"name": "x", "color": "teal"}]}}}, "color"),
        ({"A": {"wat": {}}}, "body.properties.A.wat"),
        ({"A": {}}, "body.properties.A.type should be defined"),
        ({"A": {"type": "number", "checkbox": {}}}, "body.properties.A.checkbox"),
        ({"A": {"formula": {}}}, "body.properties.A.formula.expression should be defined"),
        ({"A": {"rollup": {"function": "sum"}}}, "relation_property_name"),
        ({"A": {"relation": {"data_source_id": "nope"}}}, "should be a valid uuid"),
        ({"A": {"title": {}}, "B": {"title": {}}}, "second title"),
        ({"A": "x"}, "body.properties.A should be an object"),
    ],
)
def test_bad_schema_requests_name_the_path(world: Any, properties: Any, fragment: str) -> None:
    assert fragment in error(create_schema, properties, ctx=world.ctx("x"))


def test_schema_without_title_gets_name(world: Any) -> None:
    schema = create_schema({"N": {"number": {}}}, ctx=world.ctx("x"))
    assert schema["Name"] == {
        "id": "title",
        "name": "Name",
        "description": None,
        "type": "title",
        "title": {},
    }


# ---- schema evolution --------------------------------------------------------------------------


def test_rename_by_name_or_id_keeps_the_id(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    pid = schema["Price"]["id"]
    renamed = update_schema(schema, {pid: {"name": "Cost"}}, ctx=world.ctx(ds))
    assert "Price" not in renamed
    assert renamed["Cost"]["id"] == pid
    again = update_schema(renamed, {"Cost": {"name": "Amount"}}, ctx=world.ctx(ds))
    assert again["Amount"]["id"] == pid
    assert again["Amount"]["number"] == {"format": "dollar"}
    assert schema["Price"]["id"] == pid  # input untouched


def test_rename_title_allowed_remove_title_refused(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    assert (
        update_schema(schema, {"title": {"name": "Task"}}, ctx=world.ctx(ds))["Task"]["id"]
        == "title"
    )
    assert "title" in error(update_schema, schema, {"Name": None}, ctx=world.ctx(ds))
    assert "title" in error(update_schema, schema, {"Name": {"number": {}}}, ctx=world.ctx(ds))


def test_add_remove_and_retype(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    out = update_schema(
        schema, {"New": {"email": {}}, "Link": None, "Done": {"rich_text": {}}}, ctx=world.ctx(ds)
    )
    assert out["New"]["type"] == "email"
    assert "Link" not in out
    assert out["Done"]["type"] == "rich_text"
    assert "checkbox" not in out["Done"]
    assert out["Done"]["id"] == schema["Done"]["id"]
    assert (
        error(update_schema, schema, {"Ghost": None}, ctx=world.ctx(ds))
        == "Ghost is not a property that exists."
    )
    assert "already the name" in error(
        update_schema, schema, {"Price": {"name": "Text"}}, ctx=world.ctx(ds)
    )


def test_option_update_replaces_list_keeping_ids(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    high = schema["Priority"]["select"]["options"][0]
    out = update_schema(
        schema,
        {
            "Priority": {
                "select": {
                    "options": [
                        {"id": high["id"], "name": "Urgent"},
                        {"name": "Mid", "color": "yellow"},
                    ]
                }
            }
        },
        ctx=world.ctx(ds),
    )
    opts = out["Priority"]["select"]["options"]
    assert [o["name"] for o in opts] == ["Urgent", "Mid"]
    assert opts[0]["id"] == high["id"]
    assert opts[0]["color"] == "red"


def test_number_format_and_unique_id_prefix_updates(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    out = update_schema(
        schema,
        {"Price": {"number": {"format": "euro"}}, "ID": {"unique_id": {}}},
        ctx=world.ctx(ds),
    )
    assert out["Price"]["number"] == {"format": "euro"}
    assert out["ID"]["unique_id"] == {"prefix": "TASK"}


# ---- page values -----------------------------------------------------------------------------

WRITES: dict[str, Any] = {
    "Name": {"title": [{"text": {"content": "Write tests"}}]},
    "Text": {
        "rich_text": [
            {
                "text": {"content": "hi", "link": {"url": "https://x.test"}},
                "annotations": {"bold": True},
            }
        ]
    },
    "Price": {"number": 21.5},
    "Priority": {"select": {"name": "High"}},
    "Tags": {"multi_select": [{"name": "a"}, {"name": "fresh"}]},
    "Status": {"status": {"name": "In progress"}},
    "Due": {"date": {"start": "2026-07-01T09:30:45", "time_zone": "Europe/Berlin"}},
    "Owner": {"people": [{"object": "user", "id": "00000000-0000-4000-8000-0000000000fa"}]},
    "Files": {"files": [{"name": "spec", "external": {"url": "https://x.test/spec.pdf"}}]},
    "Done": {"checkbox": True},
    "Link": {"url": "https://example.com"},
    "Mail": {"email": "a@b.test"},
    "Phone": {"phone_number": "+49 30 1234"},
}


def test_every_writable_type_round_trips_in_response_shape(world: Any, ds: str) -> None:
    page = world.create(ds, WRITES)
    schema = world.schema(ds)
    for name, prop in page["properties"].items():
        assert prop["id"] == schema[name]["id"]
        assert prop["type"] == schema[name]["type"]
    assert val(page, "Name")[0]["plain_text"] == "Write tests"
    text = val(page, "Text")[0]
    assert text["href"] == "https://x.test"
    assert text["annotations"]["bold"] is True
    assert val(page, "Price") == 21.5
    assert val(page, "Priority")["name"] == "High"
    assert set(val(page, "Priority")) == {
        "id",
        "name",
        "color",
    }
    assert [t["name"] for t in val(page, "Tags")] == ["a", "fresh"]
    assert val(page, "Status")["name"] == "In progress"
    assert val(page, "Due") == {
        "start": "2026-07-01T09:30:00.000+02:00",
        "end": None,
        "time_zone": None,
    }
    assert val(page, "Owner")[0]["name"] == "Alice"
    assert val(page, "Owner")[0]["person"]["email"]
    assert val(page, "Files") == [
        {"name": "spec", "type": "external", "external": {"url": "https://x.test/spec.pdf"}}
    ]
    assert val(page, "Done") is True
    assert (val(page, "Link"), val(page, "Mail"), val(page, "Phone")) == (
        "https://example.com",
        "a@b.test",
        "+49 30 1234",
    )
    assert val(page, "Double") == {"type": "number", "number": 43}
    assert val(page, "Created") == world.now
    assert val(page, "Edited") == world.now
    assert val(page, "Creator")["name"] == "Sandbox Bot"
    assert val(page, "Creator")["bot"] == {}
    assert val(page, "ID") == {"prefix": "TASK", "number": 1}
    assert val(page, "Verified") == {"state": "unverified", "date": None, "verified_by": None}
    assert val(page, "Go") == {}


def test_new_select_names_create_options_in_the_schema(world: Any, ds: str) -> None:
    page = world.create(
        ds, {"Priority": {"select": {"name": "Someday"}}, "Tags": {"multi_select": [{"name": "x"}]}}
    )
    opts = world.schema(ds)["Priority"]["select"]["options"]
    assert opts[-1]["name"] == "Someday"
    assert opts[-1]["id"] == val(page, "Priority")["id"]
    again = world.create(ds, {"Priority": {"select": {"name": "Someday"}}})
    assert val(again, "Priority")["id"] == opts[-1]["id"]
    assert [o["name"] for o in world.schema(ds)["Tags"]["multi_select"]["options"]][-1] == "x"


def test_status_must_name_an_existing_option(world: Any, ds: str) -> None:
    assert "body.properties.Status.status.name" in error(
        world.create, ds, {"Status": {"status": {"name": "Nope"}}}
    )


def test_empty_page_values_and_defaults(world: Any, ds: str) -> None:
    page = world.create(ds, {})
    assert val(page, "Name") == []
    assert val(page, "Tags") == []
    assert val(page, "Price") is None
    assert val(page, "Done") is False
    assert val(page, "Status")["name"] == "Not started"
    assert page["properties"]["ID"]["unique_id"]["number"] == 1
    second = world.create(ds, {})
    assert val(second, "ID")["number"] == 2


def test_null_clears_and_write_by_property_id(world: Any, ds: str) -> None:
    page = world.create(ds, WRITES)
    schema = world.schema(ds)
    cleared = world.update(
        page,
        {
            schema["Price"]["id"]: {"number": None},
            "Priority": {"select": None},
            "Due": {"date": None},
            "Link": {"url": None},
        },
    )
    assert val(cleared, "Price") is None
    assert val(cleared, "Priority") is None
    assert val(cleared, "Due") is None
    assert val(cleared, "Link") is None
    assert val(cleared, "Name")[0]["plain_text"] == "Write tests"  # untouched


@pytest.mark.parametrize(
    "name", sorted(n for n, c in ALL_TYPES.items() if next(iter(c)) in READ_ONLY)
)
def test_read_only_types_are_refused(world: Any, ds: str, name: str) -> None:
    kind = next(iter(ALL_TYPES[name]))
    message = error(world.create, ds, {name: {kind: {}}})
    assert f"body.properties.{name}.{kind} should be not present" in message
    assert "cannot write" in message


@pytest.mark.parametrize(
    ("write", "expected"),
    [
        (
            {"Price": {"number": "abc"}},
            'body.properties.Price.number should be a number or `null`, instead was `"abc"`.',
        ),
        ({"Done": {"checkbox": "yes"}}, "body.properties.Done.checkbox should be a boolean"),
        ({"Link": {"url": ""}}, "body.properties.Link.url.length should be ≥ 1, instead was `0`."),
        ({"Mail": {"email": "x" * 201}}, "body.properties.Mail.email.length should be ≤ 200"),
        ({"Link": {"url": "x" * 2001}}, "body.properties.Link.url.length should be ≤ 2000"),
        ({"Price": {"select": {"name": "x"}}}, "Price is expected to be number."),
        ({"Price": {"type": "select", "number": 1}}, "Price is expected to be number."),
        ({"Nope": {"number": 1}}, "Nope is not a property that exists."),
        ({"Price": 5}, "body.properties.Price should be an object, instead was `5`."),
        ({"Price": {}}, "body.properties.Price.number should be defined, instead was `undefined`."),
        (
            {"Due": {"date": {"start": "tomorrow"}}},
            "body.properties.Due.date.start should be a valid ISO 8601 date",
        ),
        ({"Due": {"date": {"start": "2026-01-01", "time_zone": "Mars/Base"}}}, "time_zone"),
        (
            {"Due": {"date": {"start": "2026-01-02", "end": "2026-01-01"}}},
            "body.properties.Due.date.end",
        ),
        (
            {"Owner": {"people": [{"id": "00000000-0000-4000-8000-000000000099"}]}},
            "body.properties.Owner.people[0].id",
        ),
        (
            {"Tags": {"multi_select": [{"name": f"t{i}"} for i in range(101)]}},
            "multi_select.length should be ≤ 100",
        ),
        (
            {"Tags": {"multi_select": [{"name": ""}]}},
            "body.properties.Tags.multi_select[0].name.length should be ≥ 1",
        ),
        (
            {"Name": {"title": [{"text": {"content": "x" * 2001}}]}},
            "title[0].text.content.length should be ≤ 2000",
        ),
        (
            {"Name": {"title": [{"text": {"content": "x"}}] * 101}},
            "body.properties.Name.title.length should be ≤ 100",
        ),
        (
            {"Files": {"files": [{"name": "f", "external": {"url": ""}}]}},
            "files[0].external.url.length should be ≥ 1",
        ),
        ({"Verified": {"verification": {"state": "maybe"}}}, "verification.state"),
    ],
)
def test_wrong_values_name_the_path(world: Any, ds: str, write: Any, expected: str) -> None:
    assert expected in error(world.create, ds, write)


def test_properties_must_be_an_object(world: Any, ds: str) -> None:
    assert "body.properties should be an object" in error(world.create, ds, [])


def test_verification_can_be_set_and_cleared(world: Any, ds: str) -> None:
    page = world.create(
        ds, {"Verified": {"verification": {"state": "verified", "date": {"start": "2026-07-01"}}}}
    )
    v = val(page, "Verified")
    assert v["state"] == "verified"
    assert v["date"]["start"] == "2026-07-01"
    assert v["verified_by"]["id"]
    assert (
        val(
            world.update(page, {"Verified": {"verification": {"state": "unverified"}}}), "Verified"
        )["state"]
        == "unverified"
    )


def test_files_of_every_kind(world: Any, ds: str) -> None:
    upload = "11111111-2222-4333-8444-555555555555"
    page = world.create(
        ds,
        {
            "Files": {
                "files": [
                    {"type": "external", "name": "a", "external": {"url": "https://x.test/a"}},
                    {
                        "name": "b",
                        "file": {
                            "url": "https://s3.test/b",
                            "expiry_time": "2026-07-01T00:00:00.000Z",
                        },
                    },
                    {"name": "c.png", "file_upload": {"id": upload}},
                ]
            }
        },
    )
    files = val(page, "Files")
    assert [f["type"] for f in files] == ["external", "file", "file"]
    assert files[1]["file"] == {
        "url": "https://s3.test/b",
        "expiry_time": "2026-07-01T00:00:00.000Z",
    }
    assert upload in files[2]["file"]["url"]
    assert files[2]["file"]["expiry_time"] == "2026-06-27T18:01:00.000Z"


def test_dates_keep_date_only_and_round_date_times(world: Any, ds: str) -> None:
    cases = {
        "2026-07-01": "2026-07-01",
        "2026-07-01T10:11:12Z": "2026-07-01T10:11:00.000+00:00",
        "2026-07-01T10:11:12.999+05:30": "2026-07-01T10:11:00.000+05:30",
        "2026-07-01T10:11:12": "2026-07-01T10:11:00.000+00:00",
    }
    for written, stored in cases.items():
        assert (
            val(world.create(ds, {"Due": {"date": {"start": written}}}), "Due")["start"] == stored
        )
    ranged = world.create(ds, {"Due": {"date": {"start": "2026-07-01", "end": "2026-07-03"}}})
    assert val(ranged, "Due") == {"start": "2026-07-01", "end": "2026-07-03", "time_zone": None}


def test_relation_values_and_rollups(world: Any) -> None:
    items = world.data_source(
        {
            "Item": {"title": {}},
            "Cost": {"number": {}},
            "When": {"date": {}},
            "Ok": {"checkbox": {}},
        }
    )
    a = world.create(
        items,
        {
            "Item": {"title": [{"text": {"content": "A"}}]},
            "Cost": {"number": 3},
            "When": {"date": {"start": "2026-01-05"}},
            "Ok": {"checkbox": True},
        },
    )
    b = world.create(
        items,
        {
            "Item": {"title": [{"text": {"content": "B"}}]},
            "Cost": {"number": 4},
            "When": {"date": {"start": "2026-01-02"}},
        },
    )
    c = world.create(items, {"Item": {"title": [{"text": {"content": "C"}}]}})

    def roll(function: str, prop: str) -> Any:
        return {
            "rollup": {
                "function": function,
                "relation_property_name": "Items",
                "rollup_property_name": prop,
            }
        }

    orders = world.data_source(
        {
            "Order": {"title": {}},
            "Items": {"relation": {"data_source_id": items, "single_property": {}}},
            "Count": roll("count", "Item"),
            "Values": roll("count_values", "Cost"),
            "Sum": roll("sum", "Cost"),
            "Avg": roll("average", "Cost"),
            "Min": roll("min", "Cost"),
            "Max": roll("max", "Cost"),
            "Earliest": roll("earliest_date", "When"),
            "Range": roll("date_range", "When"),
            "Checked": roll("percent_checked", "Ok"),
            "Original": roll("show_original", "Cost"),
        }
    )
    refs = [{"id": a["id"]}, {"id": b["id"]}, {"id": c["id"]}, {"id": a["id"]}]
    order = world.create(orders, {"Items": {"relation": refs}})
    rel = order["properties"]["Items"]
    assert rel["relation"] == [{"id": a["id"]}, {"id": b["id"]}, {"id": c["id"]}]
    assert rel["has_more"] is False
    assert val(order, "Count") == {"type": "number", "number": 3, "function": "count"}
    assert val(order, "Values")["number"] == 2
    assert val(order, "Sum")["number"] == 7
    assert val(order, "Avg")["number"] == 3.5
    assert (val(order, "Min")["number"], val(order, "Max")["number"]) == (3, 4)
    assert val(order, "Earliest") == {
        "type": "date",
        "date": {"start": "2026-01-02", "end": None, "time_zone": None},
        "function": "earliest_date",
    }
    assert val(order, "Range")["date"] == {
        "start": "2026-01-02",
        "end": "2026-01-05",
        "time_zone": None,
    }
    assert val(order, "Checked")["number"] == pytest.approx(1 / 3)
    assert val(order, "Original") == {
        "type": "array",
        "array": [
            {"type": "number", "number": 3},
            {"type": "number", "number": 4},
            {"type": "number", "number": None},
        ],
        "function": "show_original",
    }
    empty = world.create(orders, {})
    assert val(empty, "Max") == {"type": "number", "number": None, "function": "max"}
    assert val(empty, "Count")["number"] == 0
    assert "should be the id of a page" in error(
        world.create,
        orders,
        {"Items": {"relation": [{"id": "00000000-0000-4000-8000-000000000123"}]}},
    )
    assert "related data source" in error(
        world.create, orders, {"Items": {"relation": [{"id": order["id"]}]}}
    )


def test_property_item_pages_list_values(world: Any) -> None:
    items = world.data_source({"Item": {"title": {}}})
    pages = [world.create(items, {}) for _ in range(5)]
    ds = world.data_source(
        {"N": {"title": {}}, "R": {"relation": {"data_source_id": items}}, "P": {"number": {}}}
    )
    page = world.create(
        ds, {"R": {"relation": [{"id": p["id"]} for p in pages]}, "P": {"number": 7}}
    )
    schema = world.schema(ds)
    first = property_item(schema["R"], page["properties"]["R"], start_cursor=None, page_size=2)
    assert first["object"] == "list"
    assert first["type"] == "property_item"
    assert first["has_more"] is True
    assert first["results"][0] == {
        "object": "property_item",
        "type": "relation",
        "id": schema["R"]["id"],
        "relation": {"id": pages[0]["id"]},
    }
    assert first["property_item"] == {
        "id": schema["R"]["id"],
        "next_url": None,
        "type": "relation",
        "relation": {},
    }
    rest = property_item(
        schema["R"], page["properties"]["R"], start_cursor=first["next_cursor"], page_size=10
    )
    assert [r["relation"]["id"] for r in first["results"] + rest["results"]] == [
        p["id"] for p in pages
    ]
    assert rest["has_more"] is False
    assert rest["next_cursor"] is None
    single = property_item(schema["P"], page["properties"]["P"], start_cursor=None, page_size=10)
    assert single == {
        "object": "property_item",
        "id": schema["P"]["id"],
        "type": "number",
        "number": 7,
    }
    assert "start_cursor" in error(
        property_item, schema["R"], page["properties"]["R"], start_cursor="zz", page_size=2
    )


def test_update_page_properties_leaves_inputs_alone(world: Any, ds: str) -> None:
    page = world.create(ds, WRITES)
    before = repr(page["properties"])
    update_page_properties(
        world.schema(ds), page["properties"], {"Price": {"number": 1}}, ctx=world.ctx(ds)
    )
    assert repr(page["properties"]) == before


def test_convert_value_on_retype(world: Any, ds: str) -> None:
    page = world.create(ds, WRITES | {"Text": {"rich_text": [{"text": {"content": "12.5"}}]}})
    schema = world.schema(ds)
    as_number = {**schema["Text"], "type": "number", "number": {"format": "number"}}
    assert convert_value(page["properties"]["Text"], as_number)["number"] == 12.5
    as_text = {**schema["Price"], "type": "rich_text", "rich_text": {}}
    assert (
        convert_value(page["properties"]["Price"], as_text)["rich_text"][0]["plain_text"] == "21.5"
    )
    as_multi = {
        **schema["Priority"],
        "type": "multi_select",
        "multi_select": {"options": schema["Priority"]["select"]["options"]},
    }
    assert [
        o["name"] for o in convert_value(page["properties"]["Priority"], as_multi)["multi_select"]
    ] == ["High"]
    as_date = {**schema["Mail"], "type": "date", "date": {}}
    assert convert_value(page["properties"]["Mail"], as_date) == empty_value(as_date)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(order=st.permutations(["Total", "Rel", "N", "Twice", "Cost"]))
def test_schema_request_order_does_not_matter(world: Any, order: list[str]) -> None:
    items = world.data_source({"Item": {"title": {}}, "Cost": {"number": {}}})
    config: dict[str, Any] = {
        "Total": {
            "rollup": {
                "function": "sum",
                "relation_property_name": "Rel",
                "rollup_property_name": "Cost",
            }
        },
        "Rel": {"relation": {"data_source_id": items, "single_property": {}}},
        "N": {"title": {}},
        "Twice": {"formula": {"expression": 'prop("Cost") * 2'}},
        "Cost": {"number": {}},
    }
    schema = create_schema({name: config[name] for name in order}, ctx=world.ctx("x"))
    assert schema["Total"]["rollup"]["relation_property_id"] == unquote(schema["Rel"]["id"])
    assert schema["Cost"]["id"] in schema["Twice"]["formula"]["expression"]


def test_values_stored_under_an_old_name_are_found_by_id(world: Any, ds: str) -> None:
    page = world.create(ds, WRITES)
    renamed = update_schema(world.schema(ds), {"Price": {"name": "Cost"}}, ctx=world.ctx(ds))
    values = update_page_properties(
        renamed, page["properties"], {"Done": {"checkbox": False}}, ctx=world.ctx(ds)
    )
    assert values["Cost"] == page["properties"]["Price"]
    assert "Price" not in values
    retyped = update_schema(world.schema(ds), {"Price": {"rich_text": {}}}, ctx=world.ctx(ds))
    values = update_page_properties(retyped, page["properties"], {}, ctx=world.ctx(ds))
    assert values["Price"] == {"id": retyped["Price"]["id"], "type": "rich_text", "rich_text": []}


def test_option_with_unknown_id_but_a_name_matches_by_name(world: Any, ds: str) -> None:
    schema = world.schema(ds)
    high = schema["Priority"]["select"]["options"][0]
    stranger = "16251249-33f1-4ff5-82c8-be7cefb19297"
    opts = [{"id": stranger, "name": "High"}, {"id": stranger.replace("1", "2"), "name": "New"}]
    out = update_schema(schema, {"Priority": {"select": {"options": opts}}}, ctx=world.ctx(ds))
    got = out["Priority"]["select"]["options"]
    assert got[0]["id"] == high["id"]
    assert got[1]["name"] == "New"
    assert got[1]["id"] not in (high["id"], stranger)
    bad = {"Priority": {"select": {"options": [{"id": stranger}]}}}
    assert "should be the id of an existing option" in error(
        update_schema, schema, bad, ctx=world.ctx(ds)
    )
