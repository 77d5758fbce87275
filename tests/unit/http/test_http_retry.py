"""Retry policy: what is retried, how long it waits, and the tenacity-driven call loop."""

from __future__ import annotations

import httpx
import pytest

from syncbridge.http import errors
from syncbridge.http.retry import RetryPolicy


def status(code: int, retry_after: float | None = None) -> errors.HTTPError:
    headers = {} if retry_after is None else {"Retry-After": str(retry_after)}
    request = httpx.Request("GET", "https://api.test/v1/x")
    return errors.default_error_mapper(httpx.Response(code, headers=headers, request=request))


def policy(**kw) -> RetryPolicy:
    kw.setdefault("max_retries", 3)
    kw.setdefault("base_delay", 1.0)
    return RetryPolicy(rng=lambda: 1.0, sleep=_no_sleep, **kw)


async def _no_sleep(seconds: float) -> None:
    raise AssertionError("this test must not sleep")


@pytest.mark.parametrize("code", [429, 529])
@pytest.mark.parametrize("safe", [True, False])
def test_429_and_529_are_retried_for_every_method(code: int, safe: bool) -> None:
    assert policy().next_delay(status(code), 1, safe=safe) is not None


@pytest.mark.parametrize("code", [500, 502, 503, 504])
def test_5xx_is_retried_only_when_safe(code: int) -> None:
    p = policy()
    assert p.next_delay(status(code), 1, safe=True) is not None
    assert p.next_delay(status(code), 1, safe=False) is None


@pytest.mark.parametrize(
    "exc",
    [
        errors.RequestTimeout("read timed out"),
        errors.ProtocolError("connection reset"),
        errors.TransportError("proxy failed"),
    ],
)
def test_timeouts_and_resets_are_retried_only_when_safe(exc: errors.HTTPError) -> None:
    assert policy().next_delay(exc, 1, safe=True) is not None
    assert policy().next_delay(exc, 1, safe=False) is None


@pytest.mark.parametrize(
    "exc",
    [errors.ConnectError("refused"), errors.ConnectTimeout("slow"), errors.PoolTimeout("busy")],
)
def test_requests_that_never_left_are_retried_whatever_the_method(exc: errors.HTTPError) -> None:
    assert policy().next_delay(exc, 1, safe=False) is not None


@pytest.mark.parametrize(
    "exc",
    [
        status(400),
        status(401),
        status(404),
        status(409),
        errors.RequestError("bad url"),
        errors.ResponseFormatError("not json"),
        errors.CircuitOpenError("https://h", 3.0),
        ValueError("not ours"),
    ],
)
def test_terminal_errors_are_never_retried(exc: BaseException) -> None:
    assert policy().next_delay(exc, 1, safe=True) is None


def test_retry_after_is_honoured_exactly_even_above_the_backoff_cap() -> None:
    p = policy(max_delay=5.0)
    assert p.next_delay(status(429, retry_after=42.0), 1, safe=False) == 42.0
    assert p.next_delay(status(503, retry_after=0.5), 3, safe=True) == 0.5


def test_max_retry_after_gives_up_instead_of_waiting_less() -> None:
    p = policy(max_retry_after=30.0)
    assert p.next_delay(status(429, retry_after=31.0), 1, safe=True) is None
    assert p.next_delay(status(429, retry_after=30.0), 1, safe=True) == 30.0


def test_backoff_is_exponential_with_full_jitter_and_capped() -> None:
    draws = iter([1.0, 1.0, 1.0, 1.0, 0.5, 0.0])
    p = RetryPolicy(10, 0.5, 3.0, rng=lambda: next(draws))
    delays = [p.next_delay(status(500), n, safe=True) for n in range(1, 7)]
    assert delays == [0.5, 1.0, 2.0, 3.0, 1.5, 0.0]


def test_gives_up_after_max_retries() -> None:
    p = policy(max_retries=2)
    assert p.next_delay(status(500), 2, safe=True) is not None
    assert p.next_delay(status(500), 3, safe=True) is None
    assert policy(max_retries=0).next_delay(status(429), 1, safe=True) is None


async def test_call_retries_until_success_and_sleeps_what_it_decided(clock) -> None:
    outcomes: list[BaseException | str] = [status(429, retry_after=7), status(503), "ok"]
    seen: list[tuple[str, int, float]] = []

    async def fn() -> str:
        item = outcomes.pop(0)
        if isinstance(item, BaseException):
            raise item
        return item

    p = RetryPolicy(3, 1.0, rng=lambda: 0.25, sleep=clock.sleep)
    result = await p.call(
        fn, safe=True, on_retry=lambda e, n, d: seen.append((type(e).__name__, n, d))
    )
    assert result == "ok"
    assert clock.sleeps == [7.0, 0.5]  # Retry-After, then 0.25 * 1.0 * 2**1
    assert seen == [("RateLimitedError", 1, 7.0), ("ServerStatusError", 2, 0.5)]


async def test_call_reraises_the_last_error_when_it_gives_up(clock) -> None:
    calls = 0

    async def fn() -> None:
        nonlocal calls
        calls += 1
        raise status(502)

    p = RetryPolicy(2, 0.1, rng=lambda: 1.0, sleep=clock.sleep)
    with pytest.raises(errors.ServerStatusError, match="502"):
        await p.call(fn, safe=True)
    assert calls == 3
    assert clock.sleeps == pytest.approx([0.1, 0.2])


async def test_unsafe_call_is_not_retried_on_500(clock) -> None:
    calls = 0

    async def fn() -> None:
        nonlocal calls
        calls += 1
        raise status(500)

    with pytest.raises(errors.ServerStatusError):
        await RetryPolicy(5, 0.1, sleep=clock.sleep).call(fn, safe=False)
    assert calls == 1
    assert clock.sleeps == []


def test_bad_arguments_are_rejected() -> None:
    with pytest.raises(ValueError, match="max_retries"):
        RetryPolicy(-1, 1.0)
