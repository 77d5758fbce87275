"""Property codec: accepted inputs, errors, column layouts and the public surface."""

from __future__ import annotations

import copy
import datetime as dt
import pickle
from typing import Any

import pytest

import syncbridge.notion.codec as codec
from syncbridge.notion.codec import (
    CodecError,
    ColumnSpec,
    DateValue,
    FileValue,
    ReadOnlyPropertyError,
    RichText,
    SqlType,
    UniqueIdValue,
    UserId,
    columns_for,
    decode,
    decode_rich,
    encode,
    from_columns,
    is_truncated,
    is_writable,
    join_property_items,
    to_columns,
)

USER = "00000000-0000-4000-8000-0000000000fa"
PAGE = "38c9ce7b-60a4-81a6-b314-f47eef8f5f8c"


def schema(prop_type: str, name: str = "Field") -> dict[str, Any]:
    return {"id": "x%40zJ", "name": name, "type": prop_type, prop_type: {}}


def test_public_surface_is_pinned() -> None:
    assert sorted(codec.__all__) == codec.__all__
    assert set(codec.__all__) >= {
        "decode",
        "encode",
        "columns_for",
        "to_columns",
        "from_columns",
        "is_writable",
        "ColumnSpec",
        "SqlType",
        "ReadOnlyPropertyError",
    }


READ_ONLY = [
    "formula",
    "rollup",
    "created_time",
    "created_by",
    "last_edited_time",
    "last_edited_by",
    "unique_id",
    "button",
    "verification",
]


@pytest.mark.parametrize("prop_type", READ_ONLY)
def test_writing_a_read_only_type_names_property_and_type(prop_type: str) -> None:
    assert not is_writable(prop_type)
    with pytest.raises(ReadOnlyPropertyError) as caught:
        encode(schema(prop_type, "Total"), 3)
    assert "'Total'" in str(caught.value)
    assert prop_type in str(caught.value)
    assert caught.value.prop == "Total"


@pytest.mark.parametrize(
    ("prop_type", "value", "expected"),
    [
        ("number", "12", "expected a number, got str"),
        ("number", True, "expected a number, got bool"),
        ("number", float("nan"), "finite numbers only"),
        ("checkbox", "yes", "expected a bool"),
        ("select", 3, "option name"),
        ("multi_select", "A, B", "list of option names"),
        ("date", "next tuesday", "not an ISO-8601"),
        ("date", {"end": "2026-01-01"}, "needs a start"),
        ("people", ["not-an-id"], "user id (UUID)"),
        ("relation", PAGE, "list of page ids"),
        ("relation", [PAGE] * 101, "100 per request"),
        ("email", "a" * 201, "Notion allows 200"),
        ("url", 5, "expected a str"),
        ("title", 5, "a str or a list of rich text items"),
        ("files", [FileValue(name="", url="https://x.org/a")], "1 to 100 characters"),
        ("place", {"lat": 1}, "needs 'lon'"),
        ("select", {"type": "multi_select", "multi_select": []}, "got a multi_select"),
    ],
)
def test_invalid_values_raise_a_codec_error_naming_the_property(
    prop_type: str, value: Any, expected: str
) -> None:
    with pytest.raises(CodecError) as caught:
        encode(schema(prop_type, "Budget"), value)
    assert "'Budget'" in str(caught.value)
    assert expected in str(caught.value)
    assert not isinstance(caught.value, ReadOnlyPropertyError)


@pytest.mark.parametrize(
    ("prop_type", "value", "request_value"),
    [
        ("title", "Hello", [{"type": "text", "text": {"content": "Hello"}}]),
        ("title", "", []),
        ("title", None, []),
        ("number", 42, 42),
        ("number", 2.5, 2.5),
        ("number", None, None),
        ("select", "Done", {"name": "Done"}),
        ("select", None, None),
        ("status", "In progress", {"name": "In progress"}),
        ("multi_select", ["A", "B"], [{"name": "A"}, {"name": "B"}]),
        ("multi_select", None, []),
        ("checkbox", True, True),
        ("checkbox", None, False),
        ("url", "", None),
        ("date", dt.date(2026, 1, 2), {"start": "2026-01-02", "end": None, "time_zone": None}),
        (
            "date",
            dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
            {"start": "2026-01-02T03:04:00+00:00", "end": None, "time_zone": None},
        ),
        (
            "date",
            ("2026-01-02", "2026-01-05"),
            {"start": "2026-01-02", "end": "2026-01-05", "time_zone": None},
        ),
        (
            "date",
            DateValue("2026-01-02T09:00:00", time_zone="Europe/Berlin"),
            {"start": "2026-01-02T09:00:00", "end": None, "time_zone": "Europe/Berlin"},
        ),
        ("people", [USER], [{"object": "user", "id": USER}]),
        ("relation", [PAGE], [{"id": PAGE}]),
        ("relation", [{"id": PAGE}], [{"id": PAGE}]),
        (
            "files",
            ["https://example.com/docs/report.pdf"],
            [
                {
                    "name": "report.pdf",
                    "type": "external",
                    "external": {"url": "https://example.com/docs/report.pdf"},
                }
            ],
        ),
        (
            "files",
            [FileValue(name="up", type="file_upload", upload_id=PAGE)],
            [{"type": "file_upload", "file_upload": {"id": PAGE}, "name": "up"}],
        ),
    ],
)
def test_plain_values_encode_to_the_request_shape(
    prop_type: str, value: Any, request_value: Any
) -> None:
    assert encode(schema(prop_type), value) == {prop_type: request_value}


