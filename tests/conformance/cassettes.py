"""Reading the recorded Notion traffic in ``../shared/notion-cassettes`` (vcrpy YAML).

Two recorders wrote these files in two layouts: notion-sdk-py keeps ``response.body.string`` and
``response.status.code``; ultimate-notion keeps ``response.content`` and ``response.status_code``.
This module hides that difference and classifies each request by endpoint.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

NOTION = "https://api.notion.com"
UUID_RE = re.compile(r"[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}")

# The endpoints issue 2 asks the sandbox to serve, as (method, path template).
IN_SCOPE: frozenset[tuple[str, str]] = frozenset(
    {
        ("GET", "/v1/users/me"),
        ("GET", "/v1/users"),
        ("GET", "/v1/users/{id}"),
        ("POST", "/v1/databases"),
        ("GET", "/v1/databases/{id}"),
        ("PATCH", "/v1/databases/{id}"),
        ("POST", "/v1/databases/{id}/query"),
        ("POST", "/v1/data_sources"),
        ("GET", "/v1/data_sources/{id}"),
        ("PATCH", "/v1/data_sources/{id}"),
        ("POST", "/v1/data_sources/{id}/query"),
        ("POST", "/v1/pages"),
        ("GET", "/v1/pages/{id}"),
        ("PATCH", "/v1/pages/{id}"),
        ("GET", "/v1/pages/{id}/properties/{prop}"),
        ("GET", "/v1/blocks/{id}"),
        ("PATCH", "/v1/blocks/{id}"),
        ("DELETE", "/v1/blocks/{id}"),
        ("GET", "/v1/blocks/{id}/children"),
        ("PATCH", "/v1/blocks/{id}/children"),
        ("POST", "/v1/search"),
        ("POST", "/v1/comments"),
        ("GET", "/v1/comments"),
    }
)


@dataclass(frozen=True)
class Interaction:
    """One recorded request and its answer."""

    file: str
    index: int
    method: str
    uri: str
    version: str | None
    request_body: Any
    status: int
    response: Any

    @property
    def path(self) -> str:
        return self.uri.removeprefix(NOTION).split("?", 1)[0]

    @property
    def query(self) -> str:
        return self.uri.split("?", 1)[1] if "?" in self.uri else ""

    @property
    def template(self) -> str:
        path = UUID_RE.sub("{id}", self.path)
        return re.sub(r"/properties/[^/]+$", "/properties/{prop}", path)

    @property
    def in_scope(self) -> bool:
        return self.uri.startswith(NOTION) and (self.method, self.template) in IN_SCOPE


def _json(text: Any) -> Any:
    if not isinstance(text, str) or not text.strip():
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError:
        return text


def read_cassette(path: Path, root: Path) -> Iterator[Interaction]:
    """Yield the interactions of one cassette file in recorded order."""
    # The C loader reads the 200-odd files in under a second; the pure-Python one takes ~15 s.
    data = yaml.load(path.read_text(), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    for index, item in enumerate(data.get("interactions", [])):
        request, response = item["request"], item["response"]
        headers = {k.lower(): v for k, v in (request.get("headers") or {}).items()}
        version = headers.get("notion-version")
        if "body" in response:
            status, body = response["status"]["code"], response["body"].get("string")
        else:
            status, body = response["status_code"], response.get("content")
        yield Interaction(
            file=str(path.relative_to(root)),
            index=index,
            method=request["method"],
            uri=request["uri"],
            version=version[0] if isinstance(version, list) else version,
            request_body=_json(request.get("body")),
            status=int(status),
            response=_json(body),
        )


@functools.cache
def load_cassette(path: Path, root: Path) -> tuple[Interaction, ...]:
    """The interactions of one cassette, parsed once per process (collection and replay share)."""
    return tuple(read_cassette(path, root))


def cassette_files(root: Path) -> list[Path]:
    """Every cassette, sorted so runs are repeatable."""
    return sorted(root.rglob("*.yaml"))


def iter_interactions(root: Path) -> Iterator[Interaction]:
    """Every interaction of every cassette."""
    for path in cassette_files(root):
        yield from read_cassette(path, root)
