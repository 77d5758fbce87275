"""The fault SPEC parser and the seeded fault dice."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncbridge.sandbox.faults import (
    KINDS,
    FaultInjector,
    FaultSpec,
    FaultSpecError,
    parse_spec,
    spec_from_json,
    status_of,
)


def test_parses_the_architecture_example() -> None:
    spec = parse_spec(
        "429=0.2,500=0.05,timeout=0.02,reset=0.01,malformed=0.01,latency=20-200ms,seed=7"
    )
    assert spec.rates == {
        "429": 0.2,
        "500": 0.05,
        "timeout": 0.02,
        "reset": 0.01,
        "malformed": 0.01,
    }
    assert spec.latency_ms == (20.0, 200.0)
    assert spec.seed == 7


def test_json_form_equals_text_form() -> None:
    text = parse_spec("429=0.2,latency=20-200ms,seed=7")
    assert spec_from_json({"429": 0.2, "latency": "20-200ms", "seed": 7}) == text
    assert spec_from_json("429=0.2,latency=20-200ms,seed=7") == text
    assert spec_from_json({"spec": "429=0.2,latency=20-200ms,seed=7"}) == text


@pytest.mark.parametrize("empty", ["", " ", ",", None, {}])
def test_empty_spec_turns_faults_off(empty: object) -> None:
    spec = parse_spec(empty) if isinstance(empty, str) else spec_from_json(empty)
    assert spec.empty
    assert FaultInjector(spec).plan("GET").kind is None


@pytest.mark.parametrize(
    ("text", "names"),
    [
        ("418=0.1", "unknown kind '418'"),
        ("429=1.5", "429 rate must be in 0..1"),
        ("429=-0.1", "429 rate must be in 0..1"),
        ("429=abc", "429 rate must be a number"),
        ("500", "'500' is not KEY=VALUE"),
        ("latency=fast", "latency must look like"),
        ("latency=200-20ms", "MAX below MIN"),
        ("seed=x", "seed must be an integer"),
        ("429=0.6,500=0.6", "add up to 1.2"),
        ("429=0.1,429=0.2", "'429' given twice"),
        ("methods=FETCH", "methods entry 'FETCH'"),
        ("next=boom", "next entry 'boom'"),
        ("hold=forever", "hold must look like 5s"),
        ("hold=0s", "hold must be in"),
    ],
)
def test_bad_specs_name_the_problem(text: str, names: str) -> None:
    with pytest.raises(FaultSpecError, match=names.replace("(", r"\(").replace(".", r"\.")):
        parse_spec(text)


def test_json_rejects_booleans_and_wrong_types() -> None:
    with pytest.raises(FaultSpecError, match="429 rate"):
        spec_from_json({"429": True})
    with pytest.raises(FaultSpecError, match="expected a JSON object"):
        spec_from_json([1, 2])


rates = st.dictionaries(
    st.sampled_from(KINDS), st.sampled_from([0, 0.01, 0.05, 0.1, 0.25]), max_size=4
)


@given(
    rates=rates,
    latency=st.one_of(st.none(), st.tuples(st.integers(1, 50), st.integers(50, 500))),
    seed=st.one_of(st.none(), st.integers(0, 10**6)),
    script=st.lists(st.sampled_from(KINDS), max_size=3),
    paths=st.lists(st.sampled_from(["/v1/pages", "/v1/blocks", "/v1"]), max_size=2),
    hold=st.one_of(st.none(), st.sampled_from([0.5, 2.0, 30.0])),
)
def test_text_form_round_trips(
    rates: dict[str, float],
    latency: tuple[int, int] | None,
    seed: int | None,
    script: list[str],
    paths: list[str],
    hold: float | None,
) -> None:
    spec = FaultSpec(
        rates=rates,
        latency_ms=None if latency is None else (float(latency[0]), float(latency[1])),
        seed=seed,
        script=tuple(script),
        paths=tuple(paths),
        hold_s=hold,
    )
    assert parse_spec(spec.to_text()) == spec
    assert spec_from_json(spec.to_json()) == spec


def _kinds(spec: str, n: int = 500) -> list[str | None]:
    injector = FaultInjector(spec)
    return [injector.plan("POST").kind for _ in range(n)]


def test_same_seed_same_faults_and_different_seed_differs() -> None:
    first = _kinds("429=0.2,500=0.1,timeout=0.05,seed=7")
    assert first == _kinds("429=0.2,500=0.1,timeout=0.05,seed=7")
    assert first != _kinds("429=0.2,500=0.1,timeout=0.05,seed=8")


def test_rates_are_roughly_honoured() -> None:
    kinds = _kinds("429=0.2,500=0.1,seed=3", n=5000)
    assert 800 < kinds.count("429") < 1200
    assert 350 < kinds.count("500") < 650
    assert kinds.count(None) > 3000


def test_setting_a_spec_reseeds_so_a_run_repeats() -> None:
    injector = FaultInjector("429=0.3,seed=1")
    once = [injector.plan("GET").kind for _ in range(50)]
    injector.set("429=0.3,seed=1")
    assert [injector.plan("GET").kind for _ in range(50)] == once


def test_script_comes_first_then_rates() -> None:
    injector = FaultInjector("next=timeout_after+503,429=1")
    assert [injector.plan("POST").kind for _ in range(3)] == ["timeout_after", "503", "429"]
    assert injector.pending_script() == []


def test_methods_limit_which_requests_get_faults() -> None:
    injector = FaultInjector("500=1,methods=POST+PATCH")
    assert injector.plan("GET").kind is None
    assert injector.plan("post").kind == "500"
    assert injector.plan("PATCH").kind == "500"


def test_hold_comes_from_the_spec_or_the_default() -> None:
    injector = FaultInjector("timeout=1,hold=2.5s", hold_seconds=9)
    assert injector.hold_seconds == 2.5
    assert injector.spec.to_json()["hold"] == "2.5s"
    injector.set("")
    assert injector.hold_seconds == 9


def test_paths_limit_which_requests_get_faults() -> None:
    injector = FaultInjector("500=1,paths=/v1/pages+/v1/blocks")
    assert injector.plan("POST", "/v1/data_sources/x/query").kind is None
    assert injector.plan("POST", "/v1/pages").kind == "500"
    assert injector.plan("PATCH", "/v1/blocks/x/children").kind == "500"
    assert spec_from_json({"500": 1, "paths": ["/v1/pages"]}).paths == ("/v1/pages",)
    with pytest.raises(FaultSpecError, match="paths entry 'v1' must start with /"):
        parse_spec("paths=v1")


def test_latency_is_within_range_and_seeded() -> None:
    a = FaultInjector("latency=20-40ms,seed=5")
    b = FaultInjector("latency=20-40ms,seed=5")
    delays = [a.plan("GET").delay for _ in range(100)]
    assert delays == [b.plan("GET").delay for _ in range(100)]
    assert all(0.02 <= d <= 0.04 for d in delays)
    assert len(set(delays)) > 50


def test_before_and_after_kinds() -> None:
    injector = FaultInjector("next=500+500_after+malformed+reset+reset_after")
    plans = [injector.plan("POST") for _ in range(5)]
    assert [p.after for p in plans] == [False, True, True, False, True]
    assert [status_of(k) for k in ("500", "503_after", "timeout", "malformed")] == [
        500,
        503,
        None,
        None,
    ]


@given(st.text(max_size=60))
def test_any_text_parses_or_fails_with_a_clear_error(text: str) -> None:
    try:
        spec = parse_spec(text)
    except FaultSpecError as exc:
        message = str(exc)
    else:
        assert parse_spec(spec.to_text()) == spec
        return
    assert message.startswith("fault spec: ")
