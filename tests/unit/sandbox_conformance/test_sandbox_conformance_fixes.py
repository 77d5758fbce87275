"""Sandbox behaviours the cassette replay found missing (each one is recorded Notion traffic)."""

from __future__ import annotations

from typing import Any

import pytest

from syncbridge.sandbox.errors import ValidationError
from syncbridge.sandbox.ids import parse_id, require_id
from syncbridge.sandbox.rich_text import normalize_rich_text
from syncbridge.sandbox.workspace import Workspace
from syncbridge.sandbox.ws_base import OWNER_ID

V = "2026-03-11"


def _text(content: str) -> list[dict[str, Any]]:
    return [{"type": "text", "text": {"content": content}}]


def _data_source(ws: Workspace, properties: dict[str, Any]) -> str:
    root = ws.create_page(
        {
            "parent": {"type": "workspace", "workspace": True},
            "properties": {"title": {"title": _text("r")}},
        },
        V,
    )
    db = ws.create_database(
        {
            "parent": {"type": "page_id", "page_id": root["id"]},
            "title": _text("All"),
            "initial_data_source": {"properties": properties},
        },
        V,
    )
    return str(db["data_sources"][0]["id"])


def test_two_way_relation_to_itself_keeps_both_halves() -> None:
    ws = Workspace()
    ds = _data_source(ws, {"Name": {"title": {}}})
    rel = {"relation": {"data_source_id": ds, "type": "dual_property", "dual_property": {}}}
    made = ws.update_data_source(ds, {"properties": {"Two-way": rel}})
    synced = made["properties"]["Two-way"]["relation"]["dual_property"]["synced_property_id"]
    schema = ws.update_data_source(ds, {"properties": {synced: {"name": "Back"}}})["properties"]
    assert schema["Two-way"]["relation"]["type"] == "dual_property"
    assert schema["Two-way"]["relation"]["dual_property"]["synced_property_name"] == "Back"
    assert schema["Back"]["relation"]["dual_property"]["synced_property_name"] == "Two-way"
    a = ws.create_page(
        {"parent": {"data_source_id": ds}, "properties": {"Name": {"title": _text("a")}}}, V
    )
    ws.create_page(
        {
            "parent": {"data_source_id": ds},
            "properties": {
                "Name": {"title": _text("b")},
                "Two-way": {"relation": [{"id": a["id"]}]},
            },
        },
        V,
    )
    assert len(ws.retrieve_page(a["id"], V)["properties"]["Back"]["relation"]) == 1


@pytest.mark.parametrize(
    ("raw", "ok"),
    [
        ("12345678-1234-1234-1234-123456789abc", False),  # variant nibble 1: Notion says 400
        ("00000000-0000-0000-0000-000000000000", True),  # nil: valid, names nothing (404)
        ("3839ce7b-60a4-8148-99ed-000b1e2cf103", True),  # Notion's own ids: version 8
        ("3839ce7b60a4814899ed000b1e2cf103", True),
    ],
)
def test_ids_are_rfc_4122_variant_uuids(raw: str, ok: bool) -> None:
    assert (parse_id(raw) is not None) is ok
    if not ok:
        with pytest.raises(ValidationError, match=r"path\.page_id should be a valid uuid"):
            require_id(raw, "path.page_id")


def test_custom_emoji_mention_is_echoed() -> None:
    emoji = {
        "id": "3839ce7b-60a4-804c-bdcd-007ad3034fba",
        "name": "un",
        "url": "https://x.invalid/e.png",
    }
    [item] = normalize_rich_text(
        [{"type": "mention", "mention": {"type": "custom_emoji", "custom_emoji": emoji}}], path="rt"
    )
    assert item["mention"] == {"type": "custom_emoji", "custom_emoji": emoji}
    assert item["plain_text"] == ":un:"
    with pytest.raises(ValidationError, match=r"custom_emoji\.id"):
        normalize_rich_text(
            [{"type": "mention", "mention": {"custom_emoji": {**emoji, "id": "x"}}}], path="rt"
        )


def test_people_values_and_mentions_leave_out_email_verified() -> None:
    ws = Workspace()
    ds = _data_source(ws, {"Name": {"title": {}}, "People": {"people": {}}})
    mention = {"type": "mention", "mention": {"type": "user", "user": {"id": OWNER_ID}}}
    page = ws.create_page(
        {
            "parent": {"data_source_id": ds},
            "properties": {
                "Name": {"title": [mention]},
                "People": {"people": [{"object": "user", "id": OWNER_ID}]},
            },
        },
        V,
    )
    person = page["properties"]["People"]["people"][0]["person"]
    assert person == {"email": "owner@sandbox.invalid"}
    assert page["properties"]["Name"]["title"][0]["mention"]["user"]["person"] == person
    assert "email_verified" in ws.retrieve_user(OWNER_ID, "2025-09-03")["person"]
