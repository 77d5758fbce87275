"""Scalar and option types: number, checkbox, select, status, multi_select."""

from __future__ import annotations

from typing import Any, ClassVar

from syncbridge.notion.codec.base import (
    Prop,
    TypeCodec,
    as_number,
    as_text,
    dump_json,
    load_json,
    number_from_sql,
    str_list,
)
from syncbridge.notion.codec.values import ColumnSpec, SqlType

MAX_OPTIONS = 100


class NumberCodec(TypeCodec):
    """number: ``int`` or ``float`` as Notion sent it; stored as a double (exact to 2**53)."""

    columns: ClassVar[tuple[ColumnSpec, ...]] = (ColumnSpec("", SqlType.FLOAT),)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> int | float | None:
        return None if inner is None else as_number(prop, inner)

    def encode(self, prop: Prop, value: Any) -> int | float | None:
        return None if value is None else as_number(prop, value)

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        return {"": None if value is None else float(as_number(prop, value))}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> int | float | None:
        return number_from_sql(prop, columns.get(""))


class CheckboxCodec(TypeCodec):
    """checkbox: ``bool``; Notion has no empty checkbox, so ``None`` means ``False``."""

    columns: ClassVar[tuple[ColumnSpec, ...]] = (ColumnSpec("", SqlType.BOOLEAN),)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> bool:
        return self.encode(prop, inner)

    def encode(self, prop: Prop, value: Any) -> bool:
        if value is None:
            return False
        if not isinstance(value, bool):
            raise prop.expected("a bool", value)
        return value

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        return {"": self.encode(prop, value)}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> bool:
        raw = columns.get("")
        if raw in (0, 1) and not isinstance(raw, float):  # MySQL TINYINT(1) read without types
            return bool(raw)
        return self.encode(prop, raw)


def _option(prop: Prop, option: Any) -> dict[str, str]:
    """An option reference in request shape: by name when known, else by id."""
    if isinstance(option, str) and option:
        return {"name": option}
    if isinstance(option, dict):
        if isinstance(option.get("name"), str) and option["name"]:
            return {"name": option["name"]}
        if isinstance(option.get("id"), str) and option["id"]:
            return {"id": option["id"]}
    raise prop.expected("an option name or {'name': ...} / {'id': ...}", option)


def _option_name(prop: Prop, option: Any) -> str:
    if not isinstance(option, dict) or not isinstance(option.get("name"), str):
        raise prop.expected("an option object with a name", option)
    return str(option["name"])


class SelectCodec(TypeCodec):
    """select and status: the option's name (``None`` when unset)."""

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> str | None:
        return None if inner is None else _option_name(prop, inner)

    def encode(self, prop: Prop, value: Any) -> dict[str, str] | None:
        return None if value is None or value == "" else _option(prop, value)

    def canonical(self, prop: Prop, inner: Any) -> dict[str, str] | None:
        return self.encode(prop, inner)

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        if value is not None and not isinstance(value, str):
            raise prop.expected("an option name", value)
        return {"": value or None}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> str | None:
        return as_text(prop, "", columns.get("")) or None


class MultiSelectCodec(TypeCodec):
    """multi_select: list of option names in Notion's order (``None`` when empty); JSON column."""

    columns: ClassVar[tuple[ColumnSpec, ...]] = (ColumnSpec("", SqlType.JSON),)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> list[str] | None:
        if not isinstance(inner, list):
            raise prop.expected("a list of options", inner)
        return [_option_name(prop, option) for option in inner] or None

    def encode(self, prop: Prop, value: Any) -> list[dict[str, str]]:
        if value is None:
            return []
        if isinstance(value, str) or not isinstance(value, list | tuple | set | frozenset):
            raise prop.expected("a list of option names", value)
        if len(value) > MAX_OPTIONS:
            raise prop.error(f"{len(value)} options; Notion allows {MAX_OPTIONS}")
        return [_option(prop, option) for option in value]

    def canonical(self, prop: Prop, inner: Any) -> list[dict[str, str]]:
        return self.encode(prop, inner)

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        if value is None:
            return {"": None}
        return {"": dump_json(str_list(prop, value, "option names")) if value else None}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> list[str] | None:
        raw = load_json(prop, "", columns.get(""))
        return None if raw is None else (str_list(prop, raw, "option names") or None)
