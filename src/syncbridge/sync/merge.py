"""The three-way merge of one property (pure: no I/O), and of one row's properties.

Values are a property's mirror columns, ``{suffix: SQL value}``, the form the row base keeps.
Against the base (the last value both sides agreed on):

* changed only locally → keep the local value (the push sends it; the base stays);
* changed only remotely, or on neither side → take the remote value;
* changed on both sides to equal values → not a conflict: take it;
* changed on both sides to different values → a conflict, settled by the strategy:
  ``remote_wins``, ``local_wins``, ``newest_wins`` (the later of the local change time and
  Notion's ``last_edited_time``), or ``manual`` (the local value stays and nothing is sent until
  someone resolves it).

After a push is delivered, what Notion returns becomes the base (Notion rounds date-times and
reformats values), so our own writes never come back as changes or conflicts; a local value
edited again since that push stays, to be pushed next. Read-only properties always take the
remote value.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

Columns = dict[str, Any]
Strategy = Literal["remote_wins", "local_wins", "newest_wins", "manual"]
Outcome = Literal["remote", "local", "manual"]
STRATEGIES: tuple[str, ...] = ("remote_wins", "local_wins", "newest_wins", "manual")


def _norm(value: Any) -> Any:
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return float(value)
    return value


def same(a: Columns | None, b: Columns | None) -> bool:
    """Whether two column sets hold the same value (``3`` equals ``3.0``; missing is None)."""
    if a is None or b is None:
        return a is b
    keys = set(a) | set(b)
    return all(_norm(a.get(k)) == _norm(b.get(k)) for k in keys)


@dataclass(frozen=True)
class Decision:
    """What the mirror keeps, the new base, and whether (and how) a conflict was settled."""

    value: Columns
    base: Columns
    conflict: Outcome | None = None

    @property
    def keeps_local(self) -> bool:
        """True when the mirror keeps a value Notion does not have yet."""
        return not same(self.value, self.base)


def merge_property(
    base: Columns | None,
    local: Columns,
    remote: Columns,
    *,
    strategy: str = "remote_wins",
    writable: bool = True,
    local_newer: bool = False,
    pushed: Columns | None = None,
    delivered: bool = False,
) -> Decision:
    """Merge one property.

    Args:
        base: the last synced value (None: the page has no base yet).
        local: the mirror's value now.
        remote: Notion's value now.
        strategy: how a real conflict is settled.
        writable: False for computed types: Notion's value always wins.
        local_newer: for ``newest_wins``: the local change is later than Notion's edit.
        pushed: the value a pending push sent for this property, if any.
        delivered: that push has reached Notion.
    """
    if not writable:
        return Decision(remote, remote)
    if pushed is not None and delivered:
        # Notion's answer to our write is the new base; keep a value edited again since.
        return Decision(remote if same(local, pushed) else local, remote)
    if base is None or same(local, base):
        return Decision(remote, remote)
    if same(remote, base):
        return Decision(local, base)
    if same(local, remote):
        return Decision(remote, remote)
    if strategy == "manual":
        return Decision(local, remote, "manual")
    if strategy == "local_wins" or (strategy == "newest_wins" and local_newer):
        return Decision(local, remote, "local")
    return Decision(remote, remote, "remote")
