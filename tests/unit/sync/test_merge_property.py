"""The three-way merge of one property: hypothesis over bases, local and remote values."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from syncbridge.sync.merge import STRATEGIES, Decision, merge_property, same

# Small value spaces, so that equal values (the interesting cases) are drawn often.
scalars = st.one_of(st.none(), st.sampled_from(["a", "b", "c"]), st.integers(0, 2), st.booleans())
columns = st.fixed_dictionaries({"": scalars, "_end": st.sampled_from([None, "x"])})
strategies = st.sampled_from(STRATEGIES)


@given(base=columns, local=columns, remote=columns, strategy=strategies, newer=st.booleans())
def test_one_sided_and_equal_changes_never_conflict(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any], strategy: str, newer: bool
) -> None:
    d = merge_property(base, local, remote, strategy=strategy, local_newer=newer)
    if same(local, base):  # only Notion changed (or nothing): take Notion's value
        assert same(d.value, remote)
        assert same(d.base, remote)
        assert d.conflict is None
    elif same(remote, base):  # only the mirror changed: keep it, the push sends it
        assert same(d.value, local)
        assert same(d.base, base)
        assert d.conflict is None
    elif same(local, remote):  # both made the same change
        assert same(d.value, remote)
        assert same(d.base, remote)
        assert d.conflict is None
    else:
        assert d.conflict is not None


@given(base=columns, local=columns, remote=columns, strategy=strategies, newer=st.booleans())
def test_conflicts_follow_the_strategy(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any], strategy: str, newer: bool
) -> None:
    d = merge_property(base, local, remote, strategy=strategy, local_newer=newer)
    if d.conflict is None:
        return
    assert not same(local, base)
    assert not same(remote, base)
    assert not same(local, remote)
    assert same(d.base, remote)  # Notion's value is the new base whatever wins
    local_wins = strategy in ("local_wins", "manual") or (strategy == "newest_wins" and newer)
    assert same(d.value, local if local_wins else remote)
    assert d.conflict == ("manual" if strategy == "manual" else "local" if local_wins else "remote")
    assert d.keeps_local == local_wins


@given(base=columns, local=columns, remote=columns, strategy=strategies, newer=st.booleans())
def test_merging_the_outcome_again_changes_nothing(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any], strategy: str, newer: bool
) -> None:
    """A second pull that sees the same Notion value keeps the outcome and finds no conflict."""
    d = merge_property(base, local, remote, strategy=strategy, local_newer=newer)
    again = merge_property(d.base, d.value, remote, strategy=strategy, local_newer=newer)
    assert same(again.value, d.value)
    assert same(again.base, d.base)
    assert again.conflict is None


@given(base=columns, sent=columns, answer=columns, edited=st.one_of(st.none(), columns))
def test_a_delivered_push_takes_notions_answer_as_base(
    base: dict[str, Any], sent: dict[str, Any], answer: dict[str, Any], edited: Any
) -> None:
    """Notion may reformat what we sent: no change and no conflict, whatever the strategy."""
    local = sent if edited is None else edited
    for strategy in STRATEGIES:
        d = merge_property(base, local, answer, strategy=strategy, pushed=sent, delivered=True)
        assert d.conflict is None
        assert same(d.base, answer)
        assert same(d.value, answer if same(local, sent) else local)


@given(base=columns, sent=columns, remote=columns)
def test_an_undelivered_push_is_still_a_local_change(
    base: dict[str, Any], sent: dict[str, Any], remote: dict[str, Any]
) -> None:
    pending = merge_property(base, sent, remote, pushed=sent, delivered=False)
    plain = merge_property(base, sent, remote)
    assert pending == plain


@given(base=columns, local=columns, remote=columns)
def test_read_only_properties_always_take_notions_value(
    base: dict[str, Any], local: dict[str, Any], remote: dict[str, Any]
) -> None:
    d = merge_property(base, local, remote, strategy="local_wins", writable=False)
    assert d == Decision(remote, remote)


def test_numbers_compare_by_value_across_drivers() -> None:
    assert same({"": 3}, {"": 3.0})
    assert not same({"": 3}, {"": 3.5})
    assert not same({"": None}, {"": 0})
    assert same(None, None)
    assert not same({"": None}, None)
