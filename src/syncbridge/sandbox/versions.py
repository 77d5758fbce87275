"""Notion-Version handling: which versions the sandbox speaks and how responses differ."""

from __future__ import annotations

from typing import Any

from syncbridge.sandbox.errors import ValidationError

V2022 = "2022-06-28"
V2025 = "2025-09-03"
V2026 = "2026-03-11"
DEFAULT = V2025
SUPPORTED = (V2022, V2025, V2026)


def check(version: str | None) -> str:
    """The version to use for a request; unknown versions are a validation error like Notion's."""
    if version is None or version == "":
        return DEFAULT
    if version not in SUPPORTED:
        raise ValidationError(
            f"header failed validation: header.notion-version should be one of "
            f'{", ".join(SUPPORTED)}, instead was `"{version}"`.'
        )
    return version


def has_archived(version: str) -> bool:
    """Whether responses still carry the deprecated ``archived`` flag (gone in 2026-03-11)."""
    return version != V2026


def shape(obj: dict[str, Any], version: str) -> dict[str, Any]:
    """A response view of a stored object for ``version``; copies only when something differs."""
    if version == V2026 and "archived" in obj:
        return {k: v for k, v in obj.items() if k != "archived"}
    return obj


def trash_flag(body: dict[str, Any], version: str, *, where: str = "body") -> bool | None:
    """Requested trash state: ``in_trash`` (any version) or ``archived`` (before 2026-03-11)."""
    if "archived" in body and version == V2026:
        raise ValidationError(
            f"{where} failed validation: {where}.archived is not supported in Notion-Version "
            f"{V2026}; use {where}.in_trash."
        )
    value = body.get("in_trash", body.get("archived"))
    if value is None:
        return None
    if not isinstance(value, bool):
        key = "in_trash" if "in_trash" in body else "archived"
        raise ValidationError(
            f"{where} failed validation: {where}.{key} should be a boolean, "
            f"instead was `{value!r}`."
        )
    return value
