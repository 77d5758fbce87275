"""Bad input never makes the sandbox answer 5xx: arbitrary JSON at every write endpoint."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TOKEN = "sandbox-token"

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=12,
)
KEYS = st.sampled_from(
    [
        "parent",
        "properties",
        "children",
        "title",
        "filter",
        "sorts",
        "start_cursor",
        "page_size",
        "in_trash",
        "archived",
        "icon",
        "cover",
        "rich_text",
        "query",
        "sort",
        "after",
        "position",
        "paragraph",
        "initial_data_source",
        "discussion_id",
        "Name",
        "N",
    ]
)
bodies = st.dictionaries(KEYS, json_values, max_size=4)


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    from syncbridge.sandbox.config import SandboxConfig
    from syncbridge.sandbox.server import SandboxServer

    with SandboxServer(SandboxConfig(port=0, rate_limit=0, empty=True)) as server:
        headers = {"Authorization": f"Bearer {TOKEN}", "Notion-Version": "2025-09-03"}
        with httpx.Client(base_url=server.base_url + "/v1", headers=headers, timeout=10) as http:
            root = http.post(
                "/pages",
                json={
                    "parent": {"workspace": True},
                    "properties": {"title": [{"text": {"content": "R"}}]},
                },
            ).json()["id"]
            db = http.post(
                "/databases",
                json={
                    "parent": {"page_id": root},
                    "initial_data_source": {
                        "properties": {"Name": {"title": {}}, "N": {"number": {}}}
                    },
                },
            ).json()
            yield {"http": http, "root": root, "db": db["id"], "ds": db["data_sources"][0]["id"]}


def endpoints(ids: dict[str, Any]) -> list[tuple[str, str]]:
    root, db, ds = ids["root"], ids["db"], ids["ds"]
    return [
        ("POST", "/pages"),
        ("PATCH", f"/pages/{root}"),
        ("POST", "/databases"),
        ("PATCH", f"/databases/{db}"),
        ("POST", "/data_sources"),
        ("PATCH", f"/data_sources/{ds}"),
        ("POST", f"/data_sources/{ds}/query"),
        ("PATCH", f"/blocks/{root}/children"),
        ("PATCH", f"/blocks/{root}"),
        ("POST", "/search"),
        ("POST", "/comments"),
    ]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(body=bodies, which=st.integers(min_value=0, max_value=10))
def test_arbitrary_bodies_get_4xx_or_2xx(
    target: dict[str, Any], body: dict[str, Any], which: int
) -> None:
    method, path = endpoints(target)[which]
    answer = target["http"].request(method, path, json=body)
    assert answer.status_code < 500, (method, path, body, answer.text)
    if answer.status_code >= 400:
        assert answer.json()["object"] == "error"


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    values=st.dictionaries(st.sampled_from(["Name", "N", "title", "x"]), json_values, max_size=3)
)
def test_arbitrary_property_values_get_4xx_or_2xx(
    target: dict[str, Any], values: dict[str, Any]
) -> None:
    answer = target["http"].post(
        "/pages", json={"parent": {"data_source_id": target["ds"]}, "properties": values}
    )
    assert answer.status_code < 500, (values, answer.text)


@pytest.mark.parametrize(
    "raw", [b'{"parent": NaN}', b"[" * 100_000, b"\xff\xfe", b'"just a string"']
)
def test_malformed_bodies_are_client_errors(target: dict[str, Any], raw: bytes) -> None:
    answer = target["http"].post(
        "/pages", content=raw, headers={"content-type": "application/json"}
    )
    assert answer.status_code == 400
    assert answer.json()["code"] in ("invalid_json", "validation_error")


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    which=st.integers(min_value=0, max_value=5),
    raw_id=st.text(st.characters(min_codepoint=33, max_codepoint=126), max_size=40).filter(
        lambda t: not set(t) & set("/?#%")
    ),
    size=st.one_of(st.none(), st.text(max_size=5)),
    cursor=st.one_of(st.none(), st.text(max_size=40)),
)
def test_arbitrary_ids_and_query_strings_get_4xx_or_2xx(
    target: dict[str, Any], which: int, raw_id: str, size: str | None, cursor: str | None
) -> None:
    path = [
        f"/pages/{raw_id}",
        f"/blocks/{raw_id}/children",
        f"/users/{raw_id}",
        f"/data_sources/{raw_id}",
        f"/pages/{target['root']}/properties/{raw_id}",
        "/comments",
    ][which]
    params = {
        k: v
        for k, v in {"page_size": size, "start_cursor": cursor, "block_id": raw_id}.items()
        if v is not None
    }
    answer = target["http"].get(path, params=params)
    assert answer.status_code < 500, (path, params, answer.text)
