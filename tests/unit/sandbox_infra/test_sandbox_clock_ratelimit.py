"""The sandbox clock and the per-token token bucket, on injected time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from syncbridge.sandbox.clock import Clock, iso, parse_time
from syncbridge.sandbox.ratelimit import RateLimiter, retry_after_header
from syncbridge.sandbox.requestlog import RequestLog, token_id

T0 = datetime(2025, 1, 2, 3, 4, 5, 678_000, tzinfo=UTC)


class FakeTime:
    """A hand-moved time source."""

    def __init__(self, at: datetime = T0) -> None:
        self.at = at
        self.seconds = 0.0

    def __call__(self) -> datetime:
        return self.at

    def mono(self) -> float:
        return self.seconds


def test_iso_formats_like_notion() -> None:
    assert iso(T0) == "2025-01-02T03:04:05.678Z"
    assert iso(T0, minute=True) == "2025-01-02T03:04:00.000Z"
    assert iso(datetime(2025, 1, 2, 3, 4, 5)) == "2025-01-02T03:04:05.000Z"
    assert parse_time("2025-01-02T03:04:05.678Z") == T0
    with pytest.raises(ValueError, match="not an ISO-8601 time"):
        parse_time("yesterday")


@given(st.datetimes(timezones=st.sampled_from([UTC, timezone(timedelta(hours=-7)), None])))
def test_iso_matches_strftime_for_any_time(dt: datetime) -> None:
    ref = (dt if dt.tzinfo else dt.replace(tzinfo=UTC)).astimezone(UTC)
    ms = f"{ref.microsecond // 1000:03d}Z"
    assert iso(dt) == f"{ref.year:04d}" + ref.strftime("-%m-%dT%H:%M:%S.") + ms
    assert iso(dt, minute=True) == f"{ref.year:04d}" + ref.strftime("-%m-%dT%H:%M:00.000Z")
    assert parse_time(iso(dt)) == ref.replace(microsecond=ref.microsecond // 1000 * 1000)


def test_running_clock_follows_source_plus_offset() -> None:
    source = FakeTime()
    clock = Clock(source)
    assert clock.now() == T0
    clock.advance(90)
    source.at = T0 + timedelta(seconds=10)
    assert clock.now() == T0 + timedelta(seconds=100)
    assert clock.state()["frozen"] is False
    assert clock.state()["offset_seconds"] == 90


def test_freeze_advance_unfreeze() -> None:
    source = FakeTime()
    clock = Clock(source)
    at = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)
    assert clock.freeze(at) == at
    source.at = T0 + timedelta(hours=1)
    assert clock.now() == at
    assert clock.advance(59.5) == at + timedelta(seconds=59.5)
    assert iso(clock.now(), minute=True) == "2030-06-01T12:00:00.000Z"
    clock.unfreeze()
    source.at += timedelta(seconds=2)
    assert clock.now() == at + timedelta(seconds=61.5)
    clock.reset()
    assert clock.now() == source.at


def test_freeze_without_time_keeps_now_and_advance_rejects_negative() -> None:
    clock = Clock(FakeTime())
    assert clock.freeze() == T0
    assert clock.freeze() == T0
    with pytest.raises(ValueError, match="seconds must be >= 0"):
        clock.advance(-1)


def test_bucket_allows_burst_then_waits_and_refills() -> None:
    t = FakeTime()
    limiter = RateLimiter(3, monotonic=t.mono)
    assert limiter.burst == 9
    assert [limiter.acquire("a") for _ in range(9)] == [0.0] * 9
    wait = limiter.acquire("a")
    assert wait == pytest.approx(1 / 3)
    assert retry_after_header(wait) == "1"
    assert limiter.acquire("b") == 0.0  # buckets are per token
    t.seconds += 1.0  # three tokens come back
    assert [limiter.acquire("a") for _ in range(3)] == [0.0] * 3
    assert limiter.acquire("a") > 0


def test_bucket_long_wait_and_off() -> None:
    t = FakeTime()
    slow = RateLimiter(0.25, burst=1, monotonic=t.mono)
    assert slow.acquire("a") == 0.0
    assert retry_after_header(slow.acquire("a")) == "4"
    off = RateLimiter(0)
    assert not off.enabled
    assert all(off.acquire("a") == 0.0 for _ in range(1000))
    with pytest.raises(ValueError, match="rate limit must be >= 0"):
        RateLimiter(-1)


def test_request_log_filters_and_masks() -> None:
    log = RequestLog(capacity=3)
    for i in range(5):
        log.add(
            time=f"2025-01-02T03:04:0{i}.000Z",
            request_id=str(i),
            method="GET",
            path="/v1/users",
            status=200,
            token=token_id("secret-token"),
            duration_ms=1.0,
        )
    assert [e.seq for e in log.entries()] == [3, 4, 5]
    assert [e.seq for e in log.entries(since=3)] == [4, 5]
    assert [e.seq for e in log.entries(since=parse_time("2025-01-02T03:04:04Z"))] == [5]
    assert [e.seq for e in log.entries(limit=1)] == [5]
    assert [e.seq for e in log.entries(since=0, limit=1)] == [3]
    assert "secret" not in str(log.entries()[0].to_json())
    assert token_id("secret-token") == token_id("secret-token") != token_id("other")