def test_notion_json_is_validated_and_canonicalised() -> None:
    response = {
        "id": "scsR",
        "type": "select",
        "select": {"id": "cf4a", "name": "L", "color": "red"},
    }
    assert encode(schema("select"), response) == {"select": {"name": "L"}}
    assert encode(schema("select"), {"select": {"id": "cf4a"}}) == {"select": {"id": "cf4a"}}
    # notion-sdk-py style: a bare list of request items for a title
    assert encode(schema("title"), [{"text": {"content": "Hi"}}]) == {
        "title": [{"type": "text", "text": {"content": "Hi"}}]
    }
    with pytest.raises(CodecError, match=r"text\.content"):
        encode(schema("title"), {"title": [{"text": {"content": "x" * 2001}}]})


def test_long_text_splits_at_2000_utf16_units_without_breaking_characters() -> None:
    text = "a" + "😀" * 1500  # 3001 UTF-16 units
    items = encode(schema("rich_text"), text)["rich_text"]
    assert [len(i["text"]["content"]) for i in items] == [1000, 501]
    assert "".join(i["text"]["content"] for i in items) == text
    with pytest.raises(CodecError, match="Notion allows 100"):
        encode(schema("rich_text"), "x" * 200_001)


def test_rich_text_keeps_annotations_links_and_mentions() -> None:
    value = {
        "id": "w%7CkY",
        "type": "rich_text",
        "rich_text": [
            {
                "type": "text",
                "text": {"content": "see ", "link": {"url": "https://a.b"}},
                "annotations": {"bold": True, "italic": False, "color": "default"},
                "plain_text": "see ",
                "href": "https://a.b",
            },
            {
                "type": "mention",
                "mention": {"type": "user", "user": {"object": "user", "id": USER, "name": "A"}},
                "annotations": {"bold": False},
                "plain_text": "@A",
                "href": None,
            },
        ],
    }
    decoded = decode(value)
    assert decoded == "see @A"
    assert isinstance(decoded, RichText)
    assert decode_rich(value) == value["rich_text"]
    assert encode(schema("rich_text"), decoded) == {
        "rich_text": [
            {
                "type": "text",
                "text": {"content": "see ", "link": {"url": "https://a.b"}},
                "annotations": {"bold": True},
            },
            {"type": "mention", "mention": {"type": "user", "user": {"id": USER}}},
        ]
    }
    edited = decoded + "!"
    assert encode(schema("rich_text"), edited) == {
        "rich_text": [{"type": "text", "text": {"content": "see @A!"}}]
    }


def test_value_objects_survive_copy_and_pickle() -> None:
    rich = decode({"type": "title", "title": [{"type": "text", "text": {"content": "T"}}]})
    user = UserId(USER, "Ann")
    for value in (rich, user):
        for clone in (copy.deepcopy(value), pickle.loads(pickle.dumps(value))):
            assert clone == value
            assert type(clone) is type(value)
            assert vars(clone) == vars(value)


def test_columns_for_every_type() -> None:
    layout = {
        t: [(c.suffix, c.sql_type) for c in columns_for(schema(t))]
        for t in ("date", "people", "number", "checkbox", "unique_id", "formula", "button")
    }
    assert layout == {
        "date": [("", SqlType.TEXT), ("_end", SqlType.TEXT), ("_tz", SqlType.TEXT)],
        "people": [("", SqlType.JSON), ("_names", SqlType.TEXT)],
        "number": [("", SqlType.FLOAT)],
        "checkbox": [("", SqlType.BOOLEAN)],
        "unique_id": [("", SqlType.TEXT), ("_number", SqlType.INTEGER)],
        "formula": [("", SqlType.TEXT), ("_number", SqlType.FLOAT), ("_json", SqlType.JSON)],
        "button": [],
    }
    assert columns_for({"type": "title"})[0] == ColumnSpec("", SqlType.TEXT)


