"""Query filters and sorts: every condition family, compound nesting, timestamps, errors."""

from __future__ import annotations

from typing import Any

import pytest

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.properties import filter_pages, sort_pages

BOB = "00000000-0000-4000-8000-0000000000fa"


def names(pages: list[dict[str, Any]]) -> list[str]:
    return [
        p["properties"]["Name"]["title"][0]["plain_text"]
        if p["properties"]["Name"]["title"]
        else ""
        for p in pages
    ]


@pytest.fixture
def setup(world: Any) -> tuple[Any, str, list[dict[str, Any]]]:
    items = world.data_source({"Item": {"title": {}}, "Cost": {"number": {}}})
    i1 = world.create(
        items, {"Item": {"title": [{"text": {"content": "i1"}}]}, "Cost": {"number": 5}}
    )
    i2 = world.create(
        items, {"Item": {"title": [{"text": {"content": "i2"}}]}, "Cost": {"number": 50}}
    )
    ds = world.data_source(
        {
            "Name": {"title": {}},
            "Note": {"rich_text": {}},
            "N": {"number": {}},
            "Sel": {"select": {"options": [{"name": "Low"}, {"name": "High"}]}},
            "Tags": {"multi_select": {}},
            "St": {"status": {}},
            "When": {"date": {}},
            "Who": {"people": {}},
            "F": {"files": {}},
            "Ok": {"checkbox": {}},
            "Mail": {"email": {}},
            "Rel": {"relation": {"data_source_id": items}},
            "Costs": {
                "rollup": {
                    "function": "show_original",
                    "relation_property_name": "Rel",
                    "rollup_property_name": "Cost",
                }
            },
            "Total": {
                "rollup": {
                    "function": "sum",
                    "relation_property_name": "Rel",
                    "rollup_property_name": "Cost",
                }
            },
            "Twice": {"formula": {"expression": 'prop("N") * 2'}},
            "Big": {"formula": {"expression": 'prop("N") > 10'}},
            "Label": {"formula": {"expression": 'prop("Name") + "!"'}},
            "Key": {"unique_id": {"prefix": "K"}},
        }
    )

    def t(text: str) -> list[dict[str, Any]]:
        return [{"text": {"content": text}}]

    pages = [
        world.create(
            ds,
            {
                "Name": {"title": t("Alpha")},
                "Note": {"rich_text": t("Hello World")},
                "N": {"number": 3},
                "Sel": {"select": {"name": "Low"}},
                "Tags": {"multi_select": [{"name": "x"}, {"name": "y"}]},
                "When": {"date": {"start": "2026-06-20"}},
                "Who": {"people": [{"id": BOB}]},
                "F": {"files": [{"name": "f", "external": {"url": "https://f.test"}}]},
                "Ok": {"checkbox": True},
                "Mail": {"email": "Alpha@Example.com"},
                "Rel": {"relation": [{"id": i1["id"]}]},
            },
            created="2026-06-27T10:05:00.000Z",
        ),
        world.create(
            ds,
            {
                "Name": {"title": t("Beta")},
                "N": {"number": 30},
                "Sel": {"select": {"name": "High"}},
                "Tags": {"multi_select": [{"name": "y"}]},
                "St": {"status": {"name": "Done"}},
                "When": {"date": {"start": "2026-06-27T10:07:00Z"}},
                "Rel": {"relation": [{"id": i1["id"]}, {"id": i2["id"]}]},
            },
            created="2026-06-27T10:07:00.000Z",
        ),
        world.create(
            ds,
            {"Name": {"title": t("gamma 10")}, "N": {"number": 10}},
            created="2026-06-27T10:08:00.000Z",
        ),
        world.create(ds, {"Name": {"title": t("gamma 9")}}, created="2026-06-27T10:08:00.000Z"),
    ]
    return world, ds, pages


def run(setup: Any, flt: Any) -> list[str]:
    world, ds, pages = setup
    return names(filter_pages(pages, flt, world.schema(ds), ctx=world.ctx(ds)))


def prop(name: str, kind: str, **cond: Any) -> dict[str, Any]:
    return {"property": name, kind: cond}


