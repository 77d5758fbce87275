"""Date values as Notion stores, shows and compares them.

Notion keeps a date-only value as written (``2026-06-27``) and a date-time rounded down to the
minute, shown with its offset (``2026-06-27T18:01:00.000+01:00``); a ``time_zone`` given on write
is folded into that offset and answered as ``null`` (recorded traffic). Comparisons use
:class:`Moment`: a date-only value compares by day, a date-time by minute.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from syncbridge.sandbox.bodycheck import UNDEFINED, fail, only_keys, require_dict

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ZONES: dict[str, tzinfo] = {}


@dataclass(frozen=True, order=True)
class Moment:
    """A comparable point: ``minute`` is UTC minutes since epoch for date-times (None for dates)."""

    day: date
    minute: int | None


def zone(name: str) -> tzinfo | None:
    """The IANA time zone called ``name``, or None when there is no such zone."""
    if name in _ZONES:
        return _ZONES[name]
    try:
        found: tzinfo = ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        return None
    _ZONES[name] = found
    return found


def is_date_only(text: str) -> bool:
    """True for ``YYYY-MM-DD``."""
    return bool(_DATE_ONLY.match(text))


def parse(text: str, tz: tzinfo | None = None) -> date | datetime | None:
    """A ``date`` for date-only text, an aware ``datetime`` otherwise, None if unparsable.

    Naive date-times are read in ``tz`` (UTC when None).
    """
    if not isinstance(text, str) or len(text) > 64:
        return None
    raw = text.strip()
    try:
        if is_date_only(raw):
            return date.fromisoformat(raw)
        if raw.endswith(("Z", "z")):
            raw = raw[:-1] + "+00:00"
        dt = datetime.fromisoformat(raw)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=tz or UTC)
    try:
        dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None
    return dt


def render(value: date | datetime) -> str:
    """Notion's response form: date as is; date-time minute-rounded with ms and offset."""
    if not isinstance(value, datetime):
        return value.isoformat()
    value = value.replace(second=0, microsecond=0)
    offset = value.utcoffset() or timedelta(0)
    sign = "-" if offset < timedelta(0) else "+"
    total = abs(int(offset.total_seconds())) // 60
    return value.strftime("%Y-%m-%dT%H:%M:00.000") + f"{sign}{total // 60:02d}:{total % 60:02d}"


def moment(value: date | datetime) -> Moment:
    """The comparison key of a parsed value."""
    if isinstance(value, datetime):
        # seconds are dropped: Notion stores and compares date-times by the minute
        return Moment(value.date(), (value - _EPOCH) // timedelta(minutes=1))
    return Moment(value, None)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def moment_of(text: str | None) -> Moment | None:
    """The comparison key of a stored ISO string, or None when absent or unparsable."""
    if not text or not isinstance(text, str):
        return None
    return _moment_of(text)


@functools.lru_cache(maxsize=1 << 16)
def _moment_of(text: str) -> Moment | None:
    # stored values repeat (timestamps share minutes, dates share days): parse each once
    parsed = parse(text)
    return None if parsed is None else moment(parsed)


def compare(a: Moment, b: Moment) -> int:
    """-1, 0 or 1: by day when either side is date-only, else by minute."""
    if a.minute is None or b.minute is None:
        return (a.day > b.day) - (a.day < b.day)
    return (a.minute > b.minute) - (a.minute < b.minute)


def utc_day(now_iso: str) -> date:
    """Today's date (UTC) for a context time such as ``2026-06-27T17:01:00.000Z``."""
    parsed = parse(now_iso)
    if isinstance(parsed, datetime):
        return parsed.astimezone(UTC).date()
    if isinstance(parsed, date):
        return parsed
    return datetime.now(UTC).date()


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    for last in (31, 30, 29, 28):
        try:
            return date(year, month, min(day.day, last))
        except ValueError:
            continue
    raise ValueError("unreachable")  # pragma: no cover


def normalize_date(value: Any, path: str) -> dict[str, Any]:
    """Validate a request date object and answer Notion's stored form.

    ``{"start": "2026-06-27T18:01:15", "time_zone": "Europe/London"}`` becomes
    ``{"start": "2026-06-27T18:01:00.000+01:00", "end": None, "time_zone": None}``.
    """
    obj = require_dict(value, path)
    only_keys(obj, {"start", "end", "time_zone"}, path)
    tz_name = obj.get("time_zone")
    tz: tzinfo | None = None
    if tz_name is not None:
        if not isinstance(tz_name, str) or zone(tz_name) is None:
            fail(f"{path}.time_zone", "should be a valid IANA time zone or `null`", tz_name)
        tz = zone(tz_name)
    if "start" not in obj:
        fail(f"{path}.start", "should be defined", UNDEFINED)
    start = _one(obj["start"], f"{path}.start", tz)
    end = None if obj.get("end") is None else _one(obj["end"], f"{path}.end", tz)
    if end is not None and type(end) is not type(start):
        fail(f"{path}.end", "should be of the same kind as start (date or date-time)", obj["end"])
    if end is not None and compare(moment(end), moment(start)) < 0:
        fail(f"{path}.end", "should not be before start", obj["end"])
    return {
        "start": render(start),
        "end": None if end is None else render(end),
        "time_zone": None,
    }


def _one(raw: Any, path: str, tz: tzinfo | None) -> date | datetime:
    if not isinstance(raw, str):
        fail(path, "should be a string", raw)
    parsed = parse(raw, tz)
    if parsed is None:
        fail(path, "should be a valid ISO 8601 date string", raw)
    if isinstance(parsed, datetime) and tz is not None:
        parsed = parsed.astimezone(tz)
    return parsed
