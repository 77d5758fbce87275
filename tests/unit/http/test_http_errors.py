"""Error mapping: every httpx exception maps to one of ours; statuses map by class."""

from __future__ import annotations

import inspect

import httpx
import pytest

from syncbridge.http import errors
from syncbridge.http.client import HTTPX_EXCEPTIONS, httpx_error_class, map_httpx_error
from syncbridge.http.errors import parse_retry_after


def all_httpx_exception_classes() -> set[type[BaseException]]:
    found: set[type[BaseException]] = set()
    stack: list[type[BaseException]] = [
        obj
        for obj in vars(httpx).values()
        if inspect.isclass(obj)
        and issubclass(obj, Exception)
        and obj.__module__.startswith("httpx")
    ]
    while stack:
        cls = stack.pop()
        if cls not in found:
            found.add(cls)
            stack.extend(cls.__subclasses__())
    return found


def test_the_walk_finds_httpx_exceptions() -> None:
    classes = all_httpx_exception_classes()
    assert {
        httpx.ConnectError,
        httpx.ReadTimeout,
        httpx.StreamConsumed,
        httpx.InvalidURL,
    } <= classes
    assert len(classes) >= 25


@pytest.mark.parametrize("cls", sorted(all_httpx_exception_classes(), key=lambda c: c.__name__))
def test_every_httpx_exception_maps_to_one_of_ours(cls: type[BaseException]) -> None:
    assert issubclass(cls, HTTPX_EXCEPTIONS), f"{cls} is outside the roots map_httpx_error handles"
    if cls is httpx.HTTPStatusError or cls is httpx.HTTPError:
        return  # status errors go through the response mapper; HTTPError is the abstract root
    assert httpx_error_class(cls) is not None, f"{cls.__name__} has no mapping"


@pytest.mark.parametrize(
    ("theirs", "ours"),
    [
        (httpx.ConnectError, errors.ConnectError),
        (httpx.ConnectTimeout, errors.ConnectTimeout),
        (httpx.ReadTimeout, errors.RequestTimeout),
        (httpx.WriteTimeout, errors.RequestTimeout),
        (httpx.PoolTimeout, errors.PoolTimeout),
        (httpx.ReadError, errors.ProtocolError),
        (httpx.WriteError, errors.ProtocolError),
        (httpx.RemoteProtocolError, errors.ProtocolError),
        (httpx.LocalProtocolError, errors.RequestError),
        (httpx.UnsupportedProtocol, errors.RequestError),
        (httpx.TooManyRedirects, errors.RequestError),
        (httpx.DecodingError, errors.ResponseFormatError),
        (httpx.InvalidURL, errors.RequestError),
        (httpx.StreamConsumed, errors.RequestError),
    ],
)
def test_mapping_keeps_transient_and_terminal_apart(theirs: type, ours: type) -> None:
    request = httpx.Request("POST", "https://api.example.test/v1/pages?token=abcdefgh123")
    exc = theirs() if issubclass(theirs, httpx.StreamError) else theirs("it broke")
    mapped = map_httpx_error(exc, request)
    assert type(mapped) is ours
    assert mapped.request is request
    assert "POST https://api.example.test/v1/pages" in str(mapped)
    assert "abcdefgh123" not in str(mapped)


def test_status_errors_go_through_the_response_mapper() -> None:
    request = httpx.Request("GET", "https://h/x")
    response = httpx.Response(503, request=request, headers={"Retry-After": "3"})
    exc = httpx.HTTPStatusError("no", request=request, response=response)
    mapped = map_httpx_error(exc)
    assert isinstance(mapped, errors.ServerStatusError)
    assert mapped.status_code == 503
    assert mapped.retry_after == 3.0


@pytest.mark.parametrize(
    ("code", "cls", "transient", "any_method"),
    [
        (400, errors.ClientStatusError, False, False),
        (404, errors.ClientStatusError, False, False),
        (429, errors.RateLimitedError, True, True),
        (500, errors.ServerStatusError, True, False),
        (503, errors.ServerStatusError, True, False),
        (529, errors.ServiceOverloadedError, True, True),
    ],
)
def test_default_error_mapper(code: int, cls: type, transient: bool, any_method: bool) -> None:
    request = httpx.Request("GET", "https://api.test/v1/pages/1")
    response = httpx.Response(code, request=request, json={"message": "nope"})
    err = errors.default_error_mapper(response)
    assert type(err) is cls
    assert err.transient is transient
    assert err.retry_any_method is any_method
    assert err.response is response
    assert err.request is request
    assert f"GET https://api.test/v1/pages/1 -> {code}" in str(err)
    assert "nope" in str(err)


@pytest.mark.parametrize(
    ("value", "seconds"),
    [("5", 5.0), ("0", 0.0), ("1.5", 1.5), ("", None), (None, None), ("soon", None), ("-3", 0.0)],
)
def test_parse_retry_after_seconds(value: str | None, seconds: float | None) -> None:
    assert parse_retry_after(value) == seconds


def test_parse_retry_after_http_date() -> None:
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:30 GMT", now=1445412480.0) == 30.0
