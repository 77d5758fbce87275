"""The per-type codec interface and the helpers every family of types shares."""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import Any, ClassVar

from syncbridge.notion.codec.errors import CodecError
from syncbridge.notion.codec.values import ColumnSpec, SqlType

MAIN = ColumnSpec("", SqlType.TEXT)


@dataclass(frozen=True)
class Prop:
    """The property being converted: its name (or id) and type, for error messages."""

    name: str
    type: str

    def error(self, problem: str) -> CodecError:
        """A CodecError about this property."""
        return CodecError(self.name, self.type, problem)

    def expected(self, what: str, value: Any) -> CodecError:
        """A CodecError saying what was expected and what came instead."""
        return self.error(f"expected {what}, got {type(value).__name__} {_preview(value)}")


def _preview(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


class TypeCodec:
    """Conversions for one property type; subclasses override what differs.

    ``decode`` takes the type's inner JSON (``prop_value[type]``); ``encode`` returns the
    request's inner JSON; ``canonical`` normalises Notion JSON (request or response shape) to
    the request shape ``encode`` produces.
    """

    writable: ClassVar[bool] = True
    columns: ClassVar[tuple[ColumnSpec, ...]] = (MAIN,)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> Any:
        """Notion's inner JSON → Python value (``None`` when empty)."""
        raise NotImplementedError

    def encode(self, prop: Prop, value: Any) -> Any:
        """Python value → the request's inner JSON."""
        raise NotImplementedError

    def canonical(self, prop: Prop, inner: Any) -> Any:
        """Notion JSON inner value → canonical request inner value (validated)."""
        return self.encode(prop, self.decode(prop, inner, {}))

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        """Python value → one SQL value per column suffix."""
        return {"": value}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> Any:
        """SQL values per column suffix → Python value."""
        return columns.get("")


def dump_json(value: Any) -> str:
    """Compact JSON text for a JSON column (stored as text on every dialect)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def load_json(prop: Prop, column: str, raw: Any) -> Any:
    """Parse a JSON column's SQL value (text, bytes, or already parsed by the driver)."""
    if raw is None or isinstance(raw, list | dict):
        return raw
    if isinstance(raw, bytes | bytearray | memoryview):
        raw = bytes(raw).decode()
    if not isinstance(raw, str):
        raise prop.expected(f"JSON text in column {column!r}", raw)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as exc:
        raise prop.error(f"column {column!r} holds invalid JSON: {exc}") from None


def as_text(prop: Prop, column: str, raw: Any) -> str | None:
    """A TEXT column's SQL value as ``str`` (``None`` stays ``None``)."""
    if raw is None or isinstance(raw, str):
        return raw
    raise prop.expected(f"text in column {column!r}", raw)


def as_number(prop: Prop, raw: Any) -> int | float:
    """A finite JSON-compatible number; bool and str are refused, Decimal is converted."""
    from decimal import Decimal

    if isinstance(raw, bool) or not isinstance(raw, int | float | Decimal):
        raise prop.expected("a number", raw)
    number: int | float = float(raw) if isinstance(raw, Decimal) else raw
    if isinstance(number, float) and not math.isfinite(number):
        raise prop.error(f"{number} cannot be stored in Notion (finite numbers only)")
    return number


def number_from_sql(prop: Prop, raw: Any) -> int | float | None:
    """A FLOAT column value back to the number Notion had: integral values become ``int``."""
    if raw is None:
        return None
    number = as_number(prop, raw)
    if isinstance(number, float) and number.is_integer() and abs(number) < 2**53:
        return int(number)
    return number


def str_list(prop: Prop, value: Any, what: str) -> list[str]:
    """A list of non-empty strings (a lone ``str`` is refused: it is not a list of names)."""
    if isinstance(value, str | bytes) or not isinstance(value, list | tuple | set | frozenset):
        raise prop.expected(f"a list of {what}", value)
    items = list(value)
    for item in items:
        if not isinstance(item, str) or not item:
            raise prop.expected(f"each of the {what} to be a non-empty string", item)
    return items
