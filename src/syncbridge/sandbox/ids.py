"""Notion object ids: new ones, and parsing ids given with or without dashes."""

from __future__ import annotations

import re
import uuid

from syncbridge.sandbox.errors import ValidationError

_HEX32 = re.compile(r"^[0-9a-fA-F]{32}$")


def new_id() -> str:
    """A fresh dashed, lower-case UUID, as Notion hands out."""
    return str(uuid.uuid4())


def parse_id(raw: object) -> str | None:
    """The dashed lower-case form of ``raw``, or None when it is not a UUID (dashes optional).

    A UUID here is what Notion accepts: the RFC 4122 variant (any version), or the nil id.
    """
    if not isinstance(raw, str):
        return None
    compact = raw.replace("-", "")
    if len(raw) not in (32, 36) or not _HEX32.match(compact):
        return None
    if len(raw) == 36 and [len(p) for p in raw.split("-")] != [8, 4, 4, 4, 12]:
        return None
    c = compact.lower()
    if c[16] not in "89ab" and c != "0" * 32:
        # Notion refuses ids outside the RFC 4122 variant with 400 (recorded); the nil id is a
        # valid uuid that names nothing (404, recorded).
        return None
    return f"{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]}"


def require_id(raw: object, where: str) -> str:
    """Parse an id or raise Notion's validation error naming ``where`` (e.g. ``path.page_id``)."""
    parsed = parse_id(raw)
    if parsed is None:
        scope = where.split(".", 1)[0]
        raise ValidationError(
            f"{scope} failed validation: {where} should be a valid uuid, "
            f"instead was `{_show(raw)}`."
        )
    return parsed


def compact(object_id: str) -> str:
    """The id without dashes, as used in notion.so URLs."""
    return object_id.replace("-", "")


def _show(raw: object) -> str:
    text = raw if isinstance(raw, str) else repr(raw)
    return f'"{text}"' if isinstance(raw, str) else text
