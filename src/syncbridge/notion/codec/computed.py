"""Types Notion computes (all read-only): formula, rollup, unique_id, verification, button.

formula and rollup results vary in type, so they get three columns: "" TEXT (display text),
"_number" FLOAT (set for numeric results) and "_json" JSON (the exact value; read back by
``from_columns``).
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from typing import Any, ClassVar

from syncbridge.notion.codec.base import (
    Prop,
    TypeCodec,
    as_number,
    as_text,
    dump_json,
    load_json,
    number_from_sql,
)
from syncbridge.notion.codec.dates import DateCodec
from syncbridge.notion.codec.values import (
    ColumnSpec,
    DateValue,
    FileValue,
    SqlType,
    UniqueIdValue,
)

_TAGGED: tuple[type[Any], ...] = (DateValue, FileValue, UniqueIdValue)
_KEYS = {frozenset(f.name for f in fields(cls)): cls for cls in _TAGGED}


def to_jsonable(value: Any) -> Any:
    """A decoded value as JSON data (dataclasses become objects of their fields)."""
    if isinstance(value, _TAGGED):
        return asdict(value)
    if isinstance(value, list | tuple):
        return [to_jsonable(item) for item in value]
    if isinstance(value, str):
        return str(value)
    return value


def from_jsonable(data: Any) -> Any:
    """Inverse of ``to_jsonable``: objects with exactly a dataclass's fields become it."""
    if isinstance(data, list):
        return [from_jsonable(item) for item in data]
    if isinstance(data, dict):
        cls = _KEYS.get(frozenset(data))
        return cls(**data) if cls else {k: from_jsonable(v) for k, v in data.items()}
    return data


def display(value: Any) -> str | None:
    """How Notion would show a computed value, as text (``None`` when empty)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return json.dumps(value)
    if isinstance(value, DateValue):
        return value.start if value.end is None else f"{value.start}/{value.end}"
    if isinstance(value, FileValue):
        return value.url or value.name
    if isinstance(value, list | tuple):
        shown = [display(item) for item in value]
        return ", ".join(text for text in shown if text) or None
    if isinstance(value, dict):
        return dump_json(value)
    return str(value)


class ComputedCodec(TypeCodec):
    """Shared columns of formula and rollup."""

    writable: ClassVar[bool] = False
    columns: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("", SqlType.TEXT),
        ColumnSpec("_number", SqlType.FLOAT),
        ColumnSpec("_json", SqlType.JSON),
    )

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        if isinstance(value, int | float) and not isinstance(value, bool):
            number: float | None = float(as_number(prop, value))
        else:
            number = None
        data = None if value is None else dump_json(to_jsonable(value))
        return {"": display(value), "_number": number, "_json": data}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> Any:
        value = from_jsonable(load_json(prop, "_json", columns.get("_json")))
        if isinstance(value, float) or (isinstance(value, int) and not isinstance(value, bool)):
            return number_from_sql(prop, value)
        return value

    def result(self, prop: Prop, kind: Any, raw: Any) -> Any:
        """A typed result (``{"type": kind, kind: raw}``) → Python value."""
        if kind == "string":
            return as_text(prop, "string", raw) or None
        if kind == "number":
            return None if raw is None else as_number(prop, raw)
        if kind == "boolean":
            if raw is not None and not isinstance(raw, bool):
                raise prop.expected("a boolean result", raw)
            return raw
        if kind == "date":
            return DateCodec().decode(prop, raw, {})
        return None  # "unsupported", "incomplete" and result types newer than this codec


def _typed(prop: Prop, inner: Any, what: str) -> tuple[str, Any]:
    """``{"type": kind, kind: raw}`` → ``(kind, raw)``, validated."""
    kind = inner.get("type") if isinstance(inner, dict) else None
    if not isinstance(kind, str) or not isinstance(inner, dict):
        raise prop.expected(f"a {what} result object with a type", inner)
    return kind, inner.get(kind)


class FormulaCodec(ComputedCodec):
    """formula: ``str``, ``int | float``, ``bool`` or ``DateValue`` by the result's type."""

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> Any:
        return self.result(prop, *_typed(prop, inner, "formula"))


class RollupCodec(ComputedCodec):
    """rollup: a number, a ``DateValue``, or (``array``) the list of the decoded values."""

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> Any:
        kind, raw = _typed(prop, inner, "rollup")
        if kind != "array":
            return self.result(prop, kind, raw)
        from syncbridge.notion.codec.registry import decode_as  # rollups hold any type

        if not isinstance(raw, list) or not all(isinstance(item, dict) for item in raw):
            raise prop.expected("a rollup array of property values", raw)
        return [decode_as(prop.name, item) for item in raw] or None


class UniqueIdCodec(TypeCodec):
    """unique_id: ``UniqueIdValue``; columns "" TEXT (e.g. ``TASK-12``) and "_number" INTEGER."""

    writable: ClassVar[bool] = False
    columns: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("", SqlType.TEXT),
        ColumnSpec("_number", SqlType.INTEGER),
    )

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> UniqueIdValue | None:
        if inner is None:
            return None
        number = inner.get("number") if isinstance(inner, dict) else "?"
        prefix = inner.get("prefix") if isinstance(inner, dict) else "?"
        if isinstance(number, bool) or not isinstance(number, int | None):
            raise prop.expected("a unique_id object", inner)
        if prefix is not None and not isinstance(prefix, str):
            raise prop.expected("a unique_id prefix string", prefix)
        return None if number is None else UniqueIdValue(prefix or None, number)

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        if value is None:
            return {"": None, "_number": None}
        if not isinstance(value, UniqueIdValue):
            raise prop.expected("a UniqueIdValue", value)
        return {"": str(value), "_number": value.number}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> UniqueIdValue | None:
        text = as_text(prop, "", columns.get("")) or ""
        number = number_from_sql(prop, columns.get("_number"))
        if number is None:
            return None
        if not isinstance(number, int) or not text.endswith(str(number)):
            raise prop.error(f"columns hold {text!r} and {number!r}, not a unique id")
        prefix = text[: -len(str(number))]
        if prefix and not prefix.endswith("-"):
            raise prop.error(f"column '' holds {text!r}; expected PREFIX-{number}")
        return UniqueIdValue(prefix[:-1] or None, number)


class VerificationCodec(TypeCodec):
    """verification: the state (``verified``, ``expired``, ``unverified``); read-only here."""

    writable: ClassVar[bool] = False

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> str | None:
        if inner is None:
            return None
        if not isinstance(inner, dict):
            raise prop.expected("a verification object", inner)
        return as_text(prop, "state", inner.get("state")) or None

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> str | None:
        return as_text(prop, "", columns.get("")) or None


class ButtonCodec(TypeCodec):
    """button: no value and no column."""

    writable: ClassVar[bool] = False
    columns: ClassVar[tuple[ColumnSpec, ...]] = ()

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> None:
        return None

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        return {}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> None:
        return None
