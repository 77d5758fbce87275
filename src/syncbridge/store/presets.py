"""Presets for the database types of seed 000: ``tasks``, ``calendar``, ``reports``, ``users``,
``sales``, and ``generic`` for everything else.

A preset is data: registration defaults (sync interval, conflict strategy, whether page content
is fetched) and the *roles* a database of that type usually has (a task's due date, a sale's
amount), each with the property types that can fill it and name hints (English and Korean).
:func:`resolve_roles` finds the properties playing each role in a real schema, so the API and
dashboard can show "due" or "amount" without being told which column that is.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Role:
    """A part a property can play: the property types that fit and name hints, best first."""

    types: tuple[str, ...]
    hints: tuple[str, ...] = ()


@dataclass(frozen=True)
class Preset:
    """Registration defaults and expected roles for one database type."""

    sync_interval: int | None  # seconds; None = NOTION_SYNC_INTERVAL_DEFAULT
    conflict_strategy: str
    fetch_content: bool = False
    roles: dict[str, Role] = field(default_factory=dict)


_TITLE = Role(("title",))
_PEOPLE = ("people", "created_by", "last_edited_by")

PRESETS: dict[str, Preset] = {
    "generic": Preset(sync_interval=None, conflict_strategy="remote_wins", roles={"title": _TITLE}),
    "tasks": Preset(
        sync_interval=300,
        conflict_strategy="newest_wins",
        roles={
            "title": _TITLE,
            "status": Role(("status", "select", "checkbox"), ("status", "state", "상태", "done")),
            "assignee": Role(_PEOPLE, ("assign", "owner", "담당")),
            "due": Role(("date",), ("due", "deadline", "마감", "date")),
            "priority": Role(("select", "number"), ("priority", "우선")),
        },
    ),
    "calendar": Preset(
        sync_interval=300,
        conflict_strategy="newest_wins",
        roles={
            "title": _TITLE,
            "when": Role(("date",), ("date", "when", "time", "일시", "날짜")),
            "attendees": Role(_PEOPLE, ("attend", "participant", "참석")),
            "location": Role(("place", "rich_text", "select"), ("location", "place", "장소")),
        },
    ),
    "reports": Preset(
        sync_interval=3600,
        conflict_strategy="remote_wins",
        fetch_content=True,  # a report's body is the point
        roles={
            "title": _TITLE,
            "period": Role(("date",), ("period", "date", "기간", "날짜")),
            "author": Role(_PEOPLE, ("author", "writer", "작성")),
            "status": Role(("status", "select"), ("status", "상태")),
        },
    ),
    "users": Preset(
        sync_interval=3600,
        conflict_strategy="remote_wins",
        roles={
            "name": _TITLE,
            "email": Role(("email",), ("email", "메일")),
            "role": Role(("select", "multi_select"), ("role", "권한", "역할")),
            "active": Role(("checkbox", "status"), ("active", "enabled", "활성")),
        },
    ),
    "sales": Preset(
        sync_interval=600,
        conflict_strategy="manual",  # money: never overwrite a figure silently
        roles={
            "title": _TITLE,
            "amount": Role(
                ("number", "formula", "rollup"), ("amount", "revenue", "total", "금액", "매출")
            ),
            "date": Role(("date", "created_time"), ("date", "closed", "날짜", "일자")),
            "stage": Role(("status", "select"), ("stage", "status", "단계", "상태")),
            "owner": Role(_PEOPLE, ("owner", "sales", "담당")),
        },
    ),
}

DATABASE_TYPES: tuple[str, ...] = tuple(sorted(PRESETS))


def preset_for(database_type: str) -> Preset:
    """The preset of a database type.

    Raises:
        ValueError: the type is not one of :data:`DATABASE_TYPES` (the message lists them).
    """
    try:
        return PRESETS[database_type]
    except KeyError:
        raise ValueError(
            f"unknown database type {database_type!r}; use one of: {', '.join(DATABASE_TYPES)}"
        ) from None


def resolve_roles(database_type: str, schema: dict[str, Any]) -> dict[str, str]:
    """Map each role of the type's preset to the name of the property playing it in ``schema``.

    A property whose name contains a hint wins over one that merely has a fitting type; each
    property plays at most one role; a role nothing fits is left out.
    """
    props = [(name, conf.get("type", "")) for name, conf in schema.items()]
    chosen: dict[str, str] = {}
    for role_name, role in preset_for(database_type).roles.items():
        free = [(n, t) for n, t in props if t in role.types and n not in chosen.values()]
        hinted = [(n, t) for n, t in free if any(h in n.lower() for h in role.hints)]
        ranked = sorted(hinted or free, key=lambda nt: role.types.index(nt[1]))
        if ranked:
            chosen[role_name] = ranked[0][0]
    return chosen
