"""Time types: date (writable), created_time and last_edited_time (read-only)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any, ClassVar

from syncbridge.notion.codec.base import Prop, TypeCodec, as_text
from syncbridge.notion.codec.values import ColumnSpec, DateValue, SqlType

# The ISO-8601 subset Notion reads: a calendar date, optionally a time and an offset.
_ISO = re.compile(
    r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})?)?", re.ASCII
)


def _iso(prop: Prop, value: Any, part: str) -> str:
    """An ISO-8601 date or date-time string, validated but kept exactly as given."""
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if not isinstance(value, str):
        raise prop.expected(f"an ISO-8601 date or date-time for {part}", value)
    try:
        if not _ISO.fullmatch(value):
            raise ValueError(value)
        if len(value) == 10:
            dt.date.fromisoformat(value)
        else:
            dt.datetime.fromisoformat(value)
    except ValueError:
        raise prop.error(f"{part} {value!r} is not an ISO-8601 date or date-time") from None
    return value


def _optional_str(prop: Prop, value: Any, part: str) -> str | None:
    if value is not None and not isinstance(value, str):
        raise prop.expected(f"a string for {part}", value)
    return value or None


def date_value(prop: Prop, value: Any) -> DateValue | None:
    """Any accepted date input → a validated ``DateValue`` (``None`` when empty).

    Accepts ``DateValue``, ``datetime.date``/``datetime`` (naive date-times are sent without an
    offset, which Notion reads as UTC unless a time zone is given), an ISO string, a
    ``(start, end)`` pair, or a ``{"start", "end", "time_zone"}`` mapping.
    """
    if value is None or value == "":
        return None
    start: Any
    end: Any
    zone: Any
    if isinstance(value, DateValue):
        start, end, zone = value.start, value.end, value.time_zone
    elif isinstance(value, dict):
        start, end, zone = value.get("start"), value.get("end"), value.get("time_zone")
    elif isinstance(value, tuple | list) and len(value) == 2:
        start, end, zone = value[0], value[1], None
    else:
        start, end, zone = value, None, None
    if start is None:
        raise prop.error("a date needs a start")
    return DateValue(
        start=_iso(prop, start, "start"),
        end=None if end is None else _iso(prop, end, "end"),
        time_zone=_optional_str(prop, zone, "time_zone"),
    )


def date_json(value: DateValue | None) -> dict[str, Any] | None:
    """A ``DateValue`` in Notion's shape (all three keys, as responses carry them)."""
    if value is None:
        return None
    return {"start": value.start, "end": value.end, "time_zone": value.time_zone}


class DateCodec(TypeCodec):
    """date: ``DateValue``; columns "" (start), "_end" and "_tz", all TEXT as Notion sent them."""

    columns: ClassVar[tuple[ColumnSpec, ...]] = (
        ColumnSpec("", SqlType.TEXT),
        ColumnSpec("_end", SqlType.TEXT),
        ColumnSpec("_tz", SqlType.TEXT),
    )

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> DateValue | None:
        if inner is not None and not isinstance(inner, dict):
            raise prop.expected("a date object", inner)
        return None if inner is None or inner.get("start") is None else date_value(prop, inner)

    def encode(self, prop: Prop, value: Any) -> dict[str, Any] | None:
        return date_json(date_value(prop, value))

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        date = date_value(prop, value)
        if date is None:
            return {"": None, "_end": None, "_tz": None}
        return {"": date.start, "_end": date.end, "_tz": date.time_zone}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> DateValue | None:
        start = as_text(prop, "", columns.get(""))
        end = as_text(prop, "_end", columns.get("_end"))
        zone = as_text(prop, "_tz", columns.get("_tz"))
        if not start:
            return None
        return date_value(prop, DateValue(start, end or None, zone or None))


class TimestampCodec(TypeCodec):
    """created_time, last_edited_time: the ISO string as sent (UTC, ``Z``); TEXT sorts correctly."""

    writable: ClassVar[bool] = False

    def decode(self, prop: Prop, inner: Any, prop_value: dict[str, Any]) -> str | None:
        if inner is not None and not isinstance(inner, str):
            raise prop.expected("an ISO-8601 timestamp", inner)
        return inner or None

    def to_columns(self, prop: Prop, value: Any) -> dict[str, Any]:
        return {"": None if value is None else _iso(prop, value, "timestamp")}

    def from_columns(self, prop: Prop, columns: dict[str, Any]) -> str | None:
        return as_text(prop, "", columns.get("")) or None
