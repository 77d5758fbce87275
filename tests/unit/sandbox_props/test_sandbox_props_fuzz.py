"""Arbitrary request bodies never crash the property model: only ValidationError comes out."""

from __future__ import annotations

import contextlib
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.properties import (
    create_schema,
    filter_pages,
    new_page_properties,
    normalize_rich_text,
    sort_pages,
    update_page_properties,
    update_schema,
)

NAMES = [
    "Name",
    "Text",
    "N",
    "Sel",
    "Tags",
    "St",
    "When",
    "Who",
    "F",
    "Ok",
    "Url",
    "Rel",
    "Roll",
    "Calc",
    "ID",
    "V",
    "Nope",
    "title",
]
KEYS = [
    "title", "rich_text", "number", "select", "multi_select", "status", "date", "people", "files",
    "checkbox", "url", "email", "phone_number", "relation", "rollup", "formula", "unique_id",
    "verification", "text", "content", "link", "name", "id", "start", "end", "time_zone",
    "type", "equals", "contains", "is_empty", "before", "on_or_after", "past_week", "and", "or",
    "property", "timestamp", "created_time", "any", "every", "string", "options", "expression",
    "mention", "user", "equation", "annotations", "external", "direction", "object", "state",
]  # fmt: skip
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**20), 10**20),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "2026-06-27",
            "2026-06-27T10:07:00Z",
            "00000000-0000-4000-8000-0000000000fa",
            "Low",
            "",
            "ascending",
        ]
    ),
)
JSON = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(
            st.one_of(st.sampled_from(KEYS + NAMES), st.text(max_size=5)), inner, max_size=4
        ),
    ),
    max_leaves=25,
)
BODIES = st.dictionaries(st.sampled_from(NAMES), JSON, max_size=4) | JSON
FUZZ = settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


@pytest.fixture
def page(world: Any) -> tuple[Any, str, dict[str, Any]]:
    items = world.data_source({"Item": {"title": {}}, "Cost": {"number": {}}})
    ds = world.data_source(
        {
            "Name": {"title": {}}, "Text": {"rich_text": {}}, "N": {"number": {}},
            "Sel": {"select": {"options": [{"name": "Low"}]}}, "Tags": {"multi_select": {}},
            "St": {"status": {}}, "When": {"date": {}}, "Who": {"people": {}}, "F": {"files": {}},
            "Ok": {"checkbox": {}}, "Url": {"url": {}},
            "Rel": {"relation": {"data_source_id": items}},
            "Roll": {"rollup": {
                "function": "sum", "relation_property_name": "Rel", "rollup_property_name": "Cost",
            }},
            "Calc": {"formula": {"expression": 'prop("N") * 2'}},
            "ID": {"unique_id": {}}, "V": {"verification": {}},
        }
    )  # fmt: skip
    created = world.create(ds, {"N": {"number": 2}, "Sel": {"select": {"name": "Low"}}})
    return world, ds, created


def only_validation_errors(fn: Any, *args: Any, **kwargs: Any) -> None:
    with contextlib.suppress(ValidationError):
        fn(*args, **kwargs)


@FUZZ
@given(body=BODIES)
def test_page_writes(page: Any, body: Any) -> None:
    world, ds, created = page
    only_validation_errors(new_page_properties, world.schema(ds), body, ctx=world.ctx(ds))
    only_validation_errors(
        update_page_properties, world.schema(ds), created["properties"], body, ctx=world.ctx(ds)
    )


@FUZZ
@given(flt=BODIES, sorts=JSON)
def test_queries(page: Any, flt: Any, sorts: Any) -> None:
    world, ds, created = page
    only_validation_errors(filter_pages, [created], flt, world.schema(ds), ctx=world.ctx(ds))
    only_validation_errors(sort_pages, [created, created], sorts, world.schema(ds))


@FUZZ
@given(body=BODIES)
def test_schema_requests(page: Any, body: Any) -> None:
    world, ds, _ = page
    only_validation_errors(create_schema, body, ctx=world.ctx(ds))
    only_validation_errors(update_schema, world.schema(ds), body, ctx=world.ctx(ds))


@FUZZ
@given(items=JSON)
def test_rich_text(page: Any, items: Any) -> None:
    world, ds, _ = page
    only_validation_errors(normalize_rich_text, items, path="body.x", ctx=world.ctx(ds))


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    kind=st.sampled_from(
        [
            "title",
            "rich_text",
            "url",
            "email",
            "phone_number",
            "number",
            "checkbox",
            "select",
            "status",
            "multi_select",
            "date",
            "people",
            "files",
            "relation",
            "verification",
            "formula",
            "rollup",
            "unique_id",
        ]
    ),
    op=st.sampled_from(
        [
            "equals",
            "does_not_equal",
            "contains",
            "starts_with",
            "is_empty",
            "greater_than",
            "before",
            "on_or_after",
            "this_week",
            "any",
            "every",
            "none",
            "string",
            "number",
            "status",
        ]
    ),
    operand=SCALARS | st.just({}) | st.just({"equals": 1}) | st.just({"number": {"equals": 1}}),
    name=st.sampled_from(NAMES),
)
def test_near_valid_filters(page: Any, kind: str, op: str, operand: Any, name: str) -> None:
    world, ds, created = page
    flt = {"property": name, kind: {op: operand}}
    only_validation_errors(
        filter_pages, [created], {"and": [flt, {"or": [flt]}]}, world.schema(ds), ctx=world.ctx(ds)
    )


TEXT = st.text(min_size=1, max_size=40).filter(lambda t: "," not in t)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    number=st.one_of(
        st.none(), st.integers(-(10**12), 10**12), st.floats(allow_nan=False, allow_infinity=False)
    ),
    text=st.text(max_size=300),
    option=TEXT,
    tags=st.lists(TEXT, max_size=5),
    flag=st.booleans(),
)
def test_valid_writes_read_back(
    page: Any, number: Any, text: str, option: str, tags: list[str], flag: bool
) -> None:
    world, ds, created = page
    body = {
        "N": {"number": number},
        "Text": {"rich_text": [{"text": {"content": text}}]},
        "Sel": {"select": {"name": option}},
        "Tags": {"multi_select": [{"name": t} for t in tags]},
        "Ok": {"checkbox": flag},
    }
    values = update_page_properties(
        world.schema(ds), created["properties"], body, ctx=world.ctx(ds)
    )
    assert values["N"]["number"] == number
    assert values["Text"]["rich_text"][0]["plain_text"] == text
    assert values["Sel"]["select"]["name"] == option
    assert [t["name"] for t in values["Tags"]["multi_select"]] == list(dict.fromkeys(tags))
    assert values["Ok"]["checkbox"] is flag
