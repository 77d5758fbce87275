"""Comparing the shape of two JSON answers: the same keys, the same value types.

Values differ between the recording workspace and the sandbox (ids, times, texts), so only
structure is compared, with two rules that keep it about the API and not about the data:

- A key may be null in one answer and set in the other only where the recordings themselves show
  that key null for that kind of object somewhere (``nullable_keys``): an empty select is null, an
  unset icon is null. Anything else is a type mismatch.
- List elements are paired by id where the replay knows which recorded object ours stands for;
  else by position when both lists hold the same kinds in the same order (the rich text of an
  answer to the same request); else with the first recorded element of the same kind
  (``object``, ``type`` and parent type). Unless paired by id, only the property names both
  share are compared, since two different pages of a search need not have the same columns.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

# Always data-dependent: whether another page of results exists.
NULLABLE_BY_DATA = frozenset({"next_cursor"})


def kind(value: Any) -> str:
    """The JSON type of a value (int and float are both numbers)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _context(parent: Mapping[str, Any]) -> tuple[Any, Any]:
    return parent.get("object"), parent.get("type")


def nullable_keys(answers: Iterable[Any]) -> set[tuple[Any, Any, str]]:
    """Every (object, type, key) the recordings show with a null value."""
    found: set[tuple[Any, Any, str]] = set()

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            ctx = _context(value)
            for key, child in value.items():
                if child is None:
                    found.add((*ctx, key))
                walk(child)
        elif isinstance(value, list):
            for child in value:
                walk(child)

    for answer in answers:
        walk(answer)
    return found


def _discriminator(value: Any) -> tuple[Any, ...]:
    if isinstance(value, dict):
        parent = value.get("parent")
        parent_type = parent.get("type") if isinstance(parent, dict) else None
        return value.get("object"), value.get("type"), parent_type
    return (kind(value),)


@dataclass
class ShapeComparer:
    """Compares a recorded answer with the sandbox's; ``recorded_id`` pairs our ids to theirs."""

    nullable: set[tuple[Any, Any, str]]
    recorded_id: Mapping[str, str] = field(default_factory=dict)

    def diff(self, recorded: Any, ours: Any, path: str = "$") -> list[str]:
        """Differences in structure, as readable lines (empty when the shapes agree)."""
        return self._diff(recorded, ours, path, loose_properties=False)

    def _diff(self, recorded: Any, ours: Any, path: str, *, loose_properties: bool) -> list[str]:
        rk, ok = kind(recorded), kind(ours)
        if rk != ok:
            return [f"{path}: recorded {rk}, sandbox {ok}"]
        if rk == "object":
            return self._diff_object(recorded, ours, path, loose_properties=loose_properties)
        if rk == "array":
            return self._diff_array(recorded, ours, path)
        return []

    def _diff_object(
        self, recorded: dict[str, Any], ours: dict[str, Any], path: str, *, loose_properties: bool
    ) -> list[str]:
        loose = loose_properties and path.endswith(".properties")
        keys_r, keys_o = set(recorded), set(ours)
        diffs = []
        if not loose:
            if keys_r - keys_o:
                diffs.append(f"{path}: missing keys {sorted(keys_r - keys_o)}")
            if keys_o - keys_r:
                diffs.append(f"{path}: extra keys {sorted(keys_o - keys_r)}")
        ctx = _context(recorded)
        for key in sorted(keys_r & keys_o):
            rv, ov = recorded[key], ours[key]
            if (rv is None) != (ov is None) and (
                key in NULLABLE_BY_DATA or (*ctx, key) in self.nullable
            ):
                continue
            diffs.extend(self._diff(rv, ov, f"{path}.{key}", loose_properties=loose_properties))
        return diffs

    def _diff_array(self, recorded: list[Any], ours: list[Any], path: str) -> list[str]:
        by_id: dict[str, list[Any]] = {}
        for r in recorded:
            if isinstance(r, dict) and "id" in r:
                by_id.setdefault(str(r["id"]).replace("-", ""), []).append(r)
        # The same kinds in the same order (rich text of an answer to the same request):
        # element i stands for element i.
        in_order = len(recorded) == len(ours) and all(
            _discriminator(r) == _discriminator(o) for r, o in zip(recorded, ours, strict=True)
        )
        diffs = []
        for i, item in enumerate(ours):
            where = f"{path}[{i}]"
            rid = (
                self.recorded_id.get(str(item["id"]))
                if isinstance(item, dict) and "id" in item
                else None
            )
            if rid is not None and rid in by_id:
                # Several recorded objects share an id only where the recorders' redaction
                # merged them (two bots both shown as the integration): ours must be one.
                diffs.extend(self._closest(by_id[rid], item, where, loose=False))
            elif in_order:
                diffs.extend(self._diff(recorded[i], item, where, loose_properties=True))
            else:
                twin = next(
                    (r for r in recorded if _discriminator(r) == _discriminator(item)), None
                )
                if twin is not None:
                    diffs.extend(self._diff(twin, item, where, loose_properties=True))
        return diffs

    def _closest(self, candidates: list[Any], item: Any, where: str, *, loose: bool) -> list[str]:
        best: list[str] | None = None
        for candidate in candidates:
            found = self._diff(candidate, item, where, loose_properties=loose)
            if best is None or len(found) < len(best):
                best = found
        return best or []
