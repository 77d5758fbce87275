"""Replaying recorded Notion requests against the sandbox, with ids mapped to sandbox objects.

A cassette refers to objects of the workspace it was recorded in. Objects the cassette itself
creates are mapped from the recorded answer to ours as the replay goes. Objects that already
existed there (a parent page, a database found by search) get a stand-in made in a setup step the
first time a request names them: a page, a database whose data source has the schema the cassette
shows for it, a block, or the integration's own user.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import httpx
from cassettes import UUID_RE, Interaction
from shapes import ShapeComparer

DEFAULT_VERSION = "2025-09-03"
READ_ONLY_TYPES = frozenset(
    {
        "formula",
        "rollup",
        "created_time",
        "created_by",
        "last_edited_time",
        "last_edited_by",
        "unique_id",
        "button",
        "verification",
    }
)


def norm(uid: str) -> str:
    """An id without dashes, lower case: the form ids are compared in."""
    return uid.replace("-", "").lower()


@dataclass
class Result:
    """The outcome of replaying one interaction."""

    interaction: Interaction
    status: int
    diffs: list[str]

    @property
    def matched(self) -> bool:
        return not self.diffs


@dataclass
class Replayer:
    """Replays one cassette file's in-scope interactions against a sandbox."""

    client: httpx.Client
    token: str
    nullable: set[tuple[Any, Any, str]]
    known: dict[str, dict[str, Any]] = field(default_factory=dict)  # recorded objects by id
    ids: dict[str, str] = field(default_factory=dict)  # recorded id -> sandbox id
    root_page: str | None = None
    bot_id: str | None = None
    users: set[str] = field(default_factory=set)  # recorded ids that all stand for our bot

    # -- the replay ------------------------------------------------------------------------
    def learn(self, interactions: Iterable[Interaction]) -> None:
        """Remember every object the recorded answers show, to build stand-ins from."""
        for it in interactions:
            for obj in _objects(it.response):
                self.known.setdefault(norm(obj["id"]), obj)

    def replay(self, it: Interaction) -> Result:
        version = it.version or DEFAULT_VERSION
        try:
            path = self._map_path(it)
            body = self._map_body(it.request_body) if it.request_body is not None else None
        except RuntimeError as exc:
            return Result(it, 0, [f"setup: {exc}"])
        token = self.token if it.status != 401 else "ntn_invalid_token_for_replay"
        headers = {"Authorization": f"Bearer {token}", "Notion-Version": version}
        url = path + (f"?{self._map_query(it.query)}" if it.query else "")
        try:
            answer = self.client.request(it.method, url, json=body, headers=headers)
            ours = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            return Result(it, 0, [f"no usable answer: {type(exc).__name__}: {exc}"])
        self._learn_ids(it.response, ours)
        return Result(it, answer.status_code, self._compare(it, answer.status_code, ours))

    def _compare(self, it: Interaction, status: int, ours: Any) -> list[str]:
        if status != it.status:
            detail = ours.get("message") if isinstance(ours, dict) else ours
            return [f"status: recorded {it.status}, sandbox {status} ({detail})"]
        if it.status >= 400:
            rec_code = it.response.get("code") if isinstance(it.response, dict) else None
            if rec_code != ours.get("code"):
                return [f"code: recorded {rec_code}, sandbox {ours.get('code')}"]
        recorded_id = {o: rec for rec, o in self.ids.items() if rec not in self.users}
        recorded_id.update({norm(k): v for k, v in list(recorded_id.items())})
        return ShapeComparer(self.nullable, recorded_id).diff(it.response, ours)

    # -- ids -------------------------------------------------------------------------------
    def _learn_ids(self, recorded: Any, ours: Any) -> None:
        """Pair the ids of objects in the recorded answer with ours, by position."""
        if isinstance(recorded, dict) and isinstance(ours, dict):
            rid, oid = recorded.get("id"), ours.get("id")
            if isinstance(rid, str) and isinstance(oid, str) and UUID_RE.fullmatch(rid):
                self.ids.setdefault(norm(rid), oid)
            for key in ("results", "data_sources"):
                rec_list, our_list = recorded.get(key), ours.get(key)
                if isinstance(rec_list, list) and isinstance(our_list, list):
                    for rec_item, our_item in zip(rec_list, our_list, strict=False):
                        if _same_kind(rec_item, our_item):
                            self._learn_ids(rec_item, our_item)

    def _map_id(self, uid: str, hint: str) -> str:
        key = norm(uid)
        if key not in self.ids:
            self.ids[key] = self._stand_in(key, hint)
        return self.ids[key]

    def _map_path(self, it: Interaction) -> str:
        parts = it.path.split("/")
        out = []
        for i, part in enumerate(parts):
            if UUID_RE.fullmatch(part):
                resource = parts[i - 1]
                hint = {"pages": "page", "databases": "database", "data_sources": "data_source"}
                out.append(self._map_id(part, hint.get(resource, "block" if i > 2 else "page")))
            else:
                out.append(part)
        return "/".join(out)

    def _map_query(self, query: str) -> str:
        return UUID_RE.sub(lambda m: self._map_id(m.group(0), "block"), query)

    def _map_body(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            if value.get("object") == "user" and isinstance(value.get("id"), str):
                return {**value, "id": self._map_id(value["id"], "user")}
            return {k: self._map_body(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._map_body(v, key) for v in value]
        if isinstance(value, str) and UUID_RE.fullmatch(value):
            return self._map_id(value, _hint_for_key(key))
        return value

    # -- stand-ins -------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        headers = {"Authorization": f"Bearer {self.token}", "Notion-Version": DEFAULT_VERSION}
        answer = self.client.request(method, path, json=body, headers=headers)
        if answer.status_code != 200:
            raise RuntimeError(f"stand-in {method} {path} failed: {answer.text[:300]}")
        data: dict[str, Any] = answer.json()
        return data

    def _root(self) -> str:
        if self.root_page is None:
            found = self._call(
                "POST", "/v1/search", {"filter": {"property": "object", "value": "page"}}
            )
            pages = [p for p in found["results"] if p["parent"].get("type") == "workspace"]
            if not pages:
                raise RuntimeError("the sandbox has no workspace-level page to hang stand-ins on")
            self.root_page = pages[0]["id"]
        return self.root_page

    def _stand_in(self, key: str, hint: str) -> str:
        recorded = self.known.get(key, {})
        kind = recorded.get("object", hint)
        if kind == "user" or hint == "user":
            self.users.add(key)
            if self.bot_id is None:
                self.bot_id = self._call("GET", "/v1/users/me")["id"]
            return self.bot_id
        if kind in ("database", "data_source"):
            return self._database_stand_in(key, recorded, want=kind)
        if kind == "block" and recorded.get("type") not in (None, "child_page"):
            page = self._page(f"stand-in for block {key[:8]}")
            block = {"type": "paragraph", "paragraph": {"rich_text": [_text("stand-in")]}}
            made = self._call("PATCH", f"/v1/blocks/{page}/children", {"children": [block]})
            return str(made["results"][0]["id"])
        if recorded.get("object") == "page":
            return self._page_like(recorded)
        return self._page(_title_of(recorded) or f"stand-in {key[:8]}")

    def _page(self, title: str) -> str:
        body = {
            "parent": {"type": "page_id", "page_id": self._root()},
            "properties": {"title": {"title": [_text(title)]}},
        }
        return str(self._call("POST", "/v1/pages", body)["id"])

    def _page_like(self, recorded: dict[str, Any]) -> str:
        """A page with the recorded page's parent kind and writable property values."""
        parent = recorded.get("parent") or {}
        ptype = parent.get("type")
        if ptype in ("data_source_id", "database_id"):
            source = parent.get("data_source_id") or parent.get("database_id")
            target = {
                "type": "data_source_id",
                "data_source_id": self._map_id(source, "data_source"),
            }
            properties = {
                name: value
                for name, prop in (recorded.get("properties") or {}).items()
                if (value := self._value_request(prop)) is not None
            }
        else:
            if ptype == "workspace":
                target = {"type": "workspace", "workspace": True}
            else:
                target = {"type": "page_id", "page_id": self._root()}
            properties = {"title": {"title": [_text(_title_of(recorded) or "stand-in")]}}
        body = {"parent": target, "properties": properties}
        try:
            return str(self._call("POST", "/v1/pages", body)["id"])
        except RuntimeError:
            # Values the sandbox refused (e.g. a relation to an unknown page): title alone.
            title = {n: v for n, v in properties.items() if "title" in v}
            return str(
                self._call("POST", "/v1/pages", {"parent": target, "properties": title})["id"]
            )

    def _value_request(self, prop: dict[str, Any]) -> dict[str, Any] | None:
        """A recorded property value as a write request, or None for read-only and empty ones."""
        ptype = prop.get("type")
        value = prop.get(ptype) if ptype else None
        if ptype in READ_ONLY_TYPES or ptype in ("relation", "people", "files") or value is None:
            return None
        if ptype in ("title", "rich_text"):
            return {ptype: [_text(t.get("plain_text", "")) for t in value if t.get("plain_text")]}
        if ptype in ("select", "status"):
            return {ptype: {"name": value["name"]}}
        if ptype == "multi_select":
            return {ptype: [{"name": o["name"]} for o in value]}
        if ptype == "date":
            return {ptype: {k: value.get(k) for k in ("start", "end") if value.get(k)}}
        return {ptype: value}

    def _database_stand_in(self, key: str, recorded: dict[str, Any], want: str) -> str:
        schema = recorded.get("properties") or {}
        if not schema and recorded.get("object") == "database":
            sources = recorded.get("data_sources") or []
            if sources:
                schema = self.known.get(norm(sources[0]["id"]), {}).get("properties") or {}
        properties = self._schema_request(schema, own=key)
        title = [_text(_title_of(recorded) or f"stand-in {key[:8]}")]
        body = {
            "parent": {"type": "page_id", "page_id": self._root()},
            "title": title,
            "initial_data_source": {"properties": properties},
        }
        made = self._call("POST", "/v1/databases", body)
        data_source_id = str(made["data_sources"][0]["id"])
        if want == "data_source":
            # The database container also stands in, if the cassette names it later.
            parent = recorded.get("parent") or {}
            if parent.get("type") == "database_id":
                self.ids.setdefault(norm(parent["database_id"]), str(made["id"]))
            return data_source_id
        for source in recorded.get("data_sources") or []:
            self.ids.setdefault(norm(source["id"]), data_source_id)
        return str(made["id"])

    def _schema_request(self, schema: dict[str, Any], own: str) -> dict[str, Any]:
        """A recorded schema (response shape) as a create request.

        Relations point at stand-ins of their targets (a relation to itself is left out, as the
        data source does not exist yet); rollups are left out, their relation may be missing.
        """
        out: dict[str, Any] = {}
        for name, prop in schema.items():
            ptype = prop.get("type")
            config = prop.get(ptype) or {}
            if ptype == "relation":
                target = config.get("data_source_id") or config.get("database_id")
                if not target or norm(target) == own:
                    continue
                kind = {"type": "single_property", "single_property": {}}
                out[name] = {
                    "relation": {"data_source_id": self._map_id(target, "data_source"), **kind}
                }
                continue
            if ptype == "rollup":
                continue
            if ptype in ("select", "multi_select"):
                opts = [
                    {"name": o["name"], "color": o.get("color", "default")}
                    for o in config.get("options", [])
                ]
                config = {"options": opts}
            elif ptype == "status":
                config = {}
            elif ptype == "formula":
                config = {"expression": config.get("expression", "1")}
            elif ptype == "number":
                config = {"format": config.get("format", "number")}
            elif ptype == "unique_id":
                config = {"prefix": config.get("prefix")}
            else:
                config = {}
            out[name] = {ptype: config}
        if not any(next(iter(v)) == "title" for v in out.values()):
            out["Name"] = {"title": {}}
        return out


def _objects(value: Any) -> Iterable[dict[str, Any]]:
    if isinstance(value, dict):
        if isinstance(value.get("id"), str) and value.get("object") in (
            "page",
            "database",
            "data_source",
            "block",
            "user",
        ):
            yield value
        for child in value.values():
            yield from _objects(child)
    elif isinstance(value, list):
        for child in value:
            yield from _objects(child)


def _same_kind(a: Any, b: Any) -> bool:
    return isinstance(a, dict) and isinstance(b, dict) and a.get("object") == b.get("object")


def _hint_for_key(key: str) -> str:
    if key in ("database_id",):
        return "database"
    if key in ("data_source_id",):
        return "data_source"
    if key in ("block_id", "after"):
        return "block"
    if key in ("user_id",):
        return "user"
    return "page"


def _text(content: str) -> dict[str, Any]:
    return {"type": "text", "text": {"content": content}}


def _title_of(obj: dict[str, Any]) -> str:
    title = obj.get("title")
    if isinstance(title, list):
        return "".join(t.get("plain_text", "") for t in title)
    for prop in (obj.get("properties") or {}).values():
        if (
            isinstance(prop, dict)
            and prop.get("type") == "title"
            and isinstance(prop.get("title"), list)
        ):
            return "".join(t.get("plain_text", "") for t in prop["title"])
    return ""
