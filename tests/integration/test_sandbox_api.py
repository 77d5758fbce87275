"""The sandbox over raw HTTP: versions, errors, pagination, limits, persistence."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from syncbridge.sandbox import workspace as workspace_module

TOKEN = "sandbox-token"


def client(sandbox: Any, version: str | None = "2025-09-03", token: str = TOKEN) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"}
    if version is not None:
        headers["Notion-Version"] = version
    return httpx.Client(base_url=sandbox.base_url + "/v1", headers=headers, timeout=10)


def title(text: str) -> list[dict[str, Any]]:
    return [{"text": {"content": text}}]


def make_database(http: httpx.Client, parent_page: str, **schema: Any) -> tuple[str, str]:
    props = {"Name": {"title": {}}, **schema}
    r = http.post(
        "/databases",
        json={
            "parent": {"page_id": parent_page},
            "title": title("Things"),
            "initial_data_source": {"properties": props},
        },
    )
    assert r.status_code == 200, r.text
    db = r.json()
    return db["id"], db["data_sources"][0]["id"]


@pytest.fixture
def empty_sandbox(sandbox_factory: Any) -> Any:
    return sandbox_factory(empty=True)


@pytest.fixture
def root(empty_sandbox: Any) -> str:
    with client(empty_sandbox) as http:
        r = http.post(
            "/pages", json={"parent": {"workspace": True}, "properties": {"title": title("Root")}}
        )
        assert r.status_code == 200, r.text
        return str(r.json()["id"])


def test_missing_version_bad_token_and_unknown_route(empty_sandbox: Any) -> None:
    with client(empty_sandbox, version=None) as http:
        r = http.get("/users/me")
        assert (r.status_code, r.json()["code"]) == (400, "missing_version")
        assert r.headers["x-notion-request-id"] == r.json()["request_id"]
    with client(empty_sandbox, token="wrong") as http:
        r = http.get("/users")
        assert (r.status_code, r.json()["code"]) == (401, "unauthorized")
    with client(empty_sandbox) as http:
        r = http.get("/nothing/here")
        assert (r.status_code, r.json()["code"]) == (400, "invalid_request_url")
        r = http.post("/pages", content=b"{not json", headers={"content-type": "application/json"})
        assert (r.status_code, r.json()["code"]) == (400, "invalid_json")
        r = http.get("/pages/not-a-uuid")
        assert (r.status_code, r.json()["code"]) == (400, "validation_error")
        assert "path.page_id" in r.json()["message"]


def test_not_found_message_and_ids_without_dashes(empty_sandbox: Any, root: str) -> None:
    with client(empty_sandbox) as http:
        missing = "00000000-0000-0000-0000-000000000000"
        r = http.get(f"/pages/{missing}")
        body = r.json()
        assert (r.status_code, body["code"]) == (404, "object_not_found")
        assert body["message"].startswith(f"Could not find page with ID: {missing}. Make sure")
        assert http.get(f"/pages/{root.replace('-', '')}").json()["id"] == root


def test_list_envelope_and_invalid_cursor(empty_sandbox: Any, root: str) -> None:
    with client(empty_sandbox) as http:
        _, ds = make_database(http, root)
        for i in range(5):
            made = http.post(
                "/pages",
                json={
                    "parent": {"data_source_id": ds},
                    "properties": {"Name": {"title": title(f"r{i}")}},
                },
            )
            assert made.status_code == 200, made.text
        first = http.post(f"/data_sources/{ds}/query", json={"page_size": 2}).json()
        assert first["object"] == "list"
        assert first["type"] == "page_or_data_source"
        assert first["page_or_data_source"] == {}
        assert "request_id" in first
        assert first["has_more"] is True
        assert len(first["results"]) == 2
        seen = [p["id"] for p in first["results"]]
        cursor = first["next_cursor"]
        while cursor:
            page = http.post(
                f"/data_sources/{ds}/query", json={"page_size": 2, "start_cursor": cursor}
            ).json()
            seen += [p["id"] for p in page["results"]]
            cursor = page["next_cursor"]
        assert len(seen) == len(set(seen)) == 5
        bad = http.post(f"/data_sources/{ds}/query", json={"start_cursor": "garbage"})
        assert (bad.status_code, bad.json()["code"]) == (400, "validation_error")
        big = http.post(f"/data_sources/{ds}/query", json={"page_size": 101})
        assert (big.status_code, big.json()["code"]) == (400, "validation_error")


def test_query_stops_at_ten_thousand_rows(empty_sandbox: Any, root: str) -> None:
    ws = empty_sandbox.workspace
    with client(empty_sandbox) as http:
        _, ds = make_database(http, root)
    limit = workspace_module.QUERY_RESULT_LIMIT
    for i in range(limit + 5):
        ws.create_page(
            {"parent": {"data_source_id": ds}, "properties": {"Name": {"title": title(f"r{i}")}}}
        )
    with client(empty_sandbox) as http:
        cursor, pages, total = None, 0, 0
        while True:
            body: dict[str, Any] = {"page_size": 100}
            if cursor:
                body["start_cursor"] = cursor
            answer = http.post(f"/data_sources/{ds}/query", json=body).json()
            pages += 1
            total += len(answer["results"])
            cursor = answer["next_cursor"]
            if not answer["has_more"]:
                break
        assert total == limit
        assert pages == limit // 100
        assert answer["request_status"] == {
            "type": "incomplete",
            "incomplete_reason": "query_result_limit_reached",
        }


def test_persistence_survives_restart(sandbox_factory: Any, tmp_path: Any) -> None:
    data = tmp_path / "sandbox.db"
    first = sandbox_factory(empty=True, data=data)
    with client(first) as http:
        page = http.post(
            "/pages", json={"parent": {"workspace": True}, "properties": {"title": title("Kept")}}
        ).json()
        http.patch(
            f"/blocks/{page['id']}/children",
            json={"children": [{"paragraph": {"rich_text": title("body")}}]},
        )
        _, ds = make_database(http, page["id"], N={"number": {}})
        rows = [
            http.post(
                "/pages",
                json={"parent": {"data_source_id": ds}, "properties": {"N": {"number": n}}},
            ).json()["id"]
            for n in range(3)
        ]
        http.patch(f"/pages/{rows[1]}", json={"in_trash": True})
        http.post("/comments", json={"parent": {"page_id": page["id"]}, "rich_text": title("hi")})
    first.stop()
    second = sandbox_factory(empty=True, data=data)
    with client(second) as http:
        again = http.get(f"/pages/{page['id']}").json()
        assert again["properties"]["title"]["title"][0]["plain_text"] == "Kept"
        kids = http.get(f"/blocks/{page['id']}/children").json()["results"]
        assert [k["type"] for k in kids] == ["paragraph", "child_database"]
        live = http.post(f"/data_sources/{ds}/query", json={}).json()["results"]
        assert [r["id"] for r in live] == [rows[0], rows[2]]
        comments = http.get("/comments", params={"block_id": page["id"]}).json()["results"]
        assert [c["rich_text"][0]["plain_text"] for c in comments] == ["hi"]
        http.post(f"{second.base_url}/_sandbox/reset", json={"empty": True}).raise_for_status()
    second.stop()
    third = sandbox_factory(empty=True, data=data)
    with client(third) as http:
        assert http.get(f"/pages/{page['id']}").status_code == 404
