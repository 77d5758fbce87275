"""The sandbox's clock: real time by default, frozen or shifted on request.

Every timestamp the sandbox writes (created_time, last_edited_time, rate-limit buckets, the
request log, the demo API's numbers) reads this one clock, so a test can freeze time, advance it
by an exact amount, and see minute-granular behaviour without sleeping.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any


def _system_now() -> datetime:
    return datetime.now(UTC)


def iso(dt: datetime, *, minute: bool = False) -> str:
    """Format ``dt`` as Notion does: UTC, milliseconds, ``Z`` ("2025-01-02T03:04:00.000Z").

    Args:
        dt: An aware datetime (a naive one is taken as UTC).
        minute: Round down to the minute, as Notion does for page and block timestamps.
    """
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    elif dt.utcoffset():
        dt = dt.astimezone(UTC)
    if minute:
        return f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:00.000Z"
    return (
        f"{dt.year:04d}-{dt.month:02d}-{dt.day:02d}T{dt.hour:02d}:{dt.minute:02d}:"
        f"{dt.second:02d}.{dt.microsecond // 1000:03d}Z"
    )


def parse_time(value: str) -> datetime:
    """Parse an ISO-8601 time ("Z" or an offset; naive means UTC) into an aware UTC datetime.

    Raises:
        ValueError: ``value`` is not an ISO-8601 date-time.
    """
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(f"not an ISO-8601 time: {value!r}") from None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=UTC)
    return dt.astimezone(UTC)


class Clock:
    """A thread-safe clock that can be frozen, advanced and unfrozen.

    Running, it is the system clock plus an offset (``advance`` adds to the offset). Frozen, it
    answers the same instant until advanced or unfrozen; unfreezing resumes from the frozen
    instant, so time never jumps backwards for the workspace.

    Args:
        source: The underlying time source (for tests of the clock itself).
    """

    def __init__(self, source: Callable[[], datetime] = _system_now) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._offset = timedelta(0)
        self._frozen: datetime | None = None

    def now(self) -> datetime:
        """The current sandbox time (aware, UTC)."""
        with self._lock:
            if self._frozen is not None:
                return self._frozen
            return self._source() + self._offset

    def freeze(self, at: datetime | None = None) -> datetime:
        """Stop the clock at ``at`` (default: now); returns the frozen instant."""
        with self._lock:
            if at is None:
                at = self._frozen if self._frozen is not None else self._source() + self._offset
            elif at.tzinfo is None:
                at = at.replace(tzinfo=UTC)
            self._frozen = at.astimezone(UTC)
            return self._frozen

    def unfreeze(self) -> None:
        """Let the clock run again from where it stood."""
        with self._lock:
            if self._frozen is not None:
                self._offset = self._frozen - self._source()
            self._frozen = None

    def advance(self, seconds: float) -> datetime:
        """Move the clock forward (frozen or running) by ``seconds``; returns the new time.

        Raises:
            ValueError: ``seconds`` is negative (the sandbox's time never goes backwards).
        """
        if seconds < 0:
            raise ValueError(f"advance: seconds must be >= 0, got {seconds}")
        step = timedelta(seconds=seconds)
        with self._lock:
            if self._frozen is not None:
                self._frozen += step
                return self._frozen
            self._offset += step
            return self._source() + self._offset

    def reset(self) -> None:
        """Back to plain system time (no offset, not frozen)."""
        with self._lock:
            self._offset = timedelta(0)
            self._frozen = None

    def state(self) -> dict[str, Any]:
        """What ``GET /_sandbox/clock`` answers: now, frozen, offset in seconds."""
        with self._lock:
            frozen = self._frozen is not None
            now = self._frozen if self._frozen is not None else self._source() + self._offset
            offset = (now - self._source()).total_seconds()
        return {"now": iso(now), "frozen": frozen, "offset_seconds": round(offset, 3)}
