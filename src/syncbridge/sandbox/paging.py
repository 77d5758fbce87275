"""Pagination as Notion does it: ``start_cursor`` + ``page_size`` in, the list envelope out.

A cursor is the id of the first item of the next page (what Notion sends for block children), so
it stays valid while items before it change; one that names no item of the listing is a 400.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from syncbridge.sandbox.errors import ValidationError

MAX_PAGE_SIZE = 100


def page_size(raw: Any, *, where: str) -> int:
    """``page_size`` from a body (int) or query string (str); default 100, allowed 1..100."""
    if raw is None:
        return MAX_PAGE_SIZE
    value: Any = raw
    if isinstance(raw, str):
        value = int(raw) if raw.strip().lstrip("-").isdigit() else raw
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(
            f"{_scope(where)} failed validation: {where} should be a number, instead was `{raw!r}`."
        )
    if not 1 <= value <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"{_scope(where)} failed validation: {where} should be ≤ {MAX_PAGE_SIZE} "
            f"and ≥ 1, instead was `{value}`."
        )
    return value


def start_index(
    ids: Sequence[str], cursor: Any, *, where: str, index: Mapping[str, int] | None = None
) -> int:
    """Position in ``ids`` where the page starting at ``cursor`` begins (0 without a cursor)."""
    if cursor is None:
        return 0
    if not isinstance(cursor, str) or not cursor:
        raise ValidationError(
            f"{_scope(where)} failed validation: {where} should be a string, "
            f"instead was `{cursor!r}`."
        )
    key = _normal(cursor)
    pos = index.get(key) if index is not None else _find(ids, key)
    if pos is None:
        raise ValidationError(f"The start_cursor provided is invalid: {cursor}")
    return pos


def window(
    ids: Sequence[str],
    cursor: Any,
    size: int,
    *,
    where: str,
    index: Mapping[str, int] | None = None,
    limit: int | None = None,
) -> tuple[int, int, str | None]:
    """``(start, end, next_cursor)`` of the page of ``ids`` that begins at ``cursor``.

    ``limit`` caps how far into ``ids`` any page may reach (the 10,000-row query cap).
    """
    start = start_index(ids, cursor, where=where, index=index)
    stop = len(ids) if limit is None else min(len(ids), limit)
    end = min(start + size, stop)
    next_cursor = ids[end] if end < stop else None
    return start, end, next_cursor


def envelope(
    results: list[Any], next_cursor: str | None, type_name: str, **extra: Any
) -> dict[str, Any]:
    """The list object Notion answers with (``request_id`` is added by the app)."""
    out: dict[str, Any] = {
        "object": "list",
        "results": results,
        "next_cursor": next_cursor,
        "has_more": next_cursor is not None,
        "type": type_name,
        type_name: {},
    }
    out.update(extra)
    return out


def _normal(cursor: str) -> str:
    compact = cursor.replace("-", "").lower()
    if len(compact) == 32:
        return f"{compact[:8]}-{compact[8:12]}-{compact[12:16]}-{compact[16:20]}-{compact[20:]}"
    return cursor


def _find(ids: Sequence[str], key: str) -> int | None:
    for pos, item in enumerate(ids):
        if item == key:
            return pos
    return None


def _scope(where: str) -> str:
    return where.split(".", 1)[0]
