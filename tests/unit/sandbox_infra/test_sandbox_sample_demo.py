"""The sample workspace (built through the real Workspace) and the demo booth feed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from syncbridge.sandbox.clock import Clock
from syncbridge.sandbox.demo import booths_at
from syncbridge.sandbox.sample import ROWS, reset_workspace, seed_sample_workspace
from syncbridge.sandbox.workspace import Workspace

SMALL = {"users": 5, "tasks": 8, "calendar": 4, "reports": 3, "sales": 6, "issues": 4}
AT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


def frozen_workspace(on_event: Any = None) -> Workspace:
    clock = Clock()
    clock.freeze(AT)
    return Workspace(clock, on_event=on_event)


def rows(ws: Workspace, ds: str) -> list[dict[str, Any]]:
    return list(ws.query(ds, {"page_size": 100})["results"])


def plain(value: dict[str, Any]) -> Any:
    kind = value["type"]
    inner = value[kind]
    if kind in ("title", "rich_text"):
        return "".join(t["plain_text"] for t in inner)
    if kind in ("select", "status"):
        return inner and inner["name"]
    if kind == "multi_select":
        return [o["name"] for o in inner]
    if kind == "relation":
        return len(inner)
    if kind == "people":
        return len(inner)
    return inner


def test_small_sample_has_every_database_and_the_todo_page() -> None:
    ws = frozen_workspace()
    ids = seed_sample_workspace(ws, rows=SMALL)
    for name, count in SMALL.items():
        assert len(rows(ws, ids[f"{name}_data_source"])) == count, name
        assert (
            ws.retrieve_database(ids[f"{name}_database"])["data_sources"][0]["id"]
            == (ids[f"{name}_data_source"])
        )
    root = ws.retrieve_page(ids["sample_page"])
    assert root["parent"] == {"type": "workspace", "workspace": True}
    todos = ws.list_children(ids["batch_todos_page"], None, 100)["results"]
    assert [b["type"] for b in todos[:2]] == ["heading_2", "paragraph"]
    assert sum(1 for b in todos if b["type"] == "to_do") == 30


def test_relations_point_at_real_rows_and_rollups_compute() -> None:
    ws = frozen_workspace()
    ids = seed_sample_workspace(ws, rows=SMALL)
    users = {p["id"] for p in rows(ws, ids["users_data_source"])}
    for task in rows(ws, ids["tasks_data_source"]):
        props = task["properties"]
        owners = [r["id"] for r in props["Owner"]["relation"]]
        assert owners
        assert set(owners) <= users
        assert props["Effort (min)"]["formula"]["number"] == props["Estimate (h)"]["number"] * 60
        assert props["Task ID"]["unique_id"]["prefix"] == "TASK"
        assert props["Created"]["created_time"] == "2030-01-02T03:04:00.000Z"
    for sale in rows(ws, ids["sales_data_source"]):
        p = sale["properties"]
        assert (
            p["Total"]["formula"]["number"] == p["Quantity"]["number"] * p["Unit price"]["number"]
        )


def test_same_data_every_time_and_no_events() -> None:
    events: list[Any] = []

    def record(event_type: str, entity: dict[str, Any], data: dict[str, Any]) -> None:
        events.append(event_type)

    first, second = frozen_workspace(record), frozen_workspace()
    a = seed_sample_workspace(first, rows=SMALL)
    b = seed_sample_workspace(second, rows=SMALL)
    for name in SMALL:
        left = [
            {k: plain(v) for k, v in r["properties"].items()}
            for r in rows(first, a[f"{name}_data_source"])
        ]
        right = [
            {k: plain(v) for k, v in r["properties"].items()}
            for r in rows(second, b[f"{name}_data_source"])
        ]
        assert sorted(json.dumps(r, sort_keys=True) for r in left) == sorted(
            json.dumps(r, sort_keys=True) for r in right
        ), name
    assert events == []
    assert first.on_event is record  # restored after seeding


def test_reset_workspace_empty_and_default_sizes() -> None:
    ws = frozen_workspace()
    ids = reset_workspace(ws, empty=False)
    assert len(rows(ws, ids["tasks_data_source"])) == min(100, ROWS["tasks"])
    assert reset_workspace(ws, empty=True) == {}
    assert ws.search({"filter": {"property": "object", "value": "data_source"}})["results"] == []


def test_demo_feed_is_a_function_of_the_minute() -> None:
    noon = datetime(2030, 5, 6, 12, 0, 10, tzinfo=UTC)
    assert booths_at(noon) == booths_at(noon + timedelta(seconds=40))
    later = booths_at(noon + timedelta(hours=2))
    for before, after in zip(booths_at(noon), later, strict=True):
        assert before["boothName"] == after["boothName"]
        assert 0 <= after["boothUsageTable"] <= after["boothAllTable"]
        for m0, m1 in zip(before["menus"], after["menus"], strict=True):
            assert m1["menuSalesQuantity"] > m0["menuSalesQuantity"]
            assert m1["menuIngredidentReminder"] <= m0["menuIngredidentReminder"]
    midnight = datetime(2030, 5, 7, 0, 0, tzinfo=UTC)
    assert all(m["menuSalesQuantity"] == 0 for b in booths_at(midnight) for m in b["menus"])
