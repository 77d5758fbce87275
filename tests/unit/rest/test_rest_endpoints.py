"""Endpoint registry: definitions are validated, calls are checked before anything is sent."""

from __future__ import annotations

import pytest

from syncbridge.http.ratelimit import Lane
from syncbridge.rest import Endpoint, EndpointError, EndpointRegistry


def registry() -> EndpointRegistry:
    reg = EndpointRegistry()
    reg.add("list_posts", "get", "/posts", query=("page", "user_id"), cache_ttl=30)
    reg.add("get_comment", "GET", "/posts/{post_id}/comments/{comment_id}")
    reg.add("search", "GET", "/search", query=("q", "limit"), required=("q",))
    reg.add("create_post", "POST", "/posts", lane=Lane.PUSH)
    return reg


def test_path_and_query_are_filled_and_escaped() -> None:
    built = registry().build("get_comment", {"post_id": "a/b c", "comment_id": 7})
    assert built.path == "/posts/a%2Fb%20c/comments/7"
    assert built.params == {}
    listed = registry().build("list_posts", {"page": 2, "user_id": None})
    assert (listed.path, listed.params) == ("/posts", {"page": 2})
    assert listed.endpoint.method == "GET"
    assert listed.endpoint.cache_ttl == 30


def test_unknown_parameter_names_endpoint_parameter_and_what_it_accepts() -> None:
    with pytest.raises(EndpointError) as caught:
        registry().build("list_posts", {"page": 1, "pgae": 2})
    message = str(caught.value)
    assert "'list_posts'" in message
    assert "pgae" in message
    assert "accepts: page, user_id" in message


def test_missing_path_and_required_query_parameters() -> None:
    with pytest.raises(EndpointError, match="'get_comment': missing parameter\\(s\\) comment_id"):
        registry().build("get_comment", {"post_id": 1})
    with pytest.raises(EndpointError, match="'search': missing parameter\\(s\\) q"):
        registry().build("search", {"limit": 3})


def test_unknown_endpoint_suggests_close_names() -> None:
    with pytest.raises(
        EndpointError, match="unknown endpoint 'list_post'; did you mean list_posts"
    ):
        registry().build("list_post", {})


def test_duplicate_registration_is_an_error_unless_replacing() -> None:
    reg = registry()
    with pytest.raises(EndpointError, match="already registered"):
        reg.add("search", "GET", "/v2/search")
    reg.register(Endpoint("search", "GET", "/v2/search"), replace=True)
    assert reg.get("search").path == "/v2/search"
    reg.unregister("search")
    assert "search" not in reg
    assert len(reg) == 3
    assert [e.name for e in reg] == ["list_posts", "get_comment", "create_post"]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"name": "x", "method": "FETCH"}, "unknown HTTP method"),
        ({"name": "x", "path": "/a/{b"}, "unbalanced brace"),
        ({"name": "x", "path": "/a/{1b}"}, "not a valid name"),
        ({"name": "x", "path": "/a/{b}/{b}"}, "appears twice"),
        ({"name": "x", "path": "/a/{b}", "query": ("b",)}, "both path and query"),
        ({"name": "x", "query": ("a",), "required": ("c",)}, "not among query"),
        ({"name": ""}, "needs a name"),
    ],
)
def test_bad_definitions_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(EndpointError, match=message):
        Endpoint(**kwargs)


def test_endpoint_knows_its_parameters() -> None:
    endpoint = Endpoint("e", "patch", "/a/{x}/b/{y}", query=("z",))
    assert endpoint.method == "PATCH"
    assert endpoint.path_params == ("x", "y")
    assert endpoint.accepts == ("x", "y", "z")
