"""What a queued write holds: cheap checks at enqueue, the stored JSON form, content hashes.

Values are stored as given (plain Python values or Notion property JSON) and encoded through the
data source schema by the worker, where the schema is known. Enqueue only checks what is cheap:
ids, argument types, JSON-ability, the 100-children limit of one append.
"""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
import re
from collections.abc import Mapping
from typing import Any

from syncbridge.outbox.errors import OutboxInputError

KEY_PREFIX = "key:"
MAX_CHILDREN = 100  # Notion appends at most 100 blocks per request
_UUID = re.compile(r"^[0-9a-f]{32}$")

# Value keys of page property JSON (request or response shape); used to tell JSON from plain.
PROPERTY_TYPES = frozenset(
    {
        "title", "rich_text", "number", "select", "multi_select", "status", "date", "people",
        "files", "checkbox", "url", "email", "phone_number", "relation", "place", "verification",
    }
)  # fmt: skip


def page_key(page: str, *, where: str = "page_id") -> str:
    """The ordering key of a page: its id without dashes, or ``key:<idempotency key>``.

    ``key:K`` names the page a queued ``create_page(..., key=K)`` makes, so writes to a page
    that does not exist yet can be queued behind its create.

    Raises:
        OutboxInputError: neither a Notion id nor ``key:…``.
    """
    if not isinstance(page, str):
        raise OutboxInputError(
            f"{where}: expected a Notion page id (str), got {type(page).__name__}"
        )
    if page.startswith(KEY_PREFIX):
        idem_key(page[len(KEY_PREFIX) :], where=where)
        return page
    compact = page.replace("-", "").lower()
    if not _UUID.match(compact):
        raise OutboxInputError(f"{where}: {page!r} is not a Notion id (32 hex digits) or 'key:…'")
    return compact


def idem_key(key: str, *, where: str = "key") -> str:
    """Check an idempotency key: a non-empty string of at most 200 characters."""
    if not isinstance(key, str) or not key or len(key) > 200:
        raise OutboxInputError(f"{where}: the idempotency key must be a non-empty str ≤ 200 chars")
    return key


def _plain(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(type(value).__name__)


def dumps(value: Any, *, where: str) -> str:
    """Compact JSON; dates become ISO strings, sets and tuples lists.

    Raises:
        OutboxInputError: a value JSON cannot hold (names ``where``).
    """
    try:
        return json.dumps(value, separators=(",", ":"), default=_plain, ensure_ascii=False)
    except (TypeError, ValueError) as exc:
        raise OutboxInputError(f"{where}: cannot store a value of type {exc}") from None


def properties_arg(properties: Any, *, where: str = "properties") -> Mapping[str, Any]:
    """Check the ``properties`` argument: a non-empty mapping from property name or id."""
    if not isinstance(properties, Mapping) or not properties:
        raise OutboxInputError(f"{where}: expected a non-empty dict of property name -> value")
    for name in properties:
        if not isinstance(name, str) or not name:
            raise OutboxInputError(f"{where}: property names must be non-empty strings")
    return properties


def wrap(properties: Mapping[str, Any]) -> dict[str, list[Any]]:
    """``{name: [value]}``: the stored form, so a JSON merge-patch replaces a value whole."""
    return {name: [value] for name, value in properties.items()}


def unwrap(stored: Mapping[str, Any]) -> dict[str, Any]:
    """Inverse of :func:`wrap`."""
    return {name: box[0] for name, box in stored.items()}


def blocks_arg(blocks: Any, *, where: str = "blocks") -> list[dict[str, Any]]:
    """Check block children: a non-empty list of block objects (dicts with a ``type`` key)."""
    if not isinstance(blocks, (list, tuple)) or not blocks:
        raise OutboxInputError(f"{where}: expected a non-empty list of block objects")
    for i, block in enumerate(blocks):
        if not isinstance(block, Mapping):
            raise OutboxInputError(f"{where}[{i}]: expected a block object (dict)")
    return list(blocks)


def is_property_json(value: Any) -> bool:
    """True when ``value`` already is Notion property JSON (so no schema is needed to send it)."""
    return isinstance(value, Mapping) and not PROPERTY_TYPES.isdisjoint(value)


# -- content fingerprints (finding a create whose answer was lost) ---------------------------


def _text(items: Any) -> str | None:
    if not isinstance(items, list):
        return None
    parts = []
    for item in items:
        if not isinstance(item, Mapping):
            return None
        text = item.get("plain_text")
        if text is None:
            text = (item.get("text") or {}).get("content")
        if text is None:
            return None
        parts.append(text)
    return "".join(parts)


def _ids(items: Any) -> list[str] | None:
    if not isinstance(items, list):
        return None
    ids = [str(i.get("id", "")).replace("-", "") for i in items if isinstance(i, Mapping)]
    return sorted(ids)


def _comparable(value: Mapping[str, Any]) -> Any:
    """A request- or response-shape property value reduced to what both shapes agree on."""
    for kind in ("title", "rich_text"):
        if kind in value:
            return _text(value[kind])
    for kind in ("number", "checkbox", "url", "email", "phone_number"):
        if kind in value:
            return value[kind]
    for kind in ("select", "status"):
        if kind in value:
            option = value[kind]
            return option.get("name") if isinstance(option, Mapping) else option
    if "multi_select" in value and isinstance(value["multi_select"], list):
        return sorted(str(o.get("name")) for o in value["multi_select"] if isinstance(o, Mapping))
    if "date" in value:
        date = value["date"]
        return str(date.get("start", ""))[:10] if isinstance(date, Mapping) else None
    for kind in ("relation", "people"):
        if kind in value:
            return _ids(value[kind])
    return None


def fingerprint(sent: Mapping[str, Any], page_properties: Mapping[str, Any] | None = None) -> str:
    """Hash of the comparable values of ``sent`` (request-shape properties).

    With ``page_properties`` (a page as Notion returns it), hash the same properties as they
    are on that page instead (matched by name or property id); equal hashes = same content.
    Returns "" when nothing comparable was sent (then a hash decides nothing).
    """
    by_id = {}
    if page_properties is not None:
        by_id = {str(v.get("id")): v for v in page_properties.values() if isinstance(v, Mapping)}
    picked: dict[str, Any] = {}
    for name, value in sorted(sent.items()):
        if not isinstance(value, Mapping):
            continue
        mine = _comparable(value)
        if mine is None:
            continue
        if page_properties is None:
            picked[name] = mine
            continue
        theirs = page_properties.get(name) or by_id.get(name)
        picked[name] = _comparable(theirs) if isinstance(theirs, Mapping) else None
    if not picked:
        return ""
    return hashlib.sha256(json.dumps(picked, sort_keys=True, default=str).encode()).hexdigest()
