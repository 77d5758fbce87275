"""Sandbox infrastructure over real HTTP: faults, rate limit, clock, reset, log, sample, hooks."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest

from syncbridge.sandbox.sample import ROWS
from syncbridge.sandbox.webhooks import verify

H = {"Authorization": "Bearer sandbox-token", "Notion-Version": "2025-09-03"}


def client(server: Any, **kwargs: Any) -> httpx.Client:
    return httpx.Client(base_url=server.base_url, headers=H, timeout=10, **kwargs)


def all_rows(c: httpx.Client, data_source_id: str) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    cursor = None
    while True:
        body: dict[str, Any] = {"page_size": 100} | ({"start_cursor": cursor} if cursor else {})
        answer = c.post(f"/v1/data_sources/{data_source_id}/query", json=body).json()
        rows += answer["results"]
        if not answer["has_more"]:
            return rows
        cursor = answer["next_cursor"]


def count_rows(c: httpx.Client, data_source_id: str) -> int:
    return len(all_rows(c, data_source_id))


def titles(c: httpx.Client, data_source_id: str) -> list[str]:
    return [
        "".join(t["plain_text"] for t in row["properties"]["Name"]["title"])
        for row in all_rows(c, data_source_id)
    ]


def new_task(ds: str, name: str) -> dict[str, Any]:
    return {
        "parent": {"type": "data_source_id", "data_source_id": ds},
        "properties": {"Name": {"title": [{"text": {"content": name}}]}},
    }


def test_faults_are_seen_by_httpx_and_logged(sandbox: Any) -> None:
    page = sandbox.sample_ids["batch_todos_page"]
    with client(sandbox) as c:
        assert c.put("/_sandbox/faults", json={"next": ["503", "429", "malformed"]}).is_success
        first, second, third = (c.get(f"/v1/pages/{page}") for _ in range(3))
        assert (first.status_code, first.json()["code"]) == (503, "service_unavailable")
        assert (second.status_code, second.headers["retry-after"]) == (429, "1")
        assert third.status_code == 200
        with pytest.raises(json.JSONDecodeError):
            third.json()
        assert c.get(f"/v1/pages/{page}").json()["id"] == page
        log = c.get("/_sandbox/requests", params={"limit": 4}).json()["results"]
    assert [(e["status"], e["fault"]) for e in log] == [
        (503, "503"),
        (429, "429"),
        (200, "malformed"),
        (200, None),
    ]
    assert log[1]["retry_after"] == 1
    assert all(e["path"] == f"/v1/pages/{page}" for e in log)


def test_a_create_that_times_out_after_notion_acted_exists(sandbox: Any) -> None:
    ds = sandbox.sample_ids["tasks_data_source"]
    with client(sandbox) as c:
        before = count_rows(c, ds)
        c.put("/_sandbox/faults", json={"next": ["timeout_after"], "methods": ["POST"]})
        with pytest.raises(httpx.ReadTimeout):
            c.post("/v1/pages", json=new_task(ds, "lost answer"), timeout=0.5)
        c.put("/_sandbox/faults", json={"next": ["timeout"], "methods": ["POST"]})
        with pytest.raises(httpx.ReadTimeout):
            c.post("/v1/pages", json=new_task(ds, "never made"), timeout=0.5)
        c.put("/_sandbox/faults", content=b"")
        names = titles(c, ds)
    assert len(names) == before + 1
    assert names.count("lost answer") == 1
    assert "never made" not in names


def test_reset_after_write_drops_the_connection_but_keeps_the_page(sandbox: Any) -> None:
    ds = sandbox.sample_ids["tasks_data_source"]
    with client(sandbox) as c:
        before = count_rows(c, ds)
        c.put("/_sandbox/faults", json={"next": ["reset_after"]})
        with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
            c.post("/v1/pages", json=new_task(ds, "half answered"))
        assert count_rows(c, ds) == before + 1


def test_rate_limit_gives_429_with_retry_after(sandbox_factory: Any) -> None:
    server = sandbox_factory(rate_limit=2, empty=True)
    with client(server) as c:
        answers = [c.get("/v1/users/me") for _ in range(10)]
        limited = [a for a in answers if a.status_code == 429]
        assert limited
        assert all(int(a.headers["retry-after"]) >= 1 for a in limited)
        assert limited[0].json()["code"] == "rate_limited"
        log = c.get("/_sandbox/requests").json()["results"]
    assert sum(1 for e in log if e["status"] == 429) == len(limited)


def test_seeded_random_faults_repeat(sandbox_factory: Any) -> None:
    def statuses() -> list[int]:
        server = sandbox_factory(empty=True, faults="500=0.3,503=0.2,seed=11")
        with client(server) as c:
            return [c.get("/v1/users/me").status_code for _ in range(30)]

    first = statuses()
    assert first == statuses()
    assert {500, 503, 200} <= set(first)


def test_frozen_clock_keeps_last_edited_time_in_one_minute(sandbox: Any) -> None:
    ds = sandbox.sample_ids["tasks_data_source"]
    with client(sandbox) as c:
        c.put("/_sandbox/clock", json={"at": "2031-05-06T07:08:09Z"})
        page = c.post("/v1/pages", json=new_task(ds, "clocked")).json()
        assert page["created_time"] == "2031-05-06T07:08:00.000Z"
        seen = set()
        for i in range(3):
            c.put("/_sandbox/clock", json={"advance": 15})
            body = {"properties": {"Name": {"title": [{"text": {"content": f"edit {i}"}}]}}}
            seen.add(c.patch(f"/v1/pages/{page['id']}", json=body).json()["last_edited_time"])
        assert seen == {"2031-05-06T07:08:00.000Z"}  # 07:08:09 + 45 s is still 07:08
        c.put("/_sandbox/clock", json={"advance": 60})
        body = {"properties": {"Name": {"title": [{"text": {"content": "later"}}]}}}
        later = c.patch(f"/v1/pages/{page['id']}", json=body).json()["last_edited_time"]
        assert later == "2031-05-06T07:09:00.000Z"
        assert c.get("/_sandbox/clock").json()["frozen"] is True


def test_reset_restores_sample_or_empty(sandbox: Any) -> None:
    ds = sandbox.sample_ids["sales_data_source"]
    with client(sandbox) as c:
        c.post(
            "/v1/pages",
            json={
                "parent": {"type": "data_source_id", "data_source_id": ds},
                "properties": {"Deal": {"title": [{"text": {"content": "extra"}}]}},
            },
        )
        assert count_rows(c, ds) == ROWS["sales"] + 1
        ids = c.post("/_sandbox/reset").json()["ids"]
        assert count_rows(c, ids["sales_data_source"]) == ROWS["sales"]
        assert c.get(f"/v1/data_sources/{ds}").status_code == 404
        assert c.post("/_sandbox/reset", json={"empty": True}).json()["ids"] == {}
        search = c.post(
            "/v1/search", json={"filter": {"property": "object", "value": "data_source"}}
        )
        assert search.json()["results"] == []


def test_sample_workspace_is_complete_and_deterministic(sandbox_factory: Any) -> None:
    a, b = sandbox_factory(), sandbox_factory()
    names = ("tasks", "calendar", "reports", "users", "sales", "issues")
    with client(a) as ca, client(b) as cb:
        for name in names:
            ds = a.sample_ids[f"{name}_data_source"]
            assert count_rows(ca, ds) == ROWS[name], name
        schema = ca.get(f"/v1/data_sources/{a.sample_ids['tasks_data_source']}").json()
        types = {p["type"] for p in schema["properties"].values()}
        assert {
            "title",
            "status",
            "select",
            "multi_select",
            "people",
            "relation",
            "rollup",
            "formula",
            "date",
            "number",
            "checkbox",
            "url",
            "rich_text",
            "unique_id",
            "created_time",
            "last_edited_time",
        } <= types
        one = ca.post(
            f"/v1/data_sources/{a.sample_ids['sales_data_source']}/query",
            json={"sorts": [{"property": "Deal", "direction": "ascending"}], "page_size": 5},
        ).json()["results"]
        two = cb.post(
            f"/v1/data_sources/{b.sample_ids['sales_data_source']}/query",
            json={"sorts": [{"property": "Deal", "direction": "ascending"}], "page_size": 5},
        ).json()["results"]
        assert [p["properties"]["Deal"] for p in one] == [p["properties"]["Deal"] for p in two]
        todos = ca.get(
            f"/v1/blocks/{a.sample_ids['batch_todos_page']}/children", params={"page_size": 100}
        ).json()["results"]
    checks = [t["to_do"]["checked"] for t in todos if t["type"] == "to_do"]
    assert len(checks) == 30
    assert 0 < sum(checks) < 30


def test_demo_api_is_public_and_follows_the_clock(sandbox: Any) -> None:
    with client(sandbox) as c:
        c.put("/_sandbox/clock", json={"at": "2031-05-06T12:00:00Z"})
        noon = httpx.get(f"{sandbox.base_url}/demo/booth/all").json()
        assert noon == httpx.get(f"{sandbox.base_url}/demo/booth/all").json()
        c.put("/_sandbox/clock", json={"advance": 3600})
        later = httpx.get(f"{sandbox.base_url}/demo/booth/all").json()
    booth = noon["data"][0]
    assert set(booth) == {"boothId", "boothName", "boothAllTable", "boothUsageTable", "menus"}
    assert set(booth["menus"][0]) == {
        "menuId",
        "menuName",
        "menuIngredidentReminder",
        "menuSalesQuantity",
    }
    sold = [m["menuSalesQuantity"] for b in noon["data"] for m in b["menus"]]
    sold_later = [m["menuSalesQuantity"] for b in later["data"] for m in b["menus"]]
    assert all(x < y for x, y in zip(sold, sold_later, strict=True))


class _Receiver:
    def __init__(self) -> None:
        self.events: list[tuple[bytes, str | None]] = []
        self.arrived = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["content-length"]))
                outer.events.append((body, self.headers.get("x-notion-signature")))
                outer.arrived.set()
                self.send_response(200)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


@pytest.fixture
def receiver() -> Iterator[_Receiver]:
    r = _Receiver()
    yield r
    r.server.shutdown()
    r.server.server_close()


def test_webhook_events_for_api_writes(sandbox_factory: Any, receiver: _Receiver) -> None:
    server = sandbox_factory(webhook_url=receiver.url, webhook_secret="whsec")
    assert server.app.state.webhooks.stats().queued == 0  # the sample makes no events
    ds = server.sample_ids["tasks_data_source"]
    with client(server) as c:
        page = c.post("/v1/pages", json=new_task(ds, "hooked")).json()
        me = c.get("/v1/users/me").json()
    assert server.app.state.webhooks.wait_idle()
    deadline = time.monotonic() + 10
    while not receiver.events and time.monotonic() < deadline:
        receiver.arrived.wait(0.1)
    events = [json.loads(body) for body, _ in receiver.events]
    assert all(verify(body, sig, "whsec") for body, sig in receiver.events)
    created = [e for e in events if e["type"] == "page.created"]
    assert [e["entity"] for e in created] == [{"id": page["id"], "type": "page"}]
    assert created[0]["authors"] == [{"id": me["id"], "type": "bot"}]
    assert created[0]["workspace_id"] == me["bot"]["workspace_id"]


def test_admin_docs_are_public_but_admin_routes_are_not(sandbox: Any) -> None:
    docs = httpx.get(f"{sandbox.base_url}/_sandbox/docs")
    assert docs.status_code == 200
    assert "/_sandbox/openapi.json" in docs.text
    assert httpx.get(f"{sandbox.base_url}/_sandbox/faults").status_code == 401
