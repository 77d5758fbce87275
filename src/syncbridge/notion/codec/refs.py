"""Reference types: people, created_by, last_edited_by, relation, files."""

from __future__ import annotations

import re
from dataclasses import asdict
from typing import Any, ClassVar
from urllib.parse import urlsplit

from syncbridge.notion.codec.base import Prop, TypeCodec, as_text, dump_json, load_json
from syncbridge.notion.codec.values import ColumnSpec, FileValue, SqlType, UserId

MAX_REFS = 100
MAX_FILE_NAME = 100
_HEX = "[0-9a-fA-F]"
_ID = re.compile(rf"^{_HEX}{{8}}(-?{_HEX}{{4}}){{3}}-?{_HEX}{{12}}$")


def _id(prop: Prop, ref: Any, what: str) -> str:
    """A Notion id from a str or an object with ``id``; must look like a UUID."""
    raw = ref.get("id") if isinstance(ref, dict) else ref
    if not isinstance(raw, str) or not _ID.match(raw):
        raise prop.expected(f"a {what} id (UUID)", ref)
    return raw


def user_id(prop: Prop, user: Any) -> UserId:
    """A user or group object from a response → ``UserId`` carrying its name."""
    if not isinstance(user, dict) or not isinstance(user.get("id"), str):
        raise prop.expected("a user object", user)
    name = user.get("name") if isinstance(user.get("name"), str) else None
    return UserId(user["id"], name, str(user.get("object") or "user"))


def _ref_list(prop: Prop, value: Any, what: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise prop.expected(f"a list of {what} ids", value)
    if len(value) > MAX_REFS:
        raise prop.error(f"{len(value)} {what}s; Notion accepts {MAX_REFS} per request")
    return list(value)


def _ids_from_json(prop: Prop, raw: Any, what: str) -> list[str] | None:
    ids = load_json(prop, "", raw)
    if ids is None:
        return None
    return [_id(prop, item, what) for item in _ref_list(prop, ids, what)] or None


class PeopleCodec(TypeCodec):
    """people: list of user ids (``UserId``, carrying names); columns "" JSON ids, "_names"."""

    columns: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("", SqlType.JSON),
        ColumnSpec("_names", SqlType.TEXT),
    )

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> list[UserId] | None:
        if not isinstance(inner, list):
            raise prop.expected("a list of users", inner)
        return [user_id(prop, user) for user in inner] or None

    def encode(self, prop: Prop, value: Any) -> list[dict[str, str]]:
        refs = _ref_list(prop, value, "user")
        out = []
        for ref in refs:
            kind = ref.kind if isinstance(ref, UserId) else "user"
            if isinstance(ref, dict) and isinstance(ref.get("object"), str):
                kind = ref["object"]
            out.append({"object": kind, "id": _id(prop, ref, "user")})
        return out

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        refs = _ref_list(prop, value, "user")
        ids = [_id(prop, ref, "user") for ref in refs]
        names = [ref.name for ref in refs if isinstance(ref, UserId) and ref.name]
        return {"": dump_json(ids) if ids else None, "_names": ", ".join(names) or None}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> list[str] | None:
        return _ids_from_json(prop, columns.get(""), "user")


class UserCodec(TypeCodec):
    """created_by, last_edited_by: the user id (a ``UserId``); columns "" id and "_name"."""

    writable: ClassVar[bool] = False
    columns: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("", SqlType.TEXT),
        ColumnSpec("_name", SqlType.TEXT),
    )

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> UserId | None:
        return None if inner is None else user_id(prop, inner)

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        if value is None:
            return {"": None, "_name": None}
        name = value.name if isinstance(value, UserId) else None
        return {"": _id(prop, value, "user"), "_name": name}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> UserId | None:
        raw = as_text(prop, "", columns.get(""))
        if not raw:
            return None
        return UserId(_id(prop, raw, "user"), as_text(prop, "_name", columns.get("_name")))


