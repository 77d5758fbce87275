"""Sandbox behaviour per Notion-Version (2022-06-28, 2026-03-11), clock, and webhook events."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

TOKEN = "sandbox-token"


def client(sandbox: Any, version: str) -> httpx.Client:
    headers = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": version}
    return httpx.Client(base_url=sandbox.base_url, headers=headers, timeout=10)


def text(value: str) -> list[dict[str, Any]]:
    return [{"text": {"content": value}}]


@pytest.fixture
def server(sandbox_factory: Any) -> Any:
    return sandbox_factory(empty=True)


def new_root(http: httpx.Client) -> str:
    r = http.post(
        "/v1/pages", json={"parent": {"workspace": True}, "properties": {"title": text("R")}}
    )
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def test_2022_databases_hold_rows(server: Any) -> None:
    with client(server, "2022-06-28") as http:
        root = new_root(http)
        r = http.post(
            "/v1/databases",
            json={
                "parent": {"page_id": root},
                "title": text("Old style"),
                "properties": {"Name": {"title": {}}, "N": {"number": {}}},
            },
        )
        assert r.status_code == 200, r.text
        db = r.json()
        assert set(db["properties"]) == {"Name", "N"}
        assert "data_sources" not in db
        assert set(http.get(f"/v1/databases/{db['id']}").json()["properties"]) == {"Name", "N"}
        page = http.post(
            "/v1/pages",
            json={
                "parent": {"database_id": db["id"]},
                "properties": {"Name": {"title": text("row")}, "N": {"number": 2}},
            },
        ).json()
        assert page["parent"] == {"type": "database_id", "database_id": db["id"]}
        assert "archived" in page
        rows = http.post(f"/v1/databases/{db['id']}/query", json={}).json()
        assert [p["id"] for p in rows["results"]] == [page["id"]]
        grown = http.patch(
            f"/v1/databases/{db['id']}", json={"properties": {"Done": {"checkbox": {}}}}
        )
        assert set(grown.json()["properties"]) == {"Name", "N", "Done"}
        n_id = db["properties"]["N"]["id"]
        slim = http.get(f"/v1/pages/{page['id']}", params={"filter_properties": n_id}).json()
        assert list(slim["properties"]) == ["N"]
        found = http.post(
            "/v1/search", json={"filter": {"property": "object", "value": "database"}}
        )
        assert [d["id"] for d in found.json()["results"]] == [db["id"]]
    with client(server, "2025-09-03") as http:
        modern = http.get(f"/v1/databases/{db['id']}").json()
        assert "properties" not in modern
        assert len(modern["data_sources"]) == 1


def test_2022_rejects_a_database_with_two_data_sources(server: Any) -> None:
    with client(server, "2025-09-03") as http:
        root = new_root(http)
        db = http.post(
            "/v1/databases",
            json={
                "parent": {"page_id": root},
                "initial_data_source": {"properties": {"Name": {"title": {}}}},
            },
        ).json()
        second = http.post(
            "/v1/data_sources",
            json={"parent": {"database_id": db["id"]}, "properties": {"Title": {"title": {}}}},
        )
        assert second.status_code == 200, second.text
    with client(server, "2022-06-28") as http:
        r = http.get(f"/v1/databases/{db['id']}")
        assert (r.status_code, r.json()["code"]) == (400, "validation_error")


def test_2026_renames_archived_and_after(server: Any) -> None:
    with client(server, "2026-03-11") as http:
        root = new_root(http)
        page = http.get(f"/v1/pages/{root}").json()
        assert "archived" not in page
        assert page["in_trash"] is False
        r = http.patch(f"/v1/pages/{root}", json={"archived": True})
        assert (r.status_code, r.json()["code"]) == (400, "validation_error")
        first = http.patch(
            f"/v1/blocks/{root}/children",
            json={
                "children": [
                    {"paragraph": {"rich_text": text("a")}},
                    {"paragraph": {"rich_text": text("c")}},
                ]
            },
        ).json()["results"]
        r = http.patch(
            f"/v1/blocks/{root}/children",
            json={"children": [{"divider": {}}], "after": first[0]["id"]},
        )
        assert (r.status_code, r.json()["code"]) == (400, "validation_error")
        http.patch(
            f"/v1/blocks/{root}/children",
            json={
                "children": [{"paragraph": {"rich_text": text("b")}}],
                "position": {"type": "after_block", "after_block": {"id": first[0]["id"]}},
            },
        ).raise_for_status()
        http.patch(
            f"/v1/blocks/{root}/children",
            json={
                "children": [{"paragraph": {"rich_text": text("0")}}],
                "position": {"type": "start"},
            },
        ).raise_for_status()
        kids = http.get(f"/v1/blocks/{root}/children").json()["results"]
        assert [k["paragraph"]["rich_text"][0]["plain_text"] for k in kids] == ["0", "a", "b", "c"]
        assert all("archived" not in k for k in kids)
    with client(server, "2025-09-03") as http:
        r = http.patch(
            f"/v1/blocks/{root}/children",
            json={"children": [{"divider": {}}], "after": first[0]["id"]},
        )
        assert r.status_code == 200, r.text
        kids = http.get(f"/v1/blocks/{root}/children").json()["results"]
        assert kids[2]["type"] == "divider"


def test_unknown_version_and_body_limit(server: Any) -> None:
    with client(server, "2019-01-01") as http:
        r = http.get("/v1/users/me")
        assert (r.status_code, r.json()["code"]) == (400, "validation_error")
    with client(server, "2025-09-03") as http:
        huge = {"parent": {"workspace": True}, "properties": {"title": text("x" * 600_000)}}
        r = http.post("/v1/pages", json=huge)
        assert r.status_code == 400
        assert r.json()["code"] == "validation_error"
        r = http.post("/v1/pages", json=[1, 2])
        assert (r.status_code, r.json()["code"]) == (400, "validation_error")


def test_timestamps_follow_the_sandbox_clock(server: Any) -> None:
    with client(server, "2025-09-03") as http:
        http.put("/_sandbox/clock", json={"at": "2026-01-02T03:04:05.678Z"}).raise_for_status()
        root = new_root(http)
        page = http.get(f"/v1/pages/{root}").json()
        assert page["created_time"] == "2026-01-02T03:04:00.000Z"
        db = http.post(
            "/v1/databases",
            json={
                "parent": {"page_id": root},
                "initial_data_source": {"properties": {"Name": {"title": {}}}},
            },
        ).json()
        assert db["created_time"] == "2026-01-02T03:04:05.678+00:00"
        http.put("/_sandbox/clock", json={"advance": 120}).raise_for_status()
        edited = http.patch(
            f"/v1/pages/{root}", json={"properties": {"title": {"title": text("S")}}}
        ).json()
        assert edited["last_edited_time"] == "2026-01-02T03:06:00.000Z"
        assert edited["created_time"] == "2026-01-02T03:04:00.000Z"


def test_events_for_webhooks(server: Any) -> None:
    events: list[tuple[str, dict[str, Any], dict[str, Any]]] = []
    server.workspace.on_event = lambda kind, entity, data: events.append((kind, entity, data))
    with client(server, "2025-09-03") as http:
        root = new_root(http)
        db = http.post(
            "/v1/databases",
            json={
                "parent": {"page_id": root},
                "initial_data_source": {"properties": {"Name": {"title": {}}, "N": {"number": {}}}},
            },
        ).json()
        ds = db["data_sources"][0]["id"]
        page = http.post(
            "/v1/pages",
            json={"parent": {"data_source_id": ds}, "properties": {"Name": {"title": text("a")}}},
        ).json()
        http.patch(
            f"/v1/pages/{page['id']}", json={"properties": {"N": {"number": 3}}}
        ).raise_for_status()
        http.patch(
            f"/v1/blocks/{page['id']}/children", json={"children": [{"divider": {}}]}
        ).raise_for_status()
        http.patch(
            f"/v1/data_sources/{ds}", json={"properties": {"M": {"checkbox": {}}}}
        ).raise_for_status()
        http.patch(f"/v1/pages/{page['id']}", json={"in_trash": True}).raise_for_status()
    kinds = [k for k, entity, _ in events if entity["id"] in (page["id"], ds)]
    assert kinds == [
        "page.created",
        "page.properties_updated",
        "page.content_updated",
        "data_source.schema_updated",
        "page.deleted",
    ]
    by_kind = {k: data for k, _, data in events}
    assert len(by_kind["page.properties_updated"]["updated_properties"]) == 1
    assert by_kind["data_source.schema_updated"]["updated_properties"][0]["action"] == "created"
    assert by_kind["page.created"]["parent"]["data_source_id"] == ds


def test_webhook_url_receives_signed_events(sandbox_factory: Any) -> None:
    import json
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from syncbridge.sandbox.webhooks import verify

    received: list[tuple[bytes, str | None]] = []

    class Hook(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((body, self.headers.get("X-Notion-Signature")))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    hook = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{hook.server_address[1]}/hook"
        server = sandbox_factory(empty=True, webhook_url=url, webhook_secret="s3cret")
        with client(server, "2025-09-03") as http:
            root = new_root(http)
        assert server.app.state.webhooks.wait_idle(10)
    finally:
        hook.shutdown()
        hook.server_close()
    events = [json.loads(body) for body, _ in received]
    assert [e["type"] for e in events] == ["page.created"]
    assert events[0]["entity"] == {"id": root, "type": "page"}
    assert all(verify(body, sig, "s3cret") for body, sig in received)
