"""Error mapping: one class per Notion code, status classifies the rest, bad bodies are clear."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncbridge.http.errors import HTTPError, StatusError
from syncbridge.http.retry import RetryPolicy
from syncbridge.notion import errors
from syncbridge.notion.errors import (
    ERROR_CLASSES,
    ConflictError,
    NotionAPIError,
    ObjectNotFoundError,
    RateLimitedError,
    ServiceOverloadError,
    UnknownNotionError,
    UnknownTransientNotionError,
    ValidationError,
    notion_error_mapper,
)

# The codes of NOTION-API.md §1.7 (kept here too so the test runs without the shared folder).
DOCUMENTED = {
    "invalid_json": 400,
    "invalid_request_url": 400,
    "invalid_request": 400,
    "invalid_grant": 400,
    "validation_error": 400,
    "missing_version": 400,
    "invalid_beta": 400,
    "unauthorized": 401,
    "restricted_resource": 403,
    "object_not_found": 404,
    "conflict_error": 409,
    "row_limit_exceeded": 409,
    "rate_limited": 429,
    "internal_server_error": 500,
    "bad_gateway": 502,
    "service_unavailable": 503,
    "database_connection_unavailable": 503,
    "gateway_timeout": 504,
    "service_overload": 529,
}
TRANSIENT = {
    "rate_limited",
    "internal_server_error",
    "bad_gateway",
    "service_unavailable",
    "database_connection_unavailable",
    "gateway_timeout",
    "service_overload",
}
NOTION_API_MD = Path(__file__).resolve().parents[4] / "shared" / "NOTION-API.md"


def answer(status: int, body: object, headers: dict[str, str] | None = None) -> httpx.Response:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    request = httpx.Request("PATCH", "https://api.notion.com/v1/pages/abc?secret=1")
    return httpx.Response(status, content=content, headers=headers or {}, request=request)


def error_body(code: str, status: int, **extra: object) -> dict[str, object]:
    return {"object": "error", "status": status, "code": code, "message": f"m-{code}", **extra}


def documented_codes() -> dict[str, int]:
    """Codes from the shared API notes' error table, when the file is there."""
    if not NOTION_API_MD.is_file():
        return {}
    text = NOTION_API_MD.read_text(encoding="utf-8")
    section = text.split("### 1.7", 1)[1].split("### 1.8", 1)[0]
    return {
        code: int(status) for status, code in re.findall(r"^\| (\d{3}) \| `(\w+)`", section, re.M)
    }


def test_every_documented_code_has_its_own_class() -> None:
    codes = {**DOCUMENTED, **documented_codes()}
    assert len(codes) >= len(DOCUMENTED)
    for code, status in codes.items():
        mapped = notion_error_mapper(answer(status, error_body(code, status)))
        assert isinstance(mapped, NotionAPIError)
        assert type(mapped) is ERROR_CLASSES[code], code
        assert (mapped.code, mapped.status, mapped.status_code) == (code, status, status)
        assert mapped.transient is (code in TRANSIENT), code


def test_error_classes_form_one_tree_under_status_error() -> None:
    for cls in ERROR_CLASSES.values():
        assert issubclass(cls, NotionAPIError)
        assert issubclass(cls, StatusError)
        assert cls.__name__ in errors.__all__
        assert cls.__name__ in (errors.__doc__ or ""), f"{cls.__name__} missing from the tree"


def test_retry_policy_reads_our_classes() -> None:
    policy = RetryPolicy(3, 0.0)

    def make(code: str) -> NotionAPIError:
        return ERROR_CLASSES[code]("x", status=DOCUMENTED[code])

    # 429 and 529 are retried for any method; 5xx only for safe ones; 4xx never.
    assert policy.is_retryable(make("rate_limited"), safe=False)
    assert policy.is_retryable(make("service_overload"), safe=False)
    assert not policy.is_retryable(make("internal_server_error"), safe=False)
    assert policy.is_retryable(make("gateway_timeout"), safe=True)
    assert not policy.is_retryable(make("conflict_error"), safe=True)
    assert not policy.is_retryable(make("validation_error"), safe=True)
    assert ConflictError.reread_then_retry


