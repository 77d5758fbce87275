"""Circuit breaker state machine on an injected clock."""

from __future__ import annotations

import httpx
import pytest

from syncbridge.http import errors
from syncbridge.http.breaker import BreakerState, CircuitBreaker
from syncbridge.http.config import BreakerConfig

HOST = "https://api.example.test"


class Clock:
    def __init__(self) -> None:
        self.now = 500.0

    def __call__(self) -> float:
        return self.now


def status(code: int) -> errors.HTTPError:
    request = httpx.Request("GET", HOST + "/x")
    return errors.default_error_mapper(httpx.Response(code, request=request))


def breaker(clock: Clock, **kw) -> CircuitBreaker:
    cfg = BreakerConfig(**{"failure_threshold": 3, "cooldown": 10.0, "min_calls": 10, **kw})
    return CircuitBreaker(HOST, cfg, clock=clock)


def fail(b: CircuitBreaker, exc: BaseException | None = None) -> None:
    b.before_call()
    b.record_failure(exc or errors.ProtocolError("reset"))


def test_opens_after_consecutive_failures_and_fails_fast() -> None:
    clock = Clock()
    b = breaker(clock)
    fail(b)
    fail(b)
    assert b.state is BreakerState.CLOSED
    fail(b, errors.RequestTimeout("slow"))
    assert b.state is BreakerState.OPEN
    clock.now += 4
    with pytest.raises(errors.CircuitOpenError) as caught:
        b.before_call()
    assert caught.value.host == HOST
    assert caught.value.half_open_in == pytest.approx(6.0)
    assert HOST in str(caught.value)
    assert "half-opens in 6.0 s" in str(caught.value)
    assert not caught.value.transient


def test_a_success_resets_the_consecutive_count() -> None:
    b = breaker(Clock())
    fail(b)
    fail(b)
    b.before_call()
    b.record_success()
    fail(b)
    fail(b)
    assert b.state is BreakerState.CLOSED
    assert b.snapshot().consecutive_failures == 2


@pytest.mark.parametrize("code", [400, 401, 404, 409, 429])
def test_4xx_answers_do_not_count(code: int) -> None:
    b = breaker(Clock())
    for _ in range(10):
        fail(b, status(code))
    assert b.state is BreakerState.CLOSED
    assert b.snapshot().window_failures == 0


@pytest.mark.parametrize("code", [500, 502, 503, 504, 529])
def test_5xx_answers_count(code: int) -> None:
    b = breaker(Clock())
    for _ in range(3):
        fail(b, status(code))
    assert b.state is BreakerState.OPEN


def test_failure_ratio_over_the_window_opens_it() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=100, failure_ratio=0.5, min_calls=10, window=60)
    for i in range(10):
        b.before_call()
        if i % 2:
            b.record_failure(errors.ProtocolError("reset"))
        else:
            b.record_success()
        clock.now += 1
        if i < 9:
            assert b.state is BreakerState.CLOSED, i
    assert b.state is BreakerState.OPEN
    assert b.snapshot().times_opened == 1


def test_old_calls_leave_the_window() -> None:
    clock = Clock()
    b = breaker(clock, failure_threshold=100, failure_ratio=0.5, min_calls=4, window=10)
    for _ in range(3):
        fail(b)
        b.record_success()
    clock.now += 11  # all of the above are now outside the window
    b.before_call()
    b.record_success()
    fail(b)
    snap = b.snapshot()
    assert (snap.window_calls, snap.window_failures) == (2, 1)
    assert b.state is BreakerState.CLOSED


def test_half_open_lets_one_probe_through_and_closes_on_success() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        fail(b)
    clock.now += 10
    assert b.state is BreakerState.HALF_OPEN
    b.before_call()  # the probe
    with pytest.raises(errors.CircuitOpenError):
        b.before_call()  # a second caller while the probe is out
    b.record_success()
    assert b.state is BreakerState.CLOSED
    b.before_call()


def test_failed_probe_reopens_for_a_full_cooldown() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        fail(b)
    clock.now += 10
    fail(b)
    assert b.state is BreakerState.OPEN
    assert b.snapshot().half_open_in == pytest.approx(10.0)
    assert b.snapshot().times_opened == 2


def test_released_probe_lets_the_next_caller_probe() -> None:
    clock = Clock()
    b = breaker(clock)
    for _ in range(3):
        fail(b)
    clock.now += 10
    b.before_call()
    b.release()  # e.g. the caller was cancelled
    b.before_call()


def test_disabled_breaker_never_blocks() -> None:
    b = CircuitBreaker(HOST, BreakerConfig(enabled=False, failure_threshold=1), clock=Clock())
    for _ in range(5):
        fail(b)
    b.before_call()


def test_bad_config_is_rejected() -> None:
    with pytest.raises(ValueError, match="failure_ratio"):
        BreakerConfig(failure_ratio=0)
