"""The sandbox answers with the same keys as real Notion traffic (notion-sdk-py cassettes)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

TOKEN = "sandbox-token"


def recorded(cassettes: Path, name: str, method: str, path_part: str) -> dict[str, Any]:
    """The first recorded 200 answer to ``method`` on a URI containing ``path_part``."""
    data = yaml.safe_load((cassettes / "notion-sdk-py" / name).read_text())
    for item in data["interactions"]:
        request, response = item["request"], item["response"]
        wanted = request["method"] == method and path_part in request["uri"]
        if wanted and response["status"]["code"] == 200:
            return dict(json.loads(response["body"]["string"]))
    raise AssertionError(f"{name}: no {method} {path_part}")


def keys(obj: dict[str, Any]) -> set[str]:
    return set(obj) - {"request_id"}


@pytest.fixture
def live(sandbox_factory: Any) -> Any:
    server = sandbox_factory(empty=True)
    headers = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2025-09-03"}
    with httpx.Client(base_url=server.base_url + "/v1", headers=headers, timeout=10) as http:
        yield http


def ok(response: httpx.Response) -> dict[str, Any]:
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_shapes_match_recorded_answers(cassettes_dir: Path, live: httpx.Client) -> None:
    text = [{"text": {"content": "Test"}}]
    page = ok(
        live.post("/pages", json={"parent": {"workspace": True}, "properties": {"title": text}})
    )
    real_page = recorded(cassettes_dir, "test_pages_create.yaml", "POST", "/v1/pages")
    assert keys(page) == keys(real_page)
    assert keys(page["properties"]["title"]) == keys(real_page["properties"]["title"])
    assert keys(page["properties"]["title"]["title"][0]) == keys(
        real_page["properties"]["title"]["title"][0]
    )

    db = ok(
        live.post(
            "/databases", json={"parent": {"type": "page_id", "page_id": page["id"]}, "title": text}
        )
    )
    real_db = recorded(cassettes_dir, "test_databases_create.yaml", "POST", "/v1/databases")
    assert keys(db) == keys(real_db)
    assert db["created_time"][-6:] == real_db["created_time"][-6:] == "+00:00"

    ds_body = {
        "parent": {"type": "database_id", "database_id": db["id"]},
        "properties": {"Name": {"type": "title", "title": {}}},
        "title": text,
        "icon": {"type": "emoji", "emoji": "⚙️"},
    }
    ds = ok(live.post("/data_sources", json=ds_body))
    real_ds = recorded(cassettes_dir, "test_data_sources_create.yaml", "POST", "/v1/data_sources")
    assert keys(ds) == keys(real_ds)
    assert ds["properties"]["Name"] == real_ds["properties"]["Name"]
    assert ds["icon"] == ds_body["icon"]

    query = ok(live.post(f"/data_sources/{ds['id']}/query", json={}))
    real_query = recorded(cassettes_dir, "test_data_sources_query.yaml", "POST", "/query")
    assert {k: v for k, v in query.items() if k != "request_id"} == {
        k: v for k, v in real_query.items() if k != "request_id"
    }

    children = {
        "children": [{"paragraph": {"rich_text": [{"text": {"content": "I'm a paragraph."}}]}}]
    }
    appended = ok(live.patch(f"/blocks/{page['id']}/children", json=children))
    real_append = recorded(cassettes_dir, "test_blocks_children_create.yaml", "PATCH", "/children")
    assert keys(appended) == keys(real_append)
    mine, theirs = appended["results"][0], real_append["results"][0]
    assert keys(mine) == keys(theirs)
    assert mine["paragraph"] == theirs["paragraph"]

    comment = ok(
        live.post("/comments", json={"parent": {"page_id": page["id"]}, "rich_text": text})
    )
    real_comment = recorded(cassettes_dir, "test_comments_create.yaml", "POST", "/v1/comments")
    assert keys(comment) == keys(real_comment)

    deleted = ok(live.delete(f"/blocks/{page['id']}"))
    real_deleted = recorded(cassettes_dir, "test_pages_create.yaml", "DELETE", "/v1/blocks/")
    assert keys(deleted) == keys(real_deleted)
    assert (deleted["type"], deleted["in_trash"], deleted["archived"]) == ("child_page", True, True)

    me = ok(live.get("/users/me"))
    assert keys(me) == keys(recorded(cassettes_dir, "test_users_me.yaml", "GET", "/users/me"))
    item = ok(live.get(f"/pages/{page['id']}/properties/title"))
    real_item = recorded(
        cassettes_dir, "test_pages_properties_retrieve.yaml", "GET", "/properties/"
    )
    assert keys(item) == keys(real_item)
    assert keys(item["property_item"]) == keys(real_item["property_item"])


def test_error_shapes_match(cassettes_dir: Path, live: httpx.Client) -> None:
    missing = live.get("/pages/00000000-0000-0000-0000-000000000000")
    data = yaml.safe_load(
        (cassettes_dir / "notion-sdk-py" / "test_build_request_error_integration.yaml").read_text()
    )
    real = json.loads(data["interactions"][0]["response"]["body"]["string"])
    assert missing.status_code == real["status"] == 404
    assert keys(missing.json()) == keys(real)
    assert (
        missing.json()["message"].split("shared with your integration")[0]
        == real["message"].split("shared with your integration")[0]
    )
    bad_url = live.get("/invalid")
    assert bad_url.json()["message"] == "Invalid request URL."


def test_2026_page_in_a_data_source_matches(cassettes_dir: Path, sandbox_factory: Any) -> None:
    data = yaml.safe_load(
        (cassettes_dir / "ultimate-notion" / "test_query" / "test_select_query.yaml").read_text()
    )
    answers = [
        json.loads(i["response"]["content"])
        for i in data["interactions"]
        if i["request"]["uri"].endswith("/query") and i["response"]["status_code"] == 200
    ]
    real_page = next(a["results"][0] for a in answers if a["results"])
    server = sandbox_factory(empty=True)
    headers = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2026-03-11"}
    with httpx.Client(base_url=server.base_url + "/v1", headers=headers, timeout=10) as http:
        text = [{"text": {"content": "T"}}]
        root = ok(
            http.post("/pages", json={"parent": {"workspace": True}, "properties": {"title": text}})
        )
        db = ok(
            http.post(
                "/databases",
                json={
                    "parent": {"page_id": root["id"]},
                    "initial_data_source": {"properties": {"Title": {"title": {}}}},
                },
            )
        )
        ds = db["data_sources"][0]["id"]
        ok(http.post("/pages", json={"parent": {"data_source_id": ds}, "properties": {}}))
        mine = ok(http.post(f"/data_sources/{ds}/query", json={"page_size": 100}))["results"][0]
    assert keys(mine) == keys(real_page)
    assert keys(mine["parent"]) == keys(real_page["parent"])
    assert mine["properties"]["Title"] == real_page["properties"]["Title"]