class RelationCodec(TypeCodec):
    """relation: list of related page ids; JSON column.

    A page object lists at most 25 relations (``has_more``); see ``is_truncated``.
    """

    columns: ClassVar[tuple[ColumnSpec, ...]] = (ColumnSpec("", SqlType.JSON),)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> list[str] | None:
        if not isinstance(inner, list):
            raise prop.expected("a list of page references", inner)
        return [_id(prop, ref, "page") for ref in inner] or None

    def encode(self, prop: Prop, value: Any) -> list[dict[str, str]]:
        return [{"id": _id(prop, ref, "page")} for ref in _ref_list(prop, value, "page")]

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        ids = [_id(prop, ref, "page") for ref in _ref_list(prop, value, "page")]
        return {"": dump_json(ids) if ids else None}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> list[str] | None:
        return _ids_from_json(prop, columns.get(""), "page")


def file_value(prop: Prop, item: Any) -> FileValue:
    """A file entry (``FileValue``, URL string, or Notion file object) → ``FileValue``."""
    if isinstance(item, FileValue):
        return item
    if isinstance(item, str) and item:
        path = urlsplit(item).path.rstrip("/")
        return FileValue(name=(path.rsplit("/", 1)[-1] or item)[:MAX_FILE_NAME], url=item)
    if not isinstance(item, dict):
        raise prop.expected("a file (FileValue, URL or file object)", item)
    kind = item.get("type") or next(
        (k for k in ("external", "file", "file_upload") if k in item), None
    )
    body = item.get(kind) if isinstance(kind, str) else None
    name = item.get("name") or ""
    if not isinstance(body, dict) or not isinstance(name, str):
        raise prop.expected("a file object with a name and external/file/file_upload", item)
    if kind == "file_upload":
        return FileValue(name=name, type="file_upload", upload_id=_id(prop, body, "file upload"))
    url = body.get("url")
    if kind not in ("external", "file") or not isinstance(url, str):
        raise prop.expected("an external or file entry with a url", item)
    return FileValue(name=name, url=url, type=kind, expiry_time=body.get("expiry_time"))


def file_request(prop: Prop, file: FileValue) -> dict[str, Any]:
    """A ``FileValue`` in request shape (``expiry_time`` is response-only, so dropped)."""
    if file.type == "file_upload":
        out: dict[str, Any] = {"type": "file_upload", "file_upload": {"id": file.upload_id}}
        if file.name:
            out["name"] = file.name
        return out
    if file.type not in ("external", "file") or not file.url:
        raise prop.error(f"file {file.name!r} of type {file.type!r} needs a url")
    if not file.name or len(file.name) > MAX_FILE_NAME:
        raise prop.error(f"file name {file.name!r} must be 1 to {MAX_FILE_NAME} characters")
    return {"name": file.name, "type": file.type, file.type: {"url": file.url}}


class FilesCodec(TypeCodec):
    """files: list of ``FileValue``; JSON column of their fields. Writing replaces the list."""

    columns: ClassVar[tuple[ColumnSpec, ...]] = (ColumnSpec("", SqlType.JSON),)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> list[FileValue] | None:
        if not isinstance(inner, list):
            raise prop.expected("a list of files", inner)
        return [file_value(prop, item) for item in inner] or None

    def encode(self, prop: Prop, value: Any) -> list[dict[str, Any]]:
        files = _ref_list(prop, value, "file")
        return [file_request(prop, file_value(prop, item)) for item in files]

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        files = [asdict(file_value(prop, item)) for item in _ref_list(prop, value, "file")]
        return {"": dump_json(files) if files else None}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> list[FileValue] | None:
        raw = load_json(prop, "", columns.get(""))
        if raw is None:
            return None
        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise prop.expected("a JSON list of file objects in column ''", raw)
        try:
            return [FileValue(**item) for item in raw] or None
        except TypeError as exc:
            raise prop.error(f"column '' holds a malformed file entry: {exc}") from None