@pytest.mark.parametrize(
    ("flt", "expected"),
    [
        (None, ["Alpha", "Beta", "gamma 10", "gamma 9"]),
        (prop("Name", "title", equals="alpha"), ["Alpha"]),
        (prop("Name", "rich_text", contains="MM"), ["gamma 10", "gamma 9"]),
        (prop("Name", "title", does_not_contain="a"), []),
        (prop("Note", "rich_text", starts_with="hello"), ["Alpha"]),
        (prop("Note", "rich_text", ends_with="world"), ["Alpha"]),
        (prop("Note", "rich_text", does_not_equal="Hello World"), ["Beta", "gamma 10", "gamma 9"]),
        (prop("Note", "rich_text", is_empty=True), ["Beta", "gamma 10", "gamma 9"]),
        (prop("Mail", "email", contains="example"), ["Alpha"]),
        (prop("Mail", "rich_text", is_not_empty=True), ["Alpha"]),
        (prop("N", "number", equals=30), ["Beta"]),
        (prop("N", "number", does_not_equal=30), ["Alpha", "gamma 10", "gamma 9"]),
        (prop("N", "number", greater_than=3), ["Beta", "gamma 10"]),
        (prop("N", "number", greater_than_or_equal_to=3), ["Alpha", "Beta", "gamma 10"]),
        (prop("N", "number", less_than=10), ["Alpha"]),
        (prop("N", "number", less_than_or_equal_to=10), ["Alpha", "gamma 10"]),
        (prop("N", "number", is_empty=True), ["gamma 9"]),
        (prop("Ok", "checkbox", equals=True), ["Alpha"]),
        (prop("Ok", "checkbox", does_not_equal=True), ["Beta", "gamma 10", "gamma 9"]),
        (prop("Sel", "select", equals="High"), ["Beta"]),
        (prop("Sel", "select", does_not_equal="High"), ["Alpha", "gamma 10", "gamma 9"]),
        (prop("Sel", "select", is_empty=True), ["gamma 10", "gamma 9"]),
        (prop("St", "status", equals="Done"), ["Beta"]),
        (prop("St", "status", equals="Not started"), ["Alpha", "gamma 10", "gamma 9"]),
        (prop("Tags", "multi_select", contains="y"), ["Alpha", "Beta"]),
        (prop("Tags", "multi_select", does_not_contain="x"), ["Beta", "gamma 10", "gamma 9"]),
        (prop("Tags", "multi_select", is_not_empty=True), ["Alpha", "Beta"]),
        (prop("Who", "people", contains=BOB), ["Alpha"]),
        (prop("Who", "people", does_not_contain=BOB), ["Beta", "gamma 10", "gamma 9"]),
        (prop("Who", "people", is_empty=True), ["Beta", "gamma 10", "gamma 9"]),
        (prop("F", "files", is_empty=True), ["Beta", "gamma 10", "gamma 9"]),
        (prop("F", "files", is_not_empty=True), ["Alpha"]),
        (prop("When", "date", is_empty=True), ["gamma 10", "gamma 9"]),
        (prop("When", "date", before="2026-06-27"), ["Alpha"]),
        (prop("When", "date", on_or_after="2026-06-27"), ["Beta"]),
        (prop("When", "date", equals="2026-06-27"), ["Beta"]),
        (prop("When", "date", after="2026-06-20T23:00:00Z"), ["Beta"]),
        (prop("When", "date", on_or_before="2026-06-20T08:00:00Z"), ["Alpha"]),
        (prop("When", "date", past_week={}), ["Alpha", "Beta"]),
        (prop("When", "date", this_week={}), ["Beta"]),
        (prop("When", "date", next_week={}), ["Beta"]),
        (prop("When", "date", next_month={}), ["Beta"]),
        (prop("When", "date", past_year={}), ["Alpha", "Beta"]),
        (prop("Twice", "formula", number={"equals": 60}), ["Beta"]),
        (prop("Big", "formula", checkbox={"equals": True}), ["Beta"]),
        (prop("Label", "formula", string={"ends_with": "0!"}), ["gamma 10"]),
        (prop("Costs", "rollup", any={"number": {"greater_than": 10}}), ["Beta"]),
        (prop("Costs", "rollup", every={"number": {"less_than": 10}}), ["Alpha"]),
        (
            prop("Costs", "rollup", none={"number": {"equals": 50}}),
            ["Alpha", "gamma 10", "gamma 9"],
        ),
        (prop("Total", "rollup", number={"greater_than_or_equal_to": 55}), ["Beta"]),
        (prop("Key", "unique_id", greater_than=2), ["gamma 10", "gamma 9"]),
        (prop("Rel", "relation", is_not_empty=True), ["Alpha", "Beta"]),
        (
            {"timestamp": "created_time", "created_time": {"after": "2026-06-27T10:07:30Z"}},
            ["gamma 10", "gamma 9"],
        ),
        (
            {"timestamp": "created_time", "created_time": {"on_or_before": "2026-06-27T10:07:00Z"}},
            ["Alpha", "Beta"],
        ),
        (
            {
                "or": [
                    prop("N", "number", equals=3),
                    {
                        "and": [
                            prop("Sel", "select", is_empty=True),
                            prop("N", "number", is_not_empty=True),
                        ]
                    },
                ]
            },
            ["Alpha", "gamma 10"],
        ),
        ({"and": []}, ["Alpha", "Beta", "gamma 10", "gamma 9"]),
        ({"or": []}, []),
    ],
)
def test_conditions(setup: Any, flt: Any, expected: list[str]) -> None:
    assert run(setup, flt) == expected


