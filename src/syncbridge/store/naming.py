"""SQL identifiers for mirror tables and columns, made from user data (database and property names).

Rules (documented in docs/store.md):

* A name becomes an ASCII slug: accents dropped (``Über`` → ``uber``, ``ß`` → ``ss``), lower
  case, every run of other characters one ``_``, no leading/trailing ``_``; a leading digit gets
  ``p_``. A name with nothing left (Korean, emoji only) falls back to ``p_`` plus a hash of the
  stable property id.
* Identifiers are at most 63 characters on every dialect (PostgreSQL's limit; MySQL allows 64), so
  a store moved between dialects keeps its names. A longer name is cut and ends in ``_`` plus
  8 hex characters of a hash of the whole name, so two long names sharing a prefix stay apart.
* Names are unique per table ignoring case (MySQL compares column names case-insensitively).
  ``page_id`` and the ``_sb_`` prefix are ours; a clash gets ``_2``, ``_3`` … on the base name.
* SQL keywords (``select``, ``order``) are fine as they are: every identifier is quoted.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Collection, Iterable

MAX_IDENTIFIER = 63
TABLE_PREFIX = "nt_"
RESERVED_PREFIX = "_sb_"
PAGE_ID = "page_id"
_HASH_LEN = 8


def slug(text: str) -> str:
    """ASCII, lower-case, underscore-separated form of ``text``; may be empty."""
    folded = unicodedata.normalize("NFKD", text.casefold())  # casefold: "ß" -> "ss"
    ascii_text = folded.encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", ascii_text).strip("_")


def short_hash(text: str) -> str:
    """Eight hex characters identifying ``text`` (stable across runs and machines)."""
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:_HASH_LEN]


def fit(name: str, limit: int = MAX_IDENTIFIER) -> str:
    """``name`` if short enough, else cut to ``limit`` with a hash of the whole name at the end."""
    if len(name) <= limit:
        return name
    head = name[: limit - _HASH_LEN - 1].rstrip("_")
    return f"{head}_{short_hash(name)}"


def column_base(property_name: str, property_id: str) -> str:
    """The column name a property would get with nothing in the way (before collisions)."""
    base = slug(property_name)
    if not base:
        return "p_" + short_hash(property_id)
    if base[0].isdigit():
        base = "p_" + base
    return base


def is_reserved(name: str) -> bool:
    """True for names syncbridge keeps for its bookkeeping columns."""
    lowered = name.lower()
    return lowered == PAGE_ID or lowered.startswith(RESERVED_PREFIX)


def allocate_columns(base: str, suffixes: Iterable[str], taken: Collection[str]) -> dict[str, str]:
    """Choose column names ``base + suffix`` for one property that clash with nothing in ``taken``.

    Args:
        base: The wanted base name (from :func:`column_base` or an earlier allocation).
        suffixes: The codec's column suffixes of the property (``""``, ``"_end"`` …).
        taken: Column names already used in the table, compared ignoring case.

    Returns:
        Suffix -> column name, every name at most :data:`MAX_IDENTIFIER` characters.
    """
    wanted = list(suffixes)
    longest = max((len(s) for s in wanted), default=0)
    used = {name.lower() for name in taken}
    for attempt in range(1, 10_000):
        candidate = base if attempt == 1 else f"{base}_{attempt}"
        head = fit(candidate, MAX_IDENTIFIER - longest)
        names = {suffix: head + suffix for suffix in wanted}
        lowered = [n.lower() for n in names.values()]
        if len(set(lowered)) == len(lowered) and not any(
            n in used or is_reserved(n) for n in lowered
        ):
            return names
    raise RuntimeError(f"no free column name for {base!r}")  # pragma: no cover - 10,000 clashes


def table_name(name: str, fallback_id: str, taken: Collection[str]) -> str:
    """A free mirror table name ``nt_<slug of name>`` (``nt_<hash of fallback_id>`` if empty)."""
    base = slug(name) or short_hash(fallback_id)
    used = {t.lower() for t in taken}
    for attempt in range(1, 10_000):
        candidate = base if attempt == 1 else f"{base}_{attempt}"
        full = fit(TABLE_PREFIX + candidate)
        if full.lower() not in used:
            return full
    raise RuntimeError(f"no free table name for {name!r}")  # pragma: no cover


def index_name(table: str, column: str) -> str:
    """Name of the index on ``table.column``, within the identifier limit."""
    return fit(f"ix_{table}_{column}")
