"""Identifier rules for mirror tables and columns (pure functions, no database)."""

from __future__ import annotations

import string

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncbridge.store import naming
from syncbridge.store.mirror import BOOKKEEPING, plan_columns


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Due Date", "due_date"),
        ("  Über-Größe!! ", "uber_grosse"),
        ('He said "hi"', "he_said_hi"),
        ("🔥 Hot", "hot"),
        ("이름", ""),
        ("a`b'c", "a_b_c"),
    ],
)
def test_slug(name: str, expected: str) -> None:
    assert naming.slug(name) == expected


def test_column_base_falls_back_to_property_id_hash_and_prefixes_digits() -> None:
    assert naming.column_base("이름", "abc") == "p_" + naming.short_hash("abc")
    assert naming.column_base("이름", "abc") != naming.column_base("이름", "abd")
    assert naming.column_base("2024 Revenue", "x") == "p_2024_revenue"


def test_long_names_are_cut_with_a_hash_and_stay_distinct() -> None:
    a = naming.fit("x" * 100 + "a")
    b = naming.fit("x" * 100 + "b")
    assert len(a) == len(b) == naming.MAX_IDENTIFIER
    assert a != b


def test_allocation_avoids_reserved_and_taken_names_ignoring_case() -> None:
    assert naming.allocate_columns("page_id", [""], set()) == {"": "page_id_2"}
    assert naming.allocate_columns("due", ["", "_end"], {"DUE_END"}) == {
        "": "due_2",
        "_end": "due_2_end",
    }


def test_plan_handles_nasty_property_names() -> None:
    names = [
        "ID",
        "page_id",
        "select",
        "_sb_raw",
        "_SB_HASH",
        'quote " and ` backtick',
        "🔥",
        "이름",
        "L" * 300,
        "L" * 300 + "!",
        "Due Date",
        "due-date",
        "Due",
        "Due end",
    ]
    schema = {
        n: {"id": f"id{i}", "name": n, "type": "date" if n == "Due" else "rich_text"}
        for i, n in enumerate(names)
    }
    planned = plan_columns(schema)
    columns = [c.name for p in planned for c in p.columns]
    lowered = [c.lower() for c in columns]
    assert len(set(lowered)) == len(lowered)
    assert not set(lowered) & {b.lower() for b in BOOKKEEPING}
    assert all(len(c) <= naming.MAX_IDENTIFIER for c in columns)
    assert len(planned) == len(names)  # every property got its columns


_names = st.text(min_size=0, max_size=120)


@given(st.lists(_names, min_size=1, max_size=12), st.sampled_from(["", "_end", "_names"]))
def test_allocated_names_are_always_safe(names: list[str], extra: str) -> None:
    taken = {b.lower() for b in BOOKKEEPING}
    allowed = set(string.ascii_lowercase + string.digits + "_")
    for i, name in enumerate(names):
        cols = naming.allocate_columns(naming.column_base(name, f"p{i}"), ["", extra], taken)
        for col in cols.values():
            assert len(col) <= naming.MAX_IDENTIFIER
            assert set(col) <= allowed
            assert not naming.is_reserved(col)
            assert col.lower() not in taken
        taken.update(c.lower() for c in cols.values())


def test_table_names() -> None:
    assert naming.table_name("Tasks", "x", set()) == "nt_tasks"
    assert naming.table_name("Tasks", "x", {"NT_TASKS"}) == "nt_tasks_2"
    assert naming.table_name("매출", "ds-1", set()) == "nt_" + naming.short_hash("ds-1")
    assert len(naming.table_name("t" * 200, "x", set())) == naming.MAX_IDENTIFIER