def test_relation_contains_by_page_id(setup: Any) -> None:
    _world, _ds, pages = setup
    related = pages[1]["properties"]["Rel"]["relation"][1]["id"]
    assert run(setup, prop("Rel", "relation", contains=related)) == ["Beta"]
    assert run(setup, prop("Rel", "relation", does_not_contain=related)) == [
        "Alpha",
        "gamma 10",
        "gamma 9",
    ]


def test_filter_by_property_id(setup: Any) -> None:
    world, ds, _ = setup
    pid = world.schema(ds)["N"]["id"]
    assert run(setup, {"property": pid, "number": {"equals": 3}}) == ["Alpha"]


def test_same_minute_on_or_after_includes_the_minute(world: Any) -> None:
    """A watermark inside the minute of a minute-rounded edit must still find it."""
    ds = world.data_source({"Name": {"title": {}}})
    world.now = "2026-06-27T10:07:00.000Z"  # page edited at 10:07:41, Notion stores 10:07
    page = world.create(ds, {"Name": {"title": [{"text": {"content": "edited"}}]}})
    for watermark in (
        "2026-06-27T10:07:00.000Z",
        "2026-06-27T10:07:41.512Z",
        "2026-06-27T12:07:41+02:00",
    ):
        flt = {"timestamp": "last_edited_time", "last_edited_time": {"on_or_after": watermark}}
        assert filter_pages([page], flt, world.schema(ds), ctx=world.ctx(ds)) == [page], watermark
    after = {
        "timestamp": "last_edited_time",
        "last_edited_time": {"after": "2026-06-27T10:07:00.000Z"},
    }
    assert filter_pages([page], after, world.schema(ds), ctx=world.ctx(ds)) == []
    later = {
        "timestamp": "last_edited_time",
        "last_edited_time": {"on_or_after": "2026-06-27T10:08:00Z"},
    }
    assert filter_pages([page], later, world.schema(ds), ctx=world.ctx(ds)) == []


def test_date_only_value_against_date_time_condition(world: Any) -> None:
    ds = world.data_source({"Name": {"title": {}}, "D": {"date": {}}})
    page = world.create(ds, {"D": {"date": {"start": "2026-06-27"}}})

    def hits(**cond: Any) -> bool:
        return bool(
            filter_pages(
                [page], {"property": "D", "date": cond}, world.schema(ds), ctx=world.ctx(ds)
            )
        )

    assert hits(equals="2026-06-27T23:59:00Z")
    assert hits(on_or_after="2026-06-27T12:00:00Z")
    assert not hits(after="2026-06-27T00:00:00Z")
    assert not hits(before="2026-06-27T23:00:00Z")
    assert hits(before="2026-06-28T00:00:00Z")


