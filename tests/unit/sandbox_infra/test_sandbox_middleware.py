"""The sandbox middleware and admin routes over real HTTP (uvicorn in a thread, a stand-in app)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from syncbridge.sandbox.admin import admin_router

H = {"Authorization": "Bearer sandbox-token", "Notion-Version": "2025-09-03"}
MakeServer = Callable[..., Any]


def test_request_id_on_success_and_in_state(infra_server: MakeServer) -> None:
    server, _, _ = infra_server()
    r = httpx.get(f"{server.base_url}/v1/echo", headers=H)
    assert r.status_code == 200
    assert r.json()["request_id"] == r.headers["x-notion-request-id"]
    assert r.json()["version"] == "2025-09-03"
    again = httpx.get(f"{server.base_url}/v1/echo", headers=H)
    assert again.headers["x-notion-request-id"] != r.headers["x-notion-request-id"]


@pytest.mark.parametrize("auth", [None, "Bearer nope", "Basic sandbox-token", "Bearer"])
def test_bad_token_is_401_like_notion(infra_server: MakeServer, auth: str | None) -> None:
    server, _, _ = infra_server()
    headers = {"Notion-Version": "2025-09-03"} | ({"Authorization": auth} if auth else {})
    r = httpx.get(f"{server.base_url}/v1/echo", headers=headers)
    assert r.status_code == 401
    body = r.json()
    assert body == {
        "object": "error",
        "status": 401,
        "code": "unauthorized",
        "message": "API token is invalid.",
        "request_id": r.headers["x-notion-request-id"],
    }


def test_several_tokens_and_admin_paths_need_one(infra_server: MakeServer) -> None:
    server, _, _ = infra_server(tokens=("a-token", "b-token"))
    ok = httpx.get(f"{server.base_url}/_sandbox/ping", headers={"Authorization": "Bearer b-token"})
    assert ok.status_code == 200
    assert "x-notion-request-id" in ok.headers
    assert httpx.get(f"{server.base_url}/_sandbox/ping").status_code == 401
    open_route = httpx.get(f"{server.base_url}/demo/open")
    assert open_route.status_code == 200
    assert "x-notion-request-id" not in open_route.headers


def test_missing_version_is_400(infra_server: MakeServer) -> None:
    server, _, _ = infra_server()
    r = httpx.get(f"{server.base_url}/v1/echo", headers={"Authorization": H["Authorization"]})
    assert r.status_code == 400
    assert r.json()["code"] == "missing_version"
    assert r.json()["message"].startswith("Notion-Version header failed validation")


def test_rate_limit_answers_429_with_retry_after(infra_server: MakeServer) -> None:
    server, infra, _ = infra_server(rate_limit=1)
    with httpx.Client(base_url=server.base_url, headers=H) as client:
        statuses = [client.get("/v1/echo") for _ in range(6)]
    limited = [r for r in statuses if r.status_code == 429]
    assert statuses[0].status_code == 200
    assert limited, "a burst of 6 at 1 req/s must hit the limit"
    first = limited[0]
    assert first.json()["code"] == "rate_limited"
    assert first.headers["retry-after"].isdigit()
    assert int(first.headers["retry-after"]) >= 1
    logged = [e for e in infra.log.entries() if e.status == 429]
    assert len(logged) == len(limited)
    assert all(e.retry_after is not None and e.retry_after >= 1 for e in logged)


@pytest.mark.parametrize(
    ("kind", "status", "code"),
    [
        ("429", 429, "rate_limited"),
        ("500", 500, "internal_server_error"),
        ("502", 502, "bad_gateway"),
        ("503", 503, "service_unavailable"),
        ("504", 504, "gateway_timeout"),
        ("529", 529, "service_overload"),
    ],
)
def test_status_faults_happen_before_the_write(
    infra_server: MakeServer, kind: str, status: int, code: str
) -> None:
    server, infra, writes = infra_server(faults=f"next={kind}")
    r = httpx.post(f"{server.base_url}/v1/pages", headers=H, json={"name": "x"})
    assert r.status_code == status
    assert r.json()["code"] == code
    assert r.json()["request_id"] == r.headers["x-notion-request-id"]
    assert ("retry-after" in r.headers) == (status in (429, 529))
    assert writes == []
    assert infra.log.entries()[-1].fault == kind


def test_after_faults_apply_the_write_then_spoil_the_answer(infra_server: MakeServer) -> None:
    server, infra, writes = infra_server(faults="next=500_after+malformed")
    r = httpx.post(f"{server.base_url}/v1/pages", headers=H, json={"name": "first"})
    assert r.status_code == 500
    assert writes == ["first"]
    r = httpx.post(f"{server.base_url}/v1/pages", headers=H, json={"name": "second"})
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    assert writes == ["first", "second"]
    assert [e.fault for e in infra.log.entries()] == ["500_after", "malformed"]


@pytest.mark.parametrize(("kind", "applied"), [("reset", False), ("reset_after", True)])
def test_reset_drops_the_connection(infra_server: MakeServer, kind: str, applied: bool) -> None:
    server, infra, writes = infra_server(faults=f"next={kind}")
    with pytest.raises((httpx.RemoteProtocolError, httpx.ReadError)):
        httpx.post(f"{server.base_url}/v1/pages", headers=H, json={"name": "r"})
    assert writes == (["r"] if applied else [])
    entry = infra.log.entries()[-1]
    assert (entry.fault, entry.status) == (kind, None)
    # the server is still fine afterwards
    assert httpx.get(f"{server.base_url}/v1/echo", headers=H).status_code == 200


@pytest.mark.parametrize(("kind", "applied"), [("timeout", False), ("timeout_after", True)])
def test_timeout_holds_until_the_client_gives_up(
    infra_server: MakeServer, kind: str, applied: bool
) -> None:
    server, infra, writes = infra_server(faults=f"next={kind}")
    with pytest.raises(httpx.ReadTimeout):
        httpx.post(f"{server.base_url}/v1/pages", headers=H, json={"name": "t"}, timeout=0.3)
    assert httpx.get(f"{server.base_url}/v1/echo", headers=H).status_code == 200
    assert writes == (["t"] if applied else [])
    # the held request is logged once the server sees the client go; wait for that
    deadline = time.monotonic() + 10
    while not any(e.fault == kind for e in infra.log.entries()) and time.monotonic() < deadline:
        time.sleep(0.01)
    held = next(e for e in infra.log.entries() if e.fault == kind)
    assert held.status is None


def test_timeout_past_the_hold_cap_answers_504(infra_server: MakeServer) -> None:
    server, _, writes = infra_server(faults="next=timeout,hold=0.2s")
    r = httpx.post(f"{server.base_url}/v1/pages", headers=H, json={"name": "t"}, timeout=5)
    assert r.status_code == 504
    assert writes == []


def test_faults_never_touch_admin_paths(infra_server: MakeServer) -> None:
    server, _, _ = infra_server(faults="500=1")
    assert httpx.get(f"{server.base_url}/_sandbox/ping", headers=H).status_code == 200
    assert httpx.get(f"{server.base_url}/v1/echo", headers=H).status_code == 500


@pytest.fixture
def admin(serve: Callable[[Any], Any]) -> Iterator[tuple[httpx.Client, Any, list[bool]]]:
    from fastapi import FastAPI

    from syncbridge.sandbox.clock import Clock
    from syncbridge.sandbox.config import SandboxConfig
    from syncbridge.sandbox.middleware import SandboxMiddleware, build_infra

    infra = build_infra(SandboxConfig(rate_limit=0), Clock())
    resets: list[bool] = []

    def reset(empty: bool) -> dict[str, str]:
        resets.append(empty)
        return {} if empty else {"tasks_database": "d1"}

    app = FastAPI()
    app.add_middleware(SandboxMiddleware, infra=infra)
    app.include_router(admin_router(infra, reset=reset))

    @app.get("/v1/now")
    async def now() -> dict[str, str]:
        return {"now": infra.clock.state()["now"]}

    server = serve(app)
    with httpx.Client(base_url=server.base_url, headers=H) as client:
        yield client, infra, resets


def test_admin_faults_put_get_and_errors(admin: tuple[httpx.Client, Any, list[bool]]) -> None:
    client, infra, _ = admin
    r = client.put("/_sandbox/faults", json={"503": 1, "seed": 4})
    assert r.status_code == 200
    assert r.json()["spec"] == "503=1,seed=4"
    assert client.get("/v1/now").status_code == 503
    r = client.put(
        "/_sandbox/faults", content="429=0.5,latency=1-2ms", headers={"content-type": "text/plain"}
    )
    assert r.json()["faults"] == {"429": 0.5, "latency": "1-2ms"}
    assert client.get("/_sandbox/faults").json()["spec"] == "429=0.5,latency=1-2ms"
    bad = client.put("/_sandbox/faults", json={"404": 0.5})
    assert bad.status_code == 400
    assert bad.json()["code"] == "validation_error"
    assert "unknown kind '404'" in bad.json()["message"]
    assert infra.faults.spec.to_text() == "429=0.5,latency=1-2ms"  # a bad PUT changes nothing
    assert client.put("/_sandbox/faults", content=b"").json()["spec"] == ""
    assert client.get("/v1/now").status_code == 200


def test_admin_clock(admin: tuple[httpx.Client, Any, list[bool]]) -> None:
    client, _, _ = admin
    r = client.put("/_sandbox/clock", json={"at": "2030-01-01T00:00:00Z"})
    assert r.json()["frozen"] is True
    assert client.get("/v1/now").json()["now"] == "2030-01-01T00:00:00.000Z"
    r = client.put("/_sandbox/clock", json={"advance": 90})
    assert r.json()["now"] == "2030-01-01T00:01:30.000Z"
    assert client.get("/_sandbox/clock").json()["now"] == "2030-01-01T00:01:30.000Z"
    r = client.put("/_sandbox/clock", json={"frozen": False})
    assert r.json()["frozen"] is False
    assert r.json()["now"] >= "2030-01-01T00:01:30.000Z"
    for bad in ({"advance": -1}, {"at": "soon"}, {"speed": 2}, [1]):
        answer = client.put("/_sandbox/clock", json=bad)
        assert answer.status_code == 400, bad
        assert answer.json()["message"].startswith("clock:")


def test_admin_reset_and_request_log(admin: tuple[httpx.Client, Any, list[bool]]) -> None:
    client, _, resets = admin
    assert client.post("/_sandbox/reset").json()["ids"] == {"tasks_database": "d1"}
    assert client.post("/_sandbox/reset", json={"empty": True}).json()["empty"] is True
    assert resets == [False, True]
    assert client.post("/_sandbox/reset", json={"empty": "yes"}).status_code == 400
    client.get("/v1/now")
    log = client.get("/_sandbox/requests").json()
    paths = [e["path"] for e in log["results"]]
    assert paths[-1] == "/v1/now"
    assert "/_sandbox/requests" not in paths
    assert all(e["token"].startswith("tok_") for e in log["results"])
    assert "sandbox-token" not in json.dumps(log)
    newer = client.get("/_sandbox/requests", params={"since": log["next_since"]}).json()
    assert newer["results"] == []
    client.get("/v1/now")
    newer = client.get("/_sandbox/requests", params={"since": log["next_since"]}).json()
    assert [e["path"] for e in newer["results"]] == ["/v1/now"]
    assert client.get("/_sandbox/requests", params={"since": "later"}).status_code == 400
    assert (
        client.get("/_sandbox/requests", params={"limit": 1}).json()["results"][0]["path"]
        == "/v1/now"
    )


def test_admin_takes_json_whatever_the_content_type(
    admin: tuple[httpx.Client, Any, list[bool]],
) -> None:
    client, _, _ = admin
    form = {"content-type": "application/x-www-form-urlencoded"}  # what curl -d sends
    r = client.put("/_sandbox/faults", content=b'{"500": 0.25}', headers=form)
    assert r.json()["spec"] == "500=0.25"
    r = client.put("/_sandbox/clock", content=b'{"at": "2030-01-01T00:00:00Z"}', headers=form)
    assert r.json()["now"] == "2030-01-01T00:00:00.000Z"


def test_admin_reset_can_clear_the_log_and_refills_buckets(
    admin: tuple[httpx.Client, Any, list[bool]],
) -> None:
    client, infra, _ = admin
    client.get("/v1/now")
    assert infra.limiter.rate == 0  # off in this fixture; the bucket reset must still be safe
    answer = client.post("/_sandbox/reset", json={"clear_log": True})
    assert answer.json()["object"] == "sandbox_reset"
    paths = [e["path"] for e in client.get("/_sandbox/requests").json()["results"]]
    assert paths == ["/_sandbox/reset"]
    assert client.get("/_sandbox/faults").json()["pending_script"] == []


def test_no_faults_header_skips_injection_without_using_the_dice(infra_server: MakeServer) -> None:
    server, infra, _ = infra_server(faults="next=503,500=1")
    skip = H | {"X-Sandbox-No-Faults": "1"}
    assert httpx.get(f"{server.base_url}/v1/echo", headers=skip).status_code == 200
    assert infra.faults.pending_script() == ["503"]
    assert httpx.get(f"{server.base_url}/v1/echo", headers=H).status_code == 503
    assert httpx.get(f"{server.base_url}/v1/echo", headers=H).status_code == 500
