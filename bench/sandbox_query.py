"""How fast the sandbox filters and sorts a large data source (pure functions, no HTTP).

Builds N pages (default 100,000) through the property model, then times ``filter_pages`` and
``sort_pages`` for typical queries — the incremental-sync filter (``last_edited_time
on_or_after``), a compound filter, a text search, a rollup-free formula filter — and the sorts
a full scan uses. Side by side: the same filter validated and compiled once per *row* (what a
naive emulator does), on a 2 % sample scaled up.

    python bench/sandbox_query.py               # 100,000 pages
    python bench/sandbox_query.py --pages 20000
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any

from syncbridge.sandbox.properties import (
    PropertyContext,
    create_schema,
    filter_pages,
    new_page_properties,
    recompute,
    sort_pages,
)

DS = "11111111-1111-4111-8111-111111111111"
USER = {"object": "user", "id": "22222222-2222-4222-8222-222222222222"}


def _ctx(counter: list[int]) -> PropertyContext:
    def next_id(_ds: str, _prop: str) -> int:
        counter[0] += 1
        return counter[0]

    return PropertyContext(
        now="2026-06-27T17:01:00.000Z",
        user=USER,
        get_page=lambda _id: None,
        get_user=lambda _id: None,
        get_data_source=lambda _id: None,
        next_unique_id=next_id,
        data_source_id=DS,
    )


def build(n: int) -> tuple[dict[str, Any], list[dict[str, Any]], PropertyContext]:
    """A schema and ``n`` pages with varied values and minute-rounded timestamps."""
    ctx = _ctx([0])
    schema = create_schema(
        {
            "Name": {"title": {}},
            "Status": {"select": {"options": [{"name": s} for s in ("Todo", "Doing", "Done")]}},
            "Points": {"number": {}},
            "Tags": {"multi_select": {"options": [{"name": t} for t in "abcdef"]}},
            "Due": {"date": {}},
            "Done": {"checkbox": {}},
            "Double": {"formula": {"expression": 'prop("Points") * 2'}},
            "Edited": {"last_edited_time": {}},
        },
        ctx=ctx,
    )
    rng = random.Random(7)
    pages = []
    for i in range(n):
        minute = 1_000_000 + i // 7  # ~7 edits per minute, as a busy data source sees
        stamp = time.strftime("%Y-%m-%dT%H:%M:00.000Z", time.gmtime(minute * 60))
        values = new_page_properties(
            schema,
            {
                "Name": {
                    "title": [
                        {"text": {"content": f"Task {i} {rng.choice(['alpha', 'beta', 'gamma'])}"}}
                    ]
                },
                "Status": {"select": {"name": rng.choice(["Todo", "Doing", "Done"])}},
                "Points": {"number": rng.randint(0, 100)} if i % 10 else {"number": None},
                "Tags": {"multi_select": [{"name": t} for t in rng.sample("abcdef", 2)]},
                "Due": {"date": {"start": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}"}},
                "Done": {"checkbox": i % 3 == 0},
            },
            ctx=ctx,
        )
        page = {
            "object": "page",
            "id": str(uuid.UUID(int=i)),
            "created_time": stamp,
            "last_edited_time": stamp,
            "created_by": USER,
            "last_edited_by": USER,
        }
        page["properties"] = recompute(schema, values, page=page, ctx=ctx)
        pages.append(page)
    return schema, pages, ctx


def timed(fn: Callable[[], Any], repeat: int = 5) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--pages", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    schema, pages, ctx = build(args.pages)
    print(f"built {len(pages):,} pages in {time.perf_counter() - t0:.1f} s")
    middle = pages[len(pages) // 2]["last_edited_time"]
    filters = {
        "last_edited_time on_or_after (sync)": {
            "timestamp": "last_edited_time",
            "last_edited_time": {"on_or_after": middle},
        },
        "and(select, number > 50)": {
            "and": [
                {"property": "Status", "select": {"equals": "Done"}},
                {"property": "Points", "number": {"greater_than": 50}},
            ]
        },
        "title contains": {"property": "Name", "title": {"contains": "gamma"}},
        "or(multi_select, checkbox)": {
            "or": [
                {"property": "Tags", "multi_select": {"contains": "a"}},
                {"property": "Done", "checkbox": {"equals": True}},
            ]
        },
        "formula number >= 100": {
            "property": "Double",
            "formula": {"number": {"greater_than_or_equal_to": 100}},
        },
        "date on_or_after": {"property": "Due", "date": {"on_or_after": "2026-06-01"}},
    }
    sample = pages[: max(1, len(pages) // 50)]
    scale = len(pages) / len(sample)
    print(
        f"\n{'filter':40} {'matches':>9} {'compiled once':>14} {'per row (naive)':>16} {'ratio':>6}"
    )
    for name, flt in filters.items():
        once, hits = timed(lambda flt=flt: filter_pages(pages, flt, schema, ctx=ctx))
        naive, _ = timed(
            lambda flt=flt: [p for p in sample if filter_pages([p], flt, schema, ctx=ctx)], repeat=3
        )
        naive *= scale
        ms_once, ms_naive = once * 1000, naive * 1000
        ratio = naive / once
        print(f"{name:40} {len(hits):>9,} {ms_once:>11.1f} ms {ms_naive:>13.1f} ms {ratio:>5.1f}x")
    sorts = {
        "created_time asc (full scan)": [{"timestamp": "created_time", "direction": "ascending"}],
        "last_edited_time asc": [{"timestamp": "last_edited_time", "direction": "ascending"}],
        "Points desc, Name asc": [
            {"property": "Points", "direction": "descending"},
            {"property": "Name", "direction": "ascending"},
        ],
    }
    print(f"\n{'sort':40} {'time':>14}")
    for name, spec in sorts.items():
        took, _ = timed(lambda spec=spec: sort_pages(pages, spec, schema), repeat=3)
        print(f"{name:40} {took * 1000:>11.1f} ms")


if __name__ == "__main__":
    main()
