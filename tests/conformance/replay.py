"""Replaying recorded Notion requests against the sandbox, with ids mapped to sandbox objects.

A cassette refers to objects of the workspace it was recorded in. Objects the cassette itself
creates are mapped from the recorded answer to ours as the replay goes. Objects that already
existed there (a parent page, a database found by search) get a stand-in made in a setup step the
first time a request names them: a page, a database whose data source has the schema the cassette
shows for it (relations, two-way backlinks, self-relations and rollups included), a block of the
recorded type, a discussion, or one of our two users (the person, the bot).

Besides object ids, a request names things by recorded ids that must be translated too: property
ids (paired by property name), select/status option ids, discussion ids and cursors. Ids are
learned only from answers that pair objects for certain (the object itself, children lists),
never from positions in query or search results.
"""

from __future__ import annotations

import contextlib
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, quote, unquote, urlencode

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
# Keys whose string values are property ids, and keys whose ids are users'.
_PROP_ID_KEYS = ("relation_property_id", "rollup_property_id", "synced_property_id")
_USER_KEYS = ("user_id", "people", "created_by", "last_edited_by")


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
    person_id: str | None = None
    users: set[str] = field(default_factory=set)  # recorded ids of users (ours are shared)
    prop_ids: dict[str, str] = field(default_factory=dict)  # recorded property id -> ours
    option_ids: dict[str, str] = field(default_factory=dict)  # recorded option id -> ours
    option_names: dict[str, str] = field(default_factory=dict)  # recorded option id -> name
    cursors: dict[str, str] = field(default_factory=dict)  # recorded cursor -> ours
    discussions: dict[str, dict[str, Any]] = field(default_factory=dict)  # id -> comment parent
    creating: set[str] = field(default_factory=set)  # stand-ins being made (recursion guard)
    _current: Interaction | None = None

    # -- the replay ------------------------------------------------------------------------
    def learn(self, interactions: Iterable[Interaction]) -> None:
        """Remember every object the recorded answers show, to build stand-ins from."""
        for it in interactions:
            for obj in _objects(it.response):
                key = norm(obj["id"])
                # The fullest view wins: a user first seen as a bare reference gains its type.
                self.known[key] = {**obj, **self.known.get(key, {})}
            for comment in _comments(it.response):
                self.discussions.setdefault(norm(comment["discussion_id"]), comment["parent"])
            for option in _options(it.response):
                self.option_names.setdefault(option["id"], option["name"])

    def replay(self, it: Interaction) -> Result:
        version = it.version or DEFAULT_VERSION
        self._current = it
        try:
            path = self._map_path(it)
            body = self._map_body(it.request_body) if it.request_body is not None else None
            query = self._map_query(it.query) if it.query else ""
        except RuntimeError as exc:
            return Result(it, 0, [f"setup: {exc}"])
        finally:
            self._current = None
        token = self.token if it.status != 401 else "ntn_invalid_token_for_replay"
        headers = {"Authorization": f"Bearer {token}", "Notion-Version": version}
        url = path + (f"?{query}" if query else "")
        try:
            answer = self.client.request(it.method, url, json=body, headers=headers)
            ours = answer.json()
        except (httpx.HTTPError, ValueError) as exc:
            return Result(it, 0, [f"no usable answer: {type(exc).__name__}: {exc}"])
        if answer.status_code < 400 and it.status < 400:
            self._learn_ids(it.response, ours, lists=it.path.endswith("/children"))
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
        integration = _integration_bot(it.response)
        if integration is not None:
            # Our bot is the integration; the recorded list also holds other integrations' bots.
            recorded_id[self._user_stand_in("")] = norm(integration)
        return ShapeComparer(self.nullable, recorded_id).diff(it.response, ours)

    # -- ids -------------------------------------------------------------------------------
    def _learn_ids(self, recorded: Any, ours: Any, *, lists: bool) -> None:
        """Pair the recorded answer's ids with ours.

        Objects are paired at the top and in children lists (same request, same order); never
        by position in query or search results, whose order depends on the workspace.
        """
        if not (isinstance(recorded, dict) and isinstance(ours, dict)):
            return
        cursor, our_cursor = recorded.get("next_cursor"), ours.get("next_cursor")
        if isinstance(cursor, str) and isinstance(our_cursor, str):
            self.cursors[cursor] = our_cursor
        rid, oid = recorded.get("id"), ours.get("id")
        if isinstance(rid, str) and isinstance(oid, str) and UUID_RE.fullmatch(rid):
            self.ids.setdefault(norm(rid), oid)
        rdisc, odisc = recorded.get("discussion_id"), ours.get("discussion_id")
        if isinstance(rdisc, str) and isinstance(odisc, str):
            self.ids.setdefault(norm(rdisc), odisc)
        self._learn_schema(recorded.get("properties"), ours.get("properties"))
        keys = ("results", "data_sources") if lists else ("data_sources",)
        for key in keys:
            rec_list, our_list = recorded.get(key), ours.get(key)
            if isinstance(rec_list, list) and isinstance(our_list, list):
                for rec_item, our_item in zip(rec_list, our_list, strict=False):
                    if _same_kind(rec_item, our_item):
                        self._learn_ids(rec_item, our_item, lists=lists)

    def _learn_schema(self, recorded: Any, ours: Any) -> None:
        """Pair property ids (and option ids) by property name."""
        if not (isinstance(recorded, dict) and isinstance(ours, dict)):
            return
        for name in recorded.keys() & ours.keys():
            rec, our = recorded[name], ours[name]
            if not (isinstance(rec, dict) and isinstance(our, dict)):
                continue
            if isinstance(rec.get("id"), str) and isinstance(our.get("id"), str):
                self.prop_ids.setdefault(rec["id"], our["id"])
            ptype = rec.get("type")
            rconf, oconf = rec.get(ptype), our.get(ptype)
            if not (isinstance(rconf, dict) and isinstance(oconf, dict)):
                continue
            if ptype == "relation":
                rdual, odual = rconf.get("dual_property"), oconf.get("dual_property")
                if isinstance(rdual, dict) and isinstance(odual, dict):
                    rsid, osid = rdual.get("synced_property_id"), odual.get("synced_property_id")
                    if isinstance(rsid, str) and isinstance(osid, str):
                        self.prop_ids.setdefault(rsid, osid)
            ours_by_name = {o.get("name"): o for o in oconf.get("options") or []}
            for option in rconf.get("options") or []:
                twin = ours_by_name.get(option.get("name"))
                if twin is not None and isinstance(option.get("id"), str):
                    self.option_ids.setdefault(option["id"], twin["id"])

    def _map_id(self, uid: str, hint: str) -> str:
        key = norm(uid)
        if key not in self.ids:
            it = self._current
            if it is not None and it.status == 404:
                # The recorded object did not exist: neither does ours.
                self.ids[key] = str(uuid.uuid4())
            else:
                self.ids[key] = self._stand_in(key, hint)
        return self.ids[key]

    def _map_prop(self, prop: str) -> str:
        if prop in self.prop_ids:
            return self.prop_ids[prop]
        return self.prop_ids.get(unquote(prop), prop)

    def _map_path(self, it: Interaction) -> str:
        if it.status == 400 and "valid uuid" in str((it.response or {}).get("message", "")):
            return it.path  # the id itself is what the recording shows rejected
        parts = it.path.split("/")
        out = []
        for i, part in enumerate(parts):
            if UUID_RE.fullmatch(part):
                resource = parts[i - 1]
                hint = {"pages": "page", "databases": "database", "data_sources": "data_source"}
                out.append(self._map_id(part, hint.get(resource, "block" if i > 2 else "page")))
            elif i > 0 and parts[i - 1] == "properties":
                out.append(quote(self._map_prop(unquote(part)), safe=""))
            else:
                out.append(part)
        return "/".join(out)

    def _map_query(self, query: str) -> str:
        pairs = []
        for name, value in parse_qsl(query, keep_blank_values=True):
            if name == "start_cursor":
                value = self.cursors.get(value, value)
            elif name == "filter_properties":
                value = self._map_prop(value)
            elif UUID_RE.fullmatch(value):
                value = self._map_id(value, "block")
            pairs.append((name, value))
        return urlencode(pairs)

    def _map_body(self, value: Any, key: str = "") -> Any:
        if isinstance(value, dict):
            if isinstance(value.get("id"), str) and (
                value.get("object") == "user" or key in ("user", "people", "person")
            ):
                return {**value, "id": self._map_user(value["id"])}
            if key in ("select", "status", "multi_select") and isinstance(value.get("id"), str):
                return self._map_option(value)
            if key in _USER_KEYS:  # a people filter: {"contains": user id}
                return {
                    k: self._map_user(v) if isinstance(v, str) and UUID_RE.fullmatch(v) else v
                    for k, v in value.items()
                }
            out = {}
            for k, v in value.items():
                if key == "properties" and k in self.prop_ids:
                    k = self.prop_ids[k]
                if k in ("property", *_PROP_ID_KEYS) and isinstance(v, str):
                    out[k] = self._map_prop(v)
                elif k == "discussion_id" and isinstance(v, str) and norm(v) not in self.ids:
                    out[k] = self.ids[norm(v)] = self._discussion_stand_in(norm(v))
                elif k == "start_cursor" and isinstance(v, str):
                    out[k] = self.cursors.get(v, v)
                else:
                    out[k] = self._map_body(v, k)
            return out
        if isinstance(value, list):
            return [self._map_body(v, key) for v in value]
        if isinstance(value, str) and UUID_RE.fullmatch(value):
            if key in _USER_KEYS:
                return self._map_user(value)
            return self._map_id(value, _hint_for_key(key))
        return value

    def _map_option(self, value: dict[str, Any]) -> dict[str, Any]:
        """An option given by recorded id: our option's id, else its recorded name."""
        rid = value["id"]
        out = {k: v for k, v in value.items() if k != "id"}
        if rid in self.option_ids:
            out["id"] = self.option_ids[rid]
        elif "name" not in out and rid in self.option_names:
            out["name"] = self.option_names[rid]
        elif "name" not in out:
            out["id"] = rid  # unknown to the recordings too: let the sandbox judge it
        return out

    def _map_user(self, uid: str) -> str:
        key = norm(uid)
        if key not in self.ids:
            self.ids[key] = self._user_stand_in(key)
        self.users.add(key)
        return self.ids[key]

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

    def _user_stand_in(self, key: str) -> str:
        """Recorded people stand for our workspace's person, bots for our bot."""
        if self.known.get(key, {}).get("type") == "person":
            if self.person_id is None:
                people = list(self._call("GET", "/v1/users")["results"])
                person = next((u for u in people if u.get("type") == "person"), None)
                if person is None:
                    raise RuntimeError("the sandbox workspace has no person user")
                self.person_id = str(person["id"])
            return self.person_id
        if self.bot_id is None:
            self.bot_id = str(self._call("GET", "/v1/users/me")["id"])
        return self.bot_id

    def _stand_in(self, key: str, hint: str) -> str:
        recorded = self.known.get(key, {})
        kind = recorded.get("object", hint)
        if kind == "user" or hint == "user":
            self.users.add(key)
            return self._user_stand_in(key)
        if kind in ("database", "data_source"):
            return self._database_stand_in(key, recorded, want=kind)
        if kind == "block" and recorded.get("type") == "child_database":
            title = recorded["child_database"].get("title", "")
            return self._database_stand_in(key, {"title": [_text(title)]}, "database")
        if kind == "block" and recorded.get("type") not in (None, "child_page"):
            return self._block_stand_in(key, recorded)
        if recorded.get("object") == "page":
            return self._page_like(recorded)
        return self._page(_title_of(recorded) or f"stand-in {key[:8]}")

    def _discussion_stand_in(self, key: str) -> str:
        """A discussion that existed before: a comment on the stand-in of its page or block."""
        parent = self.discussions.get(key)
        if parent is None:
            raise RuntimeError(f"discussion {key} is not in the recording")
        ptype = parent["type"]
        target = self._map_id(parent[ptype], "block" if ptype == "block_id" else "page")
        body = {"parent": {ptype: target}, "rich_text": [_text("stand-in comment")]}
        return str(self._call("POST", "/v1/comments", body)["discussion_id"])

    def _block_stand_in(self, key: str, recorded: dict[str, Any]) -> str:
        """A block of the recorded type where the API can make one, else a paragraph."""
        page = self._page(f"stand-in for block {key[:8]}")
        btype = recorded["type"]
        content = _block_request(btype, recorded.get(btype))
        for block in (
            *([{"type": btype, btype: content}] if content is not None else []),
            {"type": "paragraph", "paragraph": {"rich_text": [_text("stand-in")]}},
        ):
            try:
                made = self._call("PATCH", f"/v1/blocks/{page}/children", {"children": [block]})
            except RuntimeError:
                continue
            return str(made["results"][0]["id"])
        raise RuntimeError(f"cannot make a stand-in block for {key}")

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
            source = str(parent.get("data_source_id") or parent.get("database_id"))
            target: dict[str, Any] = {
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
            made = self._call("POST", "/v1/pages", body)
        except RuntimeError:
            # Values the sandbox refused (e.g. a relation to an unknown page): title alone.
            title = {n: v for n, v in properties.items() if "title" in v}
            made = self._call("POST", "/v1/pages", {"parent": target, "properties": title})
        self._learn_schema(recorded.get("properties"), made.get("properties"))
        return str(made["id"])

    def _value_request(self, prop: dict[str, Any]) -> dict[str, Any] | None:
        """A recorded property value as a write request, or None for read-only and empty ones."""
        ptype = str(prop.get("type"))
        value = prop.get(ptype)
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

    def _recorded_schema(self, key: str, recorded: dict[str, Any], want: str) -> dict[str, Any]:
        schema: dict[str, Any] = recorded.get("properties") or {}
        if not schema and recorded.get("object") == "database":
            sources = recorded.get("data_sources") or []
            if sources:
                schema = self.known.get(norm(sources[0]["id"]), {}).get("properties") or {}
        if not schema and want == "data_source":
            schema = self._schema_from_pages(key)
        return schema

    def _schema_from_pages(self, key: str) -> dict[str, Any]:
        """A schema read off the recorded pages of a data source whose schema was never shown."""
        schema: dict[str, Any] = {}
        for obj in self.known.values():
            parent = obj.get("parent") or {}
            if obj.get("object") != "page" or norm(parent.get("data_source_id") or "") != key:
                continue
            for name, prop in (obj.get("properties") or {}).items():
                ptype = prop.get("type")
                if ptype in ("formula", "rollup", "relation") or name in schema:
                    continue
                schema[name] = {"type": ptype, ptype: {}}
                value = prop.get(ptype)
                if ptype in ("select", "status", "multi_select"):
                    names = {o["name"] for o in _options({ptype: value})}
                    options = [{"name": n} for n in sorted(names)]
                    schema[name][ptype] = {"options": options}
        return schema

    def _database_stand_in(self, key: str, recorded: dict[str, Any], want: str) -> str:
        schema = self._recorded_schema(key, recorded, want)
        own = {key}
        parent = recorded.get("parent") or {}
        if recorded.get("object") == "data_source" and parent.get("type") == "database_id":
            own.add(norm(parent["database_id"]))
        for source in recorded.get("data_sources") or []:
            own.add(norm(source["id"]))
        self.creating |= own
        try:
            properties, later = self._schema_request(schema, own)
            title = [_text(_title_of(recorded) or f"stand-in {key[:8]}")]
            body = {
                "parent": {"type": "page_id", "page_id": self._root()},
                "title": title,
                "initial_data_source": {"properties": properties},
            }
            made = self._call("POST", "/v1/databases", body)
        finally:
            self.creating -= own
        data_source_id = str(made["data_sources"][0]["id"])
        database_id = str(made["id"])
        for rec in own - {key}:
            # The other half of the pair (container or data source) also stands in.
            self.ids.setdefault(rec, database_id if want == "data_source" else data_source_id)
        ours = self._call("GET", f"/v1/data_sources/{data_source_id}")
        self._learn_schema(schema, ours["properties"])
        self._rename_backlinks(schema, ours["properties"])
        if later:
            # Self-relations need the data source to exist; rollups need their relation.
            ours = self._add_later(data_source_id, later)
            self._learn_schema(schema, ours["properties"])
        return data_source_id if want == "data_source" else str(made["id"])

    def _add_later(self, data_source_id: str, later: dict[str, Any]) -> dict[str, Any]:
        """Add self-relations (one by one: a two-way one brings its partner), then rollups."""
        path = f"/v1/data_sources/{data_source_id}"
        ours: dict[str, Any] = {}
        done: set[str] = set()
        for name, prop in later.items():
            if prop["type"] != "relation" or name in done:
                continue
            conf = prop["relation"]
            kind = conf.get("type", "single_property")
            request = {"relation": {"data_source_id": data_source_id, "type": kind, kind: {}}}
            ours = self._call("PATCH", path, {"properties": {name: request}})
            dual = conf.get("dual_property")
            synced = (ours["properties"][name]["relation"].get("dual_property") or {}).get(
                "synced_property_id"
            )
            if isinstance(dual, dict) and synced:
                partner = dual["synced_property_name"]
                ours = self._call("PATCH", path, {"properties": {synced: {"name": partner}}})
                done.add(partner)
        rollups = {
            name: {
                "rollup": {
                    k: prop["rollup"][k]
                    for k in ("relation_property_name", "rollup_property_name", "function")
                }
            }
            for name, prop in later.items()
            if prop["type"] == "rollup"
        }
        if rollups:
            # When their relation is missing, the comparison shows the gap.
            with contextlib.suppress(RuntimeError):
                ours = self._call("PATCH", path, {"properties": rollups})
        return ours

    def _rename_backlinks(self, schema: dict[str, Any], ours: dict[str, Any]) -> None:
        """Name each two-way relation's synced property on its target as the recording does."""
        for name, prop in schema.items():
            conf = prop.get("relation") if prop.get("type") == "relation" else None
            dual = (conf or {}).get("dual_property")
            our = ours.get(name, {}).get("relation") or {}
            if not isinstance(dual, dict) or not isinstance(our.get("dual_property"), dict):
                continue
            target = our["data_source_id"]
            synced = our["dual_property"]["synced_property_id"]
            answer = self._call(
                "PATCH",
                f"/v1/data_sources/{target}",
                {"properties": {synced: {"name": dual["synced_property_name"]}}},
            )
            rec_target = self.known.get(norm((conf or {}).get("data_source_id") or ""), {})
            self._learn_schema(rec_target.get("properties"), answer.get("properties"))

    def _schema_request(
        self, schema: dict[str, Any], own: set[str]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """A recorded schema (response shape) as a create request, and what must come later.

        Relations point at stand-ins of their targets; a relation to itself, and rollups, are
        added once the data source exists. A relation to a stand-in still being made is left
        to the other side, whose two-way relation creates it.
        """
        out: dict[str, Any] = {}
        later: dict[str, Any] = {}
        for name, prop in schema.items():
            ptype = prop.get("type")
            config = prop.get(ptype) or {}
            if ptype == "relation":
                target = config.get("data_source_id") or config.get("database_id")
                if not target:
                    continue
                if norm(target) in own:
                    later[name] = prop
                    continue
                if norm(target) in self.creating:
                    continue
                kind = config.get("type", "single_property")
                out[name] = {
                    "relation": {
                        "data_source_id": self._map_id(target, "data_source"),
                        "type": kind,
                        kind: {},
                    }
                }
                continue
            if ptype == "rollup":
                later[name] = prop
                continue
            if ptype in ("select", "multi_select", "status"):
                opts = [
                    {"name": o["name"], "color": o.get("color", "default")}
                    for o in config.get("options", [])
                ]
                config = {"options": opts} if opts or ptype != "status" else {}
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
        return out, later


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


def _integration_bot(answer: Any) -> str | None:
    """In a recorded users list, the id of the calling integration: the bot showing its owner."""
    if not (isinstance(answer, dict) and answer.get("type") == "user"):
        return None
    for user in answer.get("results") or []:
        if isinstance(user, dict) and (user.get("bot") or {}).get("owner"):
            return str(user["id"])
    return None


def _comments(value: Any) -> Iterable[dict[str, Any]]:
    if isinstance(value, dict):
        if value.get("object") == "comment" and isinstance(value.get("discussion_id"), str):
            yield value
        for child in value.values():
            yield from _comments(child)
    elif isinstance(value, list):
        for child in value:
            yield from _comments(child)


def _options(value: Any) -> Iterable[dict[str, Any]]:
    """Every select/status option (schema options and page values) with an id and a name."""
    if isinstance(value, dict):
        for key in ("select", "status", "multi_select"):
            inner = value.get(key)
            opts = inner.get("options") if isinstance(inner, dict) else None
            values = [inner] if isinstance(inner, dict) else inner
            for o in values if isinstance(values, list) else []:
                if isinstance(o, dict) and isinstance(o.get("id"), str) and "name" in o:
                    yield o
            for o in opts or []:
                if isinstance(o, dict) and isinstance(o.get("id"), str) and "name" in o:
                    yield o
        for child in value.values():
            yield from _options(child)
    elif isinstance(value, list):
        for child in value:
            yield from _options(child)


def _block_request(btype: str, content: Any) -> dict[str, Any] | None:
    """A recorded block's content as a create request (None where none can be made)."""
    if not isinstance(content, dict):
        return None
    if btype == "synced_block":
        return {"synced_from": None}
    return {k: v for k, v in content.items() if k not in ("children",)}


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