@pytest.mark.parametrize(
    ("flt", "fragment"),
    [
        ("x", "body.filter should be an object"),
        (
            {"property": "Nope", "number": {"equals": 1}},
            "Could not find property with name or id: Nope",
        ),
        (
            {"property": "N", "number": {"equals": "1"}},
            'body.filter.number.equals should be a number, instead was `"1"`',
        ),
        ({"property": "N", "number": {"equals": 1, "less_than": 2}}, "body.filter.number"),
        (
            {"property": "N", "number": {"is_empty": False}},
            "body.filter.number.is_empty should be `true`",
        ),
        ({"property": "N", "select": {"equals": "x"}}, 'does not match the type of property "N"'),
        ({"property": "N"}, "body.filter"),
        ({"property": "N", "bogus": {}}, "body.filter.bogus"),
        (
            {"property": "When", "date": {"after": "soon"}},
            "body.filter.date.after should be a valid ISO 8601 date",
        ),
        ({"property": "When", "date": {"past_week": {"x": 1}}}, "should be an empty object"),
        (
            {"property": "Who", "people": {"contains": "bob"}},
            "body.filter.people.contains should be a valid uuid",
        ),
        ({"timestamp": "edited", "edited": {}}, "body.filter.timestamp"),
        (
            {"timestamp": "created_time", "property": "N", "created_time": {"is_empty": True}},
            "body.filter.property",
        ),
        ({"and": [{"or": [{"and": []}]}]}, "body.filter.and[0].or[0]"),
        ({"and": [{}] * 101}, "body.filter.and.length should be ≤ 100"),
        ({"and": [], "or": []}, "body.filter.or should be not present"),
        ({"property": "Costs", "rollup": {"any": {"nope": {}}}}, "body.filter.rollup.any"),
        ({"property": "Twice", "formula": {"text": {}}}, "body.filter.formula"),
    ],
)
def test_bad_filters_name_the_path(setup: Any, flt: Any, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        run(setup, flt)
    assert fragment in info.value.message


def test_validation_happens_even_with_no_pages(world: Any) -> None:
    ds = world.data_source({"Name": {"title": {}}})
    with pytest.raises(ValidationError):
        filter_pages(
            [], {"property": "Name", "title": {"equals": 3}}, world.schema(ds), ctx=world.ctx(ds)
        )


# ---- sorts ------------------------------------------------------------------------------------


def order(setup: Any, sorts: Any) -> list[str]:
    world, ds, pages = setup
    return names(sort_pages(pages, sorts, world.schema(ds)))


@pytest.mark.parametrize(
    ("sorts", "expected"),
    [
        (None, ["Alpha", "Beta", "gamma 10", "gamma 9"]),
        (
            [{"property": "Name", "direction": "ascending"}],
            ["Alpha", "Beta", "gamma 9", "gamma 10"],
        ),
        (
            [{"property": "Name", "direction": "descending"}],
            ["gamma 10", "gamma 9", "Beta", "Alpha"],
        ),
        ([{"property": "N", "direction": "ascending"}], ["Alpha", "gamma 10", "Beta", "gamma 9"]),
        ([{"property": "N", "direction": "descending"}], ["Beta", "gamma 10", "Alpha", "gamma 9"]),
        (
            [{"property": "Sel", "direction": "descending"}],
            ["Beta", "Alpha", "gamma 10", "gamma 9"],
        ),
        (
            [{"property": "When", "direction": "ascending"}],
            ["Alpha", "Beta", "gamma 10", "gamma 9"],
        ),
        ([{"property": "Ok", "direction": "descending"}], ["Alpha", "Beta", "gamma 10", "gamma 9"]),
        (
            [
                {"timestamp": "created_time", "direction": "descending"},
                {"property": "Name", "direction": "ascending"},
            ],
            ["gamma 9", "gamma 10", "Beta", "Alpha"],
        ),
        (
            [{"property": "Twice", "direction": "descending"}],
            ["Beta", "gamma 10", "Alpha", "gamma 9"],
        ),
        (
            [{"property": "Key", "direction": "descending"}],
            ["gamma 9", "gamma 10", "Beta", "Alpha"],
        ),
    ],
)
def test_sorts(setup: Any, sorts: Any, expected: list[str]) -> None:
    assert order(setup, sorts) == expected


@pytest.mark.parametrize(
    ("sorts", "fragment"),
    [
        ({"property": "N"}, "body.sorts should be an array"),
        ([{"property": "Nope"}], "Could not find sort property with name or id: Nope"),
        ([{"property": "N", "direction": "up"}], "body.sorts[0].direction"),
        ([{"timestamp": "created"}], "body.sorts[0].timestamp"),
        (["N"], "body.sorts[0] should be an object"),
    ],
)
def test_bad_sorts(setup: Any, sorts: Any, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        order(setup, sorts)
    assert fragment in info.value.message
