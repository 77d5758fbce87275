"""Database-type presets: registration defaults and role resolution."""

from __future__ import annotations

import pytest

from syncbridge.settings import ConflictStrategy
from syncbridge.store.presets import DATABASE_TYPES, PRESETS, preset_for, resolve_roles

SCHEMA = {
    "Task": {"id": "title", "type": "title"},
    "Created": {"id": "a", "type": "created_time"},
    "Deadline": {"id": "b", "type": "date"},
    "Start": {"id": "c", "type": "date"},
    "Owner": {"id": "d", "type": "people"},
    "상태": {"id": "e", "type": "status"},
}


def test_every_seed_type_has_a_preset_with_a_valid_strategy() -> None:
    assert set(DATABASE_TYPES) == {"tasks", "calendar", "reports", "users", "sales", "generic"}
    strategies = set(ConflictStrategy.__args__)  # type: ignore[attr-defined]
    assert all(p.conflict_strategy in strategies for p in PRESETS.values())


def test_unknown_type_names_the_valid_ones() -> None:
    with pytest.raises(ValueError, match="tasks") as info:
        preset_for("taks")
    assert "'taks'" in str(info.value)


def test_roles_prefer_name_hints_then_type_and_use_each_property_once() -> None:
    roles = resolve_roles("tasks", SCHEMA)
    assert roles["title"] == "Task"
    assert roles["due"] == "Deadline"  # hint "deadline" beats the first date ("Start" is later)
    assert roles["assignee"] == "Owner"
    assert roles["status"] == "상태"  # Korean hint
    assert "priority" not in roles


def test_roles_of_calendar_fall_back_to_type() -> None:
    roles = resolve_roles("calendar", {"X": {"type": "title"}, "Y": {"type": "date"}})
    assert roles == {"title": "X", "when": "Y"}
