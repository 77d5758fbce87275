"""Token bucket: rate, burst, priority lanes, pause — all on a virtual clock."""

from __future__ import annotations

import asyncio

import pytest
from _http_fakes import FakeClock
from hypothesis import given, settings
from hypothesis import strategies as st

from syncbridge.http.ratelimit import Lane, TokenBucket


def bucket(clock, rate: float = 3.0, burst: int = 3) -> TokenBucket:
    return TokenBucket(rate, burst, clock=clock, sleep=clock.sleep)


async def test_burst_passes_at_once_then_tokens_come_at_the_rate(clock) -> None:
    b = bucket(clock, rate=4.0, burst=2)
    start = clock()
    times = []
    for _ in range(6):
        await b.acquire()
        times.append(round(clock() - start, 6))
    assert times == [0.0, 0.0, 0.25, 0.5, 0.75, 1.0]


async def test_steady_rate_over_many_requests(clock) -> None:
    b = bucket(clock, rate=3.0, burst=3)
    start = clock()
    await asyncio.gather(*(b.acquire() for _ in range(33)))
    # 3 from the burst, then 30 more at 3/s.
    assert clock() - start == pytest.approx(10.0)
    assert b.granted == 33


async def test_higher_lane_waiting_gets_the_next_token_first(clock) -> None:
    b = bucket(clock, rate=1.0, burst=1)
    await b.acquire()  # empty the bucket
    order: list[str] = []

    async def take(name: str, lane: Lane) -> None:
        await b.acquire(lane)
        order.append(name)

    pulls = [asyncio.create_task(take(f"pull{i}", Lane.PULL)) for i in range(3)]
    await asyncio.sleep(0)
    push = asyncio.create_task(take("push", Lane.PUSH))
    interactive = asyncio.create_task(take("interactive", Lane.INTERACTIVE))
    await asyncio.gather(*pulls, push, interactive)
    assert order == ["interactive", "push", "pull0", "pull1", "pull2"]


async def test_same_lane_is_first_come_first_served(clock) -> None:
    b = bucket(clock, rate=2.0, burst=1)
    order: list[int] = []

    async def take(i: int) -> None:
        await b.acquire(Lane.PUSH)
        order.append(i)

    tasks = []
    for i in range(6):
        tasks.append(asyncio.create_task(take(i)))
        await asyncio.sleep(0)
    await asyncio.gather(*tasks)
    assert order == list(range(6))


async def test_pause_stops_every_caller_until_it_ends(clock) -> None:
    b = bucket(clock, rate=10.0, burst=5)
    start = clock()
    b.pause(7.0)
    assert b.paused_for() == pytest.approx(7.0)
    done: list[float] = []

    async def take(lane: Lane) -> None:
        await b.acquire(lane)
        done.append(clock() - start)

    await asyncio.gather(*(take(Lane.INTERACTIVE) for _ in range(3)))
    # Nobody before the pause ends; afterwards one probe, then the normal rate (no burst).
    assert done[0] == pytest.approx(7.0)
    assert done[1] == pytest.approx(7.1)
    assert done[2] == pytest.approx(7.2)


async def test_pause_is_extended_never_shortened(clock) -> None:
    b = bucket(clock)
    b.pause(5.0)
    b.pause(2.0)
    assert b.paused_for() == pytest.approx(5.0)
    b.pause(9.0)
    start = clock()
    await b.acquire()
    assert clock() - start == pytest.approx(9.0)


async def test_pause_while_a_caller_is_waiting_holds_it(clock) -> None:
    b = bucket(clock, rate=1.0, burst=1)
    await b.acquire()
    start = clock()
    waiter = asyncio.create_task(b.acquire())
    await asyncio.sleep(0)
    b.pause(4.0)
    await waiter
    assert clock() - start == pytest.approx(4.0)


async def test_cancelled_waiter_does_not_block_the_queue(clock) -> None:
    b = bucket(clock, rate=1.0, burst=1)
    await b.acquire()
    first = asyncio.create_task(b.acquire(Lane.INTERACTIVE))
    second = asyncio.create_task(b.acquire(Lane.PULL))
    await asyncio.sleep(0)
    first.cancel()
    await asyncio.gather(first, return_exceptions=True)
    await second
    assert b.waiting == 0
    assert b.granted == 2


async def test_bucket_refills_only_up_to_burst(clock) -> None:
    b = bucket(clock, rate=5.0, burst=2)
    clock.advance(100)
    assert b.tokens == pytest.approx(2.0)


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (-1, 1), (1, 0)])
def test_bad_settings_are_rejected(rate: float, burst: int) -> None:
    with pytest.raises(ValueError, match="TokenBucket"):
        TokenBucket(rate, burst)


arrivals = st.lists(
    st.tuples(st.floats(0, 3, allow_nan=False), st.sampled_from(list(Lane))),
    min_size=1,
    max_size=25,
)


@settings(max_examples=60, deadline=None)
@given(rate=st.sampled_from([1.0, 2.0, 3.0, 10.0]), burst=st.integers(1, 4), plan=arrivals)
def test_bucket_properties_under_random_arrivals(
    rate: float, burst: int, plan: list[tuple[float, Lane]]
) -> None:
    """Rate bound, lane priority and per-lane FIFO hold for any arrival pattern."""

    async def run() -> list[tuple[float, float, int, int]]:
        clock = FakeClock(start=0.0)
        driver = asyncio.create_task(clock.drive())
        b = TokenBucket(rate, burst, clock=clock, sleep=clock.sleep)
        grants: list[tuple[float, float, int, int]] = []

        async def arrive(i: int, at: float, lane: Lane) -> None:
            await clock.sleep(at)
            arrived = clock()
            await b.acquire(lane)
            grants.append((arrived, clock(), int(lane), i))

        await asyncio.gather(*(arrive(i, at, lane) for i, (at, lane) in enumerate(plan)))
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)
        return grants

    grants = asyncio.run(run())
    assert len(grants) == len(plan)
    times = sorted(g[1] for g in grants)
    eps = 1e-6
    for i in range(len(times)):
        for j in range(i, len(times)):
            assert j - i + 1 <= burst + rate * (times[j] - times[i]) + eps
    for a_arr, a_got, a_lane, _ in grants:
        for _, b_got, b_lane, _ in grants:
            waiting_before = a_arr < b_got - eps
            if waiting_before and a_lane < b_lane:
                assert a_got <= b_got + eps, "a higher lane waited while a lower lane was served"
    by_lane_fifo = [(g[2], g[0], g[1]) for g in grants]
    for lane, arr, got in by_lane_fifo:
        for lane2, arr2, got2 in by_lane_fifo:
            if lane == lane2 and arr < arr2 - eps:
                assert got <= got2 + eps


def test_one_bucket_serves_loops_in_several_threads() -> None:
    """A sync facade's background loop and the application's loop may share a credential."""
    import threading

    b = TokenBucket(400.0, 1)  # real clock and sleep, so the loops truly interleave
    per_thread = 30
    errors: list[BaseException] = []

    def worker(lane: Lane) -> None:
        async def run() -> None:
            await asyncio.gather(*(b.acquire(lane) for _ in range(per_thread)))

        try:
            asyncio.run(run())
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(lane,)) for lane in (Lane.PUSH, Lane.PULL)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert not any(t.is_alive() for t in threads)
    assert b.granted == 2 * per_thread
    assert b.waiting == 0
