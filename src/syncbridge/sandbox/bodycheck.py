"""Small helpers for Notion-style request validation messages.

Notion names the failing path and shows the offending value:
``body failed validation: body.properties.Price.number should be a number or `null`, instead
was `"abc"`.``. Every helper here raises :class:`~syncbridge.sandbox.errors.ValidationError`.
"""

from __future__ import annotations

import json
import re
from typing import Any, NoReturn

from syncbridge.sandbox.errors import ValidationError

_SHOW_LIMIT = 200
_UUID = re.compile(
    r"^[0-9a-fA-F]{8}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{4}-?[0-9a-fA-F]{12}$"
)


class _Undefined:
    def __repr__(self) -> str:
        return "undefined"


UNDEFINED: Any = _Undefined()
"""Stands for a missing key in messages (``instead was `undefined```)."""


def show(value: Any) -> str:
    """Render ``value`` the way Notion quotes it in messages (JSON, ``undefined`` for missing)."""
    if value is UNDEFINED:
        return "undefined"
    try:
        text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= _SHOW_LIMIT else text[:_SHOW_LIMIT] + "…"


def scope(path: str) -> str:
    """The first segment of a path (``body``, ``query``, ``path``)."""
    return path.split(".", 1)[0].split("[", 1)[0]


def fail(path: str, problem: str, value: Any = ..., *, extra: str = "") -> NoReturn:
    """Raise ``<scope> failed validation: <path> <problem>, instead was `<value>`.``"""
    if value is UNDEFINED:
        problem = "should be defined"  # a missing key, whatever type was wanted
    instead = "" if value is ... else f", instead was `{show(value)}`"
    tail = f" {extra}" if extra else ""
    raise ValidationError(f"{scope(path)} failed validation: {path} {problem}{instead}.{tail}")


def require_dict(value: Any, path: str) -> dict[str, Any]:
    """``value`` if it is a JSON object, else a validation error."""
    if not isinstance(value, dict):
        fail(path, "should be an object", value)
    return value


def require_list(value: Any, path: str, *, limit: int | None = None) -> list[Any]:
    """``value`` if it is a JSON array (of at most ``limit`` items), else a validation error."""
    if not isinstance(value, list):
        fail(path, "should be an array", value)
    if limit is not None and len(value) > limit:
        fail(f"{path}.length", f"should be ≤ {limit}", len(value))
    return value


def require_str(
    value: Any,
    path: str,
    *,
    limit: int | None = None,
    nonempty: bool = False,
    nullable: bool = False,
) -> str:
    """``value`` if it is a string within limits, else a validation error."""
    if not isinstance(value, str):
        fail(path, "should be a string or `null`" if nullable else "should be a string", value)
    if nonempty and not value:
        fail(f"{path}.length", "should be ≥ 1", 0)
    if limit is not None and len(value) > limit:
        fail(f"{path}.length", f"should be ≤ {limit}", len(value))
    return value


def is_number(value: Any) -> bool:
    """A JSON number (booleans are not numbers)."""
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def require_number(value: Any, path: str, *, nullable: bool = False) -> float | int:
    """``value`` if it is a finite JSON number, else a validation error."""
    if not is_number(value) or value in (float("inf"), float("-inf")):
        fail(path, "should be a number or `null`" if nullable else "should be a number", value)
    return value  # type: ignore[no-any-return]


def require_bool(value: Any, path: str) -> bool:
    """``value`` if it is a JSON boolean, else a validation error."""
    if not isinstance(value, bool):
        fail(path, "should be a boolean", value)
    return value


def only_keys(value: dict[str, Any], allowed: set[str], path: str) -> None:
    """Reject keys Notion does not know in an object at ``path``."""
    for key in value:
        if key not in allowed:
            fail(f"{path}.{key}", "should be not present", value[key])


def require_uuid(value: Any, path: str) -> str:
    """``value`` as a dashed lower-case UUID (dashes optional on input), else a validation error."""
    if not isinstance(value, str) or not _UUID.match(value):
        fail(path, "should be a valid uuid", value)
    c = value.replace("-", "").lower()
    return f"{c[:8]}-{c[8:12]}-{c[12:16]}-{c[16:20]}-{c[20:]}"