def test_fields_come_from_body_and_headers() -> None:
    body = error_body(
        "rate_limited",
        429,
        request_id="rid-1",
        additional_data={"rate_limit_reason": "public_api_request_rate_limit"},
    )
    mapped = notion_error_mapper(answer(429, body, {"retry-after": "7"}))
    assert isinstance(mapped, RateLimitedError)
    assert mapped.retry_after == 7.0
    assert mapped.request_id == "rid-1"
    assert mapped.additional_data == {"rate_limit_reason": "public_api_request_rate_limit"}
    text = str(mapped)
    assert "rate_limited" in text
    assert "rid-1" in text
    assert "/v1/pages/abc" in text
    assert "secret" not in text  # query strings never reach messages


def test_request_id_falls_back_to_header() -> None:
    mapped = notion_error_mapper(
        answer(404, error_body("object_not_found", 404), {"x-notion-request-id": "hdr-9"})
    )
    assert isinstance(mapped, ObjectNotFoundError)
    assert mapped.request_id == "hdr-9"


@pytest.mark.parametrize(
    ("status", "expected", "transient"),
    [
        (418, UnknownNotionError, False),
        (409, UnknownNotionError, False),
        (500, UnknownTransientNotionError, True),
        (599, UnknownTransientNotionError, True),
    ],
)
def test_unknown_code_classified_by_status(status: int, expected: type, transient: bool) -> None:
    mapped = notion_error_mapper(answer(status, error_body("brand_new_code", status)))
    assert type(mapped) is expected
    assert mapped.transient is transient
    assert isinstance(mapped, NotionAPIError)
    assert mapped.code == "brand_new_code"


@pytest.mark.parametrize(
    "body",
    [
        b"<html><body>502 Bad Gateway</body></html>",
        b'{"object":"error","status":5',
        b"",
        b"\xff\xfe\x00garbage",
        b"[1, 2, 3]",
        b'{"object":"page"}',
    ],
)
def test_bodies_that_are_not_notion_errors_map_by_status(body: bytes) -> None:
    mapped = notion_error_mapper(answer(502, body))
    assert isinstance(mapped, errors.BadGatewayError)
    assert mapped.transient
    assert "PATCH" in str(mapped)
    assert "/v1/pages/abc" in str(mapped)
    assert "not a Notion error object" in str(mapped)
    rate = notion_error_mapper(answer(529, body, {"retry-after": "2"}))
    assert isinstance(rate, ServiceOverloadError)
    assert rate.retry_after == 2.0


@given(
    status=st.integers(min_value=400, max_value=599),
    code=st.one_of(st.sampled_from(sorted(DOCUMENTED)), st.text(max_size=30)),
    body=st.one_of(st.binary(max_size=80), st.just(None)),
    retry_after=st.one_of(st.none(), st.text(max_size=10)),
)
def test_mapper_never_crashes(
    status: int, code: str, body: bytes | None, retry_after: str | None
) -> None:
    content = json.dumps(error_body(code, status)).encode() if body is None else body
    headers = {"retry-after": retry_after} if retry_after and retry_after.isprintable() else {}
    try:
        response = answer(status, content, headers)
    except (UnicodeEncodeError, ValueError):
        return  # header values httpx itself refuses to build
    mapped = notion_error_mapper(response)
    assert isinstance(mapped, HTTPError)
    assert isinstance(mapped, NotionAPIError)
    assert mapped.status == status
    assert mapped.retry_after is None or mapped.retry_after >= 0
    assert str(mapped)


def test_validation_error_is_what_a_bad_cursor_raises() -> None:
    mapped = notion_error_mapper(
        answer(400, error_body("validation_error", 400, message="start_cursor is invalid"))
    )
    assert isinstance(mapped, ValidationError)