def test_date_range_and_people_columns_for_seed_databases() -> None:
    date = decode(
        {
            "type": "date",
            "date": {"start": "2026-07-01", "end": "2026-07-03", "time_zone": None},
        }
    )
    assert to_columns(schema("date"), date) == {"": "2026-07-01", "_end": "2026-07-03", "_tz": None}
    people = decode(
        {
            "type": "people",
            "people": [
                {"object": "user", "id": USER, "name": "Adam"},
                {"object": "user", "id": PAGE, "name": "Eve"},
            ],
        }
    )
    assert to_columns(schema("people"), people) == {
        "": f'["{USER}","{PAGE}"]',
        "_names": "Adam, Eve",
    }
    assert from_columns(schema("people"), {"": f'["{USER}"]', "_names": "stale"}) == [USER]


def test_computed_values_get_display_number_and_exact_json() -> None:
    rollup = decode(
        {
            "type": "rollup",
            "rollup": {
                "type": "array",
                "function": "show_original",
                "array": [
                    {"type": "number", "number": 42},
                    {"type": "date", "date": {"start": "2024-11-25", "end": None}},
                ],
            },
        }
    )
    assert rollup == [42, DateValue("2024-11-25")]
    columns = to_columns(schema("rollup"), rollup)
    assert columns[""] == "42, 2024-11-25"
    assert columns["_number"] is None
    assert from_columns(schema("rollup"), columns) == rollup
    formula = decode({"type": "formula", "formula": {"type": "number", "number": 2.5}})
    assert to_columns(schema("formula"), formula)["_number"] == 2.5
    unique = decode({"type": "unique_id", "unique_id": {"prefix": "TASK", "number": 12}})
    assert unique == UniqueIdValue("TASK", 12)
    assert to_columns(schema("unique_id"), unique) == {"": "TASK-12", "_number": 12}


def test_empty_values_decode_to_none() -> None:
    empties = {
        "title": [],
        "rich_text": [],
        "number": None,
        "select": None,
        "multi_select": [],
        "date": None,
        "people": [],
        "files": [],
        "url": None,
        "email": "",
        "relation": [],
        "formula": {"type": "string", "string": None},
        "rollup": {"type": "array", "array": [], "function": "show_original"},
        "unique_id": {"prefix": None, "number": None},
        "button": {},
        "place": None,
    }
    for prop_type, inner in empties.items():
        assert decode({"type": prop_type, prop_type: inner}) is None, prop_type
    assert decode({"type": "checkbox", "checkbox": False}) is False


def test_unknown_types_are_kept_as_raw_json_and_never_written() -> None:
    value = {"id": "q", "type": "hologram", "hologram": {"x": [1, 2]}}
    assert decode(value) == {"x": [1, 2]}
    assert columns_for(schema("hologram")) == [ColumnSpec("", SqlType.JSON)]
    columns = to_columns(schema("hologram"), {"x": [1, 2]})
    assert from_columns(schema("hologram"), columns) == {"x": [1, 2]}
    assert not is_writable("hologram")
    with pytest.raises(CodecError, match="unknown property type"):
        encode(schema("hologram"), {"x": 1})


def test_bad_values_read_back_from_sql_name_the_column() -> None:
    with pytest.raises(CodecError, match="column '' holds invalid JSON"):
        from_columns(schema("relation", "Tasks"), {"": "[not json"})
    with pytest.raises(CodecError, match="'Tasks'"):
        from_columns(schema("relation", "Tasks"), {"": '["nope"]'})
    with pytest.raises(CodecError, match="expected PREFIX-12"):
        from_columns(schema("unique_id"), {"": "TASK12", "_number": 12})


def test_malformed_notion_json_is_a_codec_error() -> None:
    with pytest.raises(CodecError, match="'Score'"):
        decode({"type": "number", "number": "12"}, name="Score")
    with pytest.raises(CodecError, match="has no 'type'"):
        decode({"id": "a"})


def test_sql_values_from_other_drivers_are_accepted() -> None:
    assert from_columns(schema("checkbox"), {"": 1}) is True
    assert from_columns(schema("number"), {"": 3.0}) == 3
    assert isinstance(from_columns(schema("number"), {"": 3.0}), int)
    assert from_columns(schema("multi_select"), {"": ["A"]}) == ["A"]  # a JSON-typed column
    assert from_columns(schema("date"), {"": "2026-01-01"}) == DateValue("2026-01-01")


def test_relation_truncation_is_visible() -> None:
    value = {"type": "relation", "relation": [{"id": PAGE}], "has_more": True}
    assert decode(value) == [PAGE]
    assert is_truncated(value)


def test_property_items_join_into_one_value() -> None:
    items = [
        {"object": "property_item", "id": "o_yF", "type": "relation", "relation": {"id": PAGE}},
        {"object": "property_item", "id": "o_yF", "type": "relation", "relation": {"id": USER}},
    ]
    joined = join_property_items("relation", items)
    assert decode(joined) == [PAGE, USER]
    assert not is_truncated(joined)
    assert decode(join_property_items("people", [])) is None
    with pytest.raises(CodecError, match="only title, rich_text, people and relation"):
        join_property_items("number", [])
    with pytest.raises(CodecError, match="a people property item"):
        join_property_items("people", items)
