"""Our client sends what the official SDK sent to the real API, and reads what the API answered.

Every notion-sdk-py cassette (real api.notion.com traffic) is replayed in order by a loopback
server; for each recorded request we make the same call through our client's namespaces, then
compare method, path, query and JSON body with the recording and the result with the answer.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml

from syncbridge.http import close_clients
from syncbridge.http.config import CacheLifetimes, ClientConfig
from syncbridge.notion.client import NotionClient
from syncbridge.notion.errors import NotionAPIError

ID = r"([0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12})"
ROUTES: list[tuple[str, str, str]] = [
    ("GET", r"/v1/users/me", "users.me"),
    ("GET", r"/v1/users", "users.list"),
    ("GET", rf"/v1/users/{ID}", "users.retrieve"),
    ("POST", r"/v1/databases", "databases.create"),
    ("GET", rf"/v1/databases/{ID}", "databases.retrieve"),
    ("PATCH", rf"/v1/databases/{ID}", "databases.update"),
    ("POST", r"/v1/data_sources", "data_sources.create"),
    ("GET", rf"/v1/data_sources/{ID}", "data_sources.retrieve"),
    ("PATCH", rf"/v1/data_sources/{ID}", "data_sources.update"),
    ("POST", rf"/v1/data_sources/{ID}/query", "data_sources.query"),
    ("GET", rf"/v1/data_sources/{ID}/templates", "data_sources.list_templates"),
    ("POST", r"/v1/pages", "pages.create"),
    ("GET", rf"/v1/pages/{ID}", "pages.retrieve"),
    ("PATCH", rf"/v1/pages/{ID}", "pages.update"),
    ("POST", rf"/v1/pages/{ID}/move", "pages.move"),
    ("GET", rf"/v1/pages/{ID}/properties/([^/]+)", "pages.properties.retrieve"),
    ("GET", rf"/v1/blocks/{ID}", "blocks.retrieve"),
    ("PATCH", rf"/v1/blocks/{ID}", "blocks.update"),
    ("DELETE", rf"/v1/blocks/{ID}", "blocks.delete"),
    ("GET", rf"/v1/blocks/{ID}/children", "blocks.children.list"),
    ("PATCH", rf"/v1/blocks/{ID}/children", "blocks.children.append"),
    ("POST", r"/v1/search", "search"),
    ("POST", r"/v1/comments", "comments.create"),
    ("GET", r"/v1/comments", "comments.list"),
    ("GET", rf"/v1/comments/{ID}", "comments.retrieve"),
    ("PATCH", rf"/v1/comments/{ID}", "comments.update"),
    ("DELETE", rf"/v1/comments/{ID}", "comments.delete"),
    ("GET", rf"/v1/pages/{ID}/markdown", "pages.retrieve_markdown"),
    ("PATCH", rf"/v1/pages/{ID}/markdown", "pages.update_markdown"),
    ("POST", r"/v1/views", "views.create"),
    ("GET", r"/v1/views", "views.list"),
    ("GET", rf"/v1/views/{ID}", "views.retrieve"),
    ("PATCH", rf"/v1/views/{ID}", "views.update"),
    ("DELETE", rf"/v1/views/{ID}", "views.delete"),
    ("POST", rf"/v1/views/{ID}/queries", "views.queries.create"),
    ("GET", rf"/v1/views/{ID}/queries/{ID}", "views.queries.results"),
    ("DELETE", rf"/v1/views/{ID}/queries/{ID}", "views.queries.delete"),
    ("POST", r"/v1/file_uploads", "file_uploads.create"),
    ("GET", r"/v1/file_uploads", "file_uploads.list"),
    ("GET", rf"/v1/file_uploads/{ID}", "file_uploads.retrieve"),
    ("POST", rf"/v1/file_uploads/{ID}/complete", "file_uploads.complete"),
    ("GET", r"/v1/custom_emojis", "custom_emojis.list"),
]
SDK_DIR = "notion-sdk-py"


def route(method: str, path: str) -> tuple[str, tuple[str, ...]] | None:
    for verb, pattern, name in ROUTES:
        match = re.fullmatch(pattern, path)
        if verb == method and match:
            return name, match.groups()
    return None


def load(path: Path) -> list[dict[str, Any]]:
    return list(yaml.load(path.read_text(), Loader=yaml.CSafeLoader)["interactions"])


def notion_calls(path: Path) -> list[dict[str, Any]]:
    return [i for i in load(path) if "api.notion.com" in i["request"]["uri"]]


def replayable(path: Path) -> bool:
    """Every request goes to an endpoint the client has (not file upload send, async tasks or
    deliberately bad URLs, which the client cannot be asked to call)."""
    calls = notion_calls(path)
    return bool(calls) and all(
        route(i["request"]["method"], urlsplit(i["request"]["uri"]).path) is not None for i in calls
    )


def cassettes() -> list[str]:
    folder = Path(__file__).resolve().parents[4] / "shared" / "notion-cassettes" / SDK_DIR
    if not folder.is_dir():
        return []
    return sorted(p.name for p in folder.glob("*.yaml") if replayable(p))


def resolve(root: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        root = getattr(root, part)
    return root


@pytest.mark.parametrize("name", cassettes() or ["(none)"])
async def test_replay_sdk_cassette(name: str, cassettes_dir: Path, fake_remote: Any) -> None:
    interactions = notion_calls(cassettes_dir / SDK_DIR / name)
    calls = [
        (i, route(i["request"]["method"], urlsplit(i["request"]["uri"]).path)) for i in interactions
    ]
    answers = iter(interactions)

    def handler(seen: Any) -> tuple[int, dict[str, str], bytes]:
        response = next(answers)["response"]
        return (
            response["status"]["code"],
            {"content-type": "application/json"},
            response["body"]["string"].encode(),
        )

    fake_remote.handler = handler
    config = ClientConfig(rate=None, max_retries=0, cache_lifetimes=CacheLifetimes(0, 0, 0))
    client = NotionClient("ntn_test", base_url=fake_remote.base_url, config=config)
    try:
        for index, (recorded, found) in enumerate(calls):
            assert found is not None
            await replay_one(client, fake_remote, recorded, found, index)
    finally:
        await close_clients()


async def replay_one(
    client: NotionClient, remote: Any, recorded: dict[str, Any], found: Any, index: int
) -> None:
    request, response = recorded["request"], recorded["response"]
    url = urlsplit(request["uri"])
    query = {k: v if k == "filter_properties" else v[0] for k, v in parse_qs(url.query).items()}
    body = json.loads(request["body"]) if request["body"] else {}
    method_name, ids = found
    method = resolve(client, method_name)
    status = response["status"]["code"]
    answer = json.loads(response["body"]["string"])
    kwargs = {**query, **body}
    if status >= 400:
        with pytest.raises(NotionAPIError) as caught:
            await method(*ids, **kwargs)
        assert caught.value.code == answer["code"]
        assert caught.value.request_id == answer.get("request_id")
    else:
        assert await method(*ids, **kwargs) == answer, f"answer {index}"
    seen = remote.requests[-1]
    assert (seen.method, seen.path) == (request["method"], url.path), f"request {index}"
    assert seen.query == parse_qs(url.query), f"query {index}"
    assert (seen.body or {}) == body, f"body {index}"
    assert seen.headers["notion-version"] == request["headers"]["notion-version"][0]
