"""The official notion-client SDK against the sandbox's rate limit and injected faults."""

from __future__ import annotations

from typing import Any

import pytest
from notion_client import APIResponseError, Client
from notion_client.errors import APIErrorCode


def sdk(server: Any, **options: Any) -> Client:
    return Client(auth="sandbox-token", base_url=server.base_url, **options)


def log(server: Any) -> list[Any]:
    return server.app.state.infra.log.entries()


def test_sdk_retries_an_injected_429_after_retry_after(sandbox: Any) -> None:
    sandbox.app.state.infra.faults.set("next=429")
    with sdk(sandbox) as notion:
        me = notion.users.me()
    assert me["object"] == "user"
    entries = log(sandbox)
    assert [(e.status, e.fault) for e in entries] == [(429, "429"), (200, None)]
    assert entries[0].retry_after == 1


def test_sdk_sees_notion_error_codes(sandbox: Any) -> None:
    sandbox.app.state.infra.faults.set("next=500+503")
    with sdk(sandbox, retry=False) as notion:
        with pytest.raises(APIResponseError) as first:
            notion.users.me()
        with pytest.raises(APIResponseError) as second:
            notion.users.me()
    assert first.value.code == APIErrorCode.InternalServerError
    assert second.value.code == APIErrorCode.ServiceUnavailable


def test_sdk_unauthorized_and_rate_limited(sandbox_factory: Any) -> None:
    server = sandbox_factory(rate_limit=1, empty=True)
    with (
        Client(auth="wrong", base_url=server.base_url) as notion,
        pytest.raises(APIResponseError) as bad,
    ):
        notion.users.me()
    assert bad.value.code == APIErrorCode.Unauthorized
    with sdk(server, retry=False) as notion:
        codes = []
        for _ in range(6):
            try:
                notion.users.me()
                codes.append("ok")
            except APIResponseError as exc:
                codes.append(exc.code)
    assert codes[0] == "ok"
    assert APIErrorCode.RateLimited in codes
