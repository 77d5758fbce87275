"""Seed 001's trading loop: a 1 kHz loop writing to Notion every tick. Ticks missed, jitter.

The sandbox answers in 200-1000 ms (``--faults latency=200-1000ms``, rate limit 3/s as Notion's).
Two runs of the same loop, each tick doing one Notion write:

* syncbridge: ``Outbox.update_page`` (a committed row) while ``syncbridge worker`` runs in its
  own process and delivers under the rate budget;
* blocking: the official ``notion-client`` ``pages.update`` called in the loop (what the seed's
  scripts did).

A tick is missed when its 1 ms slot passed entirely while an earlier tick was still busy; jitter
is how late each tick started. A run with an empty tick shows what the machine itself allows
(on a loaded machine the scheduler alone makes the loop miss slots). Afterwards the worker
drains the outbox and every page must hold the last value written to it.

    python bench/tickloop.py            # 20 s per run
    python bench/tickloop.py --quick    # 5 s per run
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))

from enqueue import HEADERS, TOKEN, call, new_page, new_table, percentiles, sandbox_process
from syncbridge.outbox.queue import Outbox

SYNCBRIDGE = str(Path(sys.executable).with_name("syncbridge"))
HZ = 1000
PAGES = 10


@dataclass(frozen=True)
class LoopResult:
    ticks: int
    missed: int
    jitter_ns: list[int]

    def line(self, label: str) -> str:
        p50, p99, top = percentiles(self.jitter_ns)
        share = 100 * self.missed / self.ticks
        return (
            f"{label:<34} {self.ticks:>7} {self.missed:>8} ({share:5.1f}%) "
            f"{p50:>9.0f} {p99:>10.0f} {top:>12.0f}"
        )


def tick_loop(seconds: float, on_tick: Callable[[int], object]) -> LoopResult:
    """Run ``on_tick(k)`` on a 1 kHz schedule; count slots missed and each tick's lateness."""
    period = 1_000_000_000 // HZ
    total = int(seconds * HZ)
    start = time.perf_counter_ns()
    jitter, missed, k = [], 0, 0
    while k < total:
        deadline = start + k * period
        now = time.perf_counter_ns()
        if now < deadline:
            if deadline - now > 300_000:
                time.sleep((deadline - now - 200_000) / 1e9)
            while time.perf_counter_ns() < deadline:
                pass
            now = time.perf_counter_ns()
        late = now - deadline
        if late >= period:  # whole slots went by while an earlier tick was busy
            skipped = min(late // period, total - k)
            missed += skipped
            k += skipped
            if k >= total:
                break
            late -= skipped * period
        jitter.append(late)
        on_tick(k)
        k += 1
    return LoopResult(total, missed, jitter)


def page_values(url: str, pages: list[str]) -> list[float | None]:
    out = []
    for page in pages:
        answer = call("GET", f"{url}/v1/pages/{page}")
        out.append(answer["properties"]["Tick"]["number"])
    return out


def run_syncbridge(url: str, pages: list[str], seconds: float, tmp: str) -> tuple[LoopResult, str]:
    store = f"sqlite:///{tmp}/tick.db"
    box = Outbox.open(store, max_pending=10**7, when_full="raise")
    env = dict(os.environ) | {"SYNCBRIDGE_STORE_URL": store, "NOTION_BASE_URL": url}
    env.pop("SYNCBRIDGE_CONFIG", None)
    env.pop("NOTION_TOKEN", None)
    worker = subprocess.Popen([SYNCBRIDGE, "worker"], env=env, stdout=subprocess.DEVNULL)
    last: dict[int, int] = {}

    def tick(k: int) -> None:
        box.update_page(pages[k % PAGES], {"Tick": k})
        last[k % PAGES] = k

    result = tick_loop(seconds, tick)
    drained_at = time.monotonic()
    while box.pending_count() and time.monotonic() - drained_at < 300:
        time.sleep(0.2)
    drain = time.monotonic() - drained_at
    worker.send_signal(signal.SIGTERM)
    worker.wait(timeout=60)
    values = page_values(url, pages)
    expected = [last.get(i) for i in range(PAGES)]
    ok = values == expected and not box.entries(dead=True)
    box.close()
    verdict = "every page holds its last write" if ok else f"MISMATCH {values} != {expected}"
    return result, f"drained {drain:.1f} s after the loop; {verdict}"


def run_blocking(url: str, page: str, seconds: float) -> LoopResult:
    from notion_client import Client

    sdk = Client(auth=TOKEN, base_url=url)
    try:
        return tick_loop(
            seconds, lambda k: sdk.pages.update(page_id=page, properties={"Tick": {"number": k}})
        )
    finally:
        sdk.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="5 s per run instead of 20")
    args = parser.parse_args()
    seconds = 5.0 if args.quick else 20.0
    print(f"# {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}")
    print(f"# {HZ} Hz loop for {seconds:.0f} s, one Notion write per tick, sandbox 200-1000 ms")
    with sandbox_process(rate_limit=3) as url, tempfile.TemporaryDirectory() as tmp:
        ds = new_table(url, {"Name": {"title": {}}, "Tick": {"number": {}}})
        pages = [new_page(url, ds, f"instrument {i}") for i in range(PAGES)]
        httpx.put(
            f"{url}/_sandbox/faults", json={"spec": "latency=200-1000ms"}, headers=HEADERS
        ).raise_for_status()
        head = f"{'':<34} {'ticks':>7} {'missed':>17} {'jit p50':>9} {'jit p99':>10} {'max':>12}"
        print(head + "  (jitter in µs)")
        idle = tick_loop(seconds, lambda k: None)
        print(idle.line("empty tick (this machine's floor)"), flush=True)
        ours, note = run_syncbridge(url, pages, seconds, tmp)
        print(ours.line("syncbridge Outbox.update_page"), flush=True)
        blocking = run_blocking(url, pages[0], seconds)
        print(blocking.line("notion-client, blocking call"))
        print(f"\nsyncbridge: {note}")


if __name__ == "__main__":
    main()
