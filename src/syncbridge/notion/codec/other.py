"""place, and any type this codec does not know (kept as raw JSON, never an error)."""

from __future__ import annotations

from typing import Any, ClassVar

from syncbridge.notion.codec.base import Prop, TypeCodec, as_number, dump_json, load_json
from syncbridge.notion.codec.values import ColumnSpec, SqlType


class PlaceCodec(TypeCodec):
    """place: the location object as a ``dict`` (``lat``, ``lon``, ``name``, ``address``, …).

    Writable per the SDK types and recorded traffic (the docs page disagrees: UNCONFIRMED).
    """

    columns: ClassVar[tuple[ColumnSpec, ...]] = (ColumnSpec("", SqlType.JSON),)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> dict[str, Any] | None:
        if inner is not None and not isinstance(inner, dict):
            raise prop.expected("a place object", inner)
        return inner or None

    def encode(self, prop: Prop, value: Any) -> dict[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, dict):
            raise prop.expected("a place object with lat and lon", value)
        for key in ("lat", "lon"):
            if key not in value:
                raise prop.error(f"a place needs {key!r}")
            as_number(prop, value[key])
        return {k: v for k, v in value.items() if v is not None}

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        if value is not None and not isinstance(value, dict):
            raise prop.expected("a place object", value)
        return {"": dump_json(value) if value else None}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> dict[str, Any] | None:
        value = load_json(prop, "", columns.get(""))
        if value is not None and not isinstance(value, dict):
            raise prop.expected("a JSON object in column ''", value)
        return value or None


class RawCodec(TypeCodec):
    """A type newer than this codec: the inner JSON as-is in a JSON column; not writable."""

    writable: ClassVar[bool] = False
    columns: ClassVar[tuple[ColumnSpec, ...]] = (ColumnSpec("", SqlType.JSON),)

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> Any:
        return inner

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        return {"": None if value is None else dump_json(value)}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> Any:
        return load_json(prop, "", columns.get(""))
