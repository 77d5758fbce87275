"""Text-valued types: title, rich_text, url, email, phone_number."""

from __future__ import annotations

from typing import Any

from syncbridge.notion.codec.base import Prop, TypeCodec, as_text
from syncbridge.notion.codec.rich_text import canonical_items, split_text
from syncbridge.notion.codec.values import RichText


class RichTextCodec(TypeCodec):
    """title and rich_text: value is the plain text (a ``RichText`` remembering its items).

    Writing a ``RichText`` back keeps annotations, links and mentions; writing any other
    ``str`` produces plain text, split into items of at most 2,000 characters.
    """

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> RichText | None:
        if inner is None:
            return None
        if not isinstance(inner, list) or not all(isinstance(item, dict) for item in inner):
            raise prop.expected("a list of rich text items", inner)
        return RichText(inner) if inner else None

    def encode(self, prop: Prop, value: Any) -> list[dict[str, Any]]:
        if value is None:
            return []
        if isinstance(value, RichText):
            return canonical_items(prop, list(value.items))
        if isinstance(value, str):
            return split_text(prop, value)
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            return canonical_items(prop, value)
        raise prop.expected("a str or a list of rich text items", value)

    def canonical(self, prop: Prop, inner: Any) -> list[dict[str, Any]]:
        return [] if inner is None else canonical_items(prop, inner)

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        if value is not None and not isinstance(value, str):
            raise prop.expected("a str", value)
        return {"": str(value) if value else None}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> str | None:
        return as_text(prop, "", columns.get("")) or None


class StringCodec(TypeCodec):
    """url, email, phone_number: a ``str``; empty means ``None``."""

    def __init__(self, max_length: int) -> None:
        self.max_length = max_length

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> str | None:
        if inner is not None and not isinstance(inner, str):
            raise prop.expected("a string", inner)
        return inner or None

    def encode(self, prop: Prop, value: Any) -> str | None:
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise prop.expected("a str", value)
        if len(value) > self.max_length:
            raise prop.error(f"{len(value)} characters; Notion allows {self.max_length}")
        return str(value)

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        return {"": self.encode(prop, value)}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> str | None:
        return as_text(prop, "", columns.get("")) or None
