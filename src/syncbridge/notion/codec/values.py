"""The Python values the codec produces and accepts, and the SQL column vocabulary.

Decoded values are plain where a plain value loses nothing that matters (``str``, ``float``,
``bool``, ``list[str]``) and small frozen dataclasses where Notion's value has parts
(``DateValue``, ``FileValue``, ``UniqueIdValue``). ``RichText`` and ``UserId`` are ``str``
subclasses: they compare equal to the plain text / the user id, and carry what a plain string
would drop (the rich text items; the user's name) so a decoded value re-encodes losslessly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class SqlType(StrEnum):
    """Portable column types; ``syncbridge.notion.codec.sqlalchemy_type`` maps them per dialect."""

    TEXT = "TEXT"
    INTEGER = "INTEGER"
    FLOAT = "FLOAT"
    BOOLEAN = "BOOLEAN"
    JSON = "JSON"
    DATETIME = "DATETIME"


@dataclass(frozen=True)
class ColumnSpec:
    """One SQL column of a property: ``suffix`` is appended to the property's column name."""

    suffix: str
    sql_type: SqlType


@dataclass(frozen=True)
class DateValue:
    """A Notion date: ISO-8601 strings exactly as Notion sent them (date-only stays date-only)."""

    start: str
    end: str | None = None
    time_zone: str | None = None


@dataclass(frozen=True)
class FileValue:
    """One entry of a files property.

    ``type`` is ``external`` (a link), ``file`` (hosted by Notion; ``url`` expires at
    ``expiry_time``) or ``file_upload`` (a File Upload API id in ``upload_id``, write only).
    """

    name: str
    url: str | None = None
    type: str = "external"
    expiry_time: str | None = None
    upload_id: str | None = None


@dataclass(frozen=True)
class UniqueIdValue:
    """An auto-increment id; ``str()`` gives Notion's display form, e.g. ``TASK-12``."""

    prefix: str | None
    number: int | None

    def __str__(self) -> str:
        number = "" if self.number is None else str(self.number)
        return f"{self.prefix}-{number}" if self.prefix else number


def plain_text_of(item: dict[str, Any]) -> str:
    """The text one rich text item shows (``plain_text``, else its content or expression)."""
    if isinstance(item.get("plain_text"), str):
        return str(item["plain_text"])
    text = item.get("text")
    if isinstance(text, dict) and isinstance(text.get("content"), str):
        return str(text["content"])
    equation = item.get("equation")
    if isinstance(equation, dict) and isinstance(equation.get("expression"), str):
        return str(equation["expression"])
    return ""


class RichText(str):
    """Plain text of a title/rich_text value that keeps the rich text items it came from.

    Equal to its plain text. ``encode`` writes ``items`` back (annotations, links, mentions
    preserved); any other ``str`` — including one derived from this — is written as plain text.
    """

    items: tuple[dict[str, Any], ...]

    def __new__(cls, items: Sequence[dict[str, Any]]) -> RichText:
        self = super().__new__(cls, "".join(plain_text_of(item) for item in items))
        self.items = tuple(items)
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (self.items,)


class UserId(str):
    """A user (or group) id that also carries the name Notion sent with it, if any."""

    name: str | None
    kind: str

    def __new__(cls, user_id: str, name: str | None = None, kind: str = "user") -> UserId:
        self = super().__new__(cls, user_id)
        self.name = name
        self.kind = kind
        return self

    def __getnewargs__(self) -> tuple[Any, ...]:
        return (str(self), self.name, self.kind)
