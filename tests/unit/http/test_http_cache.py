"""Response cache: lifetimes on a fake clock, keys, LRU, invalidation."""

from __future__ import annotations

import httpx

from syncbridge.http.cache import ResponseCache, cache_key


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def answer(url: str, body: bytes = b'{"v":1}', status: int = 200) -> httpx.Response:
    return httpx.Response(status, content=body, request=httpx.Request("GET", url))


def get(url: str) -> httpx.Request:
    return httpx.Request("GET", url)


URL = "https://api.test/v1/pages/p1"


def test_entry_lives_exactly_its_ttl() -> None:
    clock = Clock()
    cache = ResponseCache(clock=clock)
    cache.put("cred", answer(URL), ttl=60)
    clock.now = 59.9
    hit = cache.get("cred", get(URL))
    assert hit is not None
    assert hit.json() == {"v": 1}
    assert hit.status_code == 200
    clock.now = 60.0
    assert cache.get("cred", get(URL)) is None
    assert cache.stats().entries == 0


def test_lifetime_is_per_entry() -> None:
    clock = Clock()
    cache = ResponseCache(clock=clock)
    cache.put("c", answer(URL + "?kind=schema"), ttl=300)
    cache.put("c", answer(URL + "?kind=other"), ttl=30)
    clock.now = 31
    assert cache.get("c", get(URL + "?kind=other")) is None
    assert cache.get("c", get(URL + "?kind=schema")) is not None


def test_key_includes_the_credential_and_ignores_query_order() -> None:
    cache = ResponseCache(clock=Clock())
    cache.put("tenant-a", answer(URL + "?a=1&b=2"), ttl=60)
    assert cache.get("tenant-b", get(URL + "?a=1&b=2")) is None
    assert cache.get("tenant-a", get(URL + "?b=2&a=1")) is not None
    assert cache_key("t", httpx.URL(URL + "?b=2&a=1")) == cache_key(
        "t", httpx.URL(URL + "?a=1&b=2")
    )


def test_only_success_answers_are_kept_and_ttl_zero_keeps_nothing() -> None:
    cache = ResponseCache(clock=Clock())
    cache.put("c", answer(URL, status=404), ttl=60)
    cache.put("c", answer(URL + "/x"), ttl=0)
    assert cache.stats().entries == 0


def test_least_recently_used_entries_are_dropped() -> None:
    cache = ResponseCache(max_entries=2, clock=Clock())
    cache.put("c", answer(URL + "/1"), ttl=60)
    cache.put("c", answer(URL + "/2"), ttl=60)
    assert cache.get("c", get(URL + "/1")) is not None  # /1 is now the most recent
    cache.put("c", answer(URL + "/3"), ttl=60)
    assert cache.get("c", get(URL + "/2")) is None
    assert cache.get("c", get(URL + "/1")) is not None


def test_invalidate_path_drops_every_query_and_credential_of_that_path_only() -> None:
    cache = ResponseCache(clock=Clock())
    cache.put("a", answer(URL), ttl=60)
    cache.put("b", answer(URL + "?filter_properties=x"), ttl=60)
    cache.put("a", answer(URL + "/properties/title"), ttl=60)
    cache.put("a", answer("https://other.test/v1/pages/p1"), ttl=60)
    assert cache.invalidate_path("api.test", "/v1/pages/p1") == 2
    assert cache.get("a", get(URL + "/properties/title")) is not None
    assert cache.get("a", get("https://other.test/v1/pages/p1")) is not None


def test_hits_and_misses_are_counted() -> None:
    cache = ResponseCache(clock=Clock())
    cache.get("c", get(URL))
    cache.put("c", answer(URL), ttl=5)
    cache.get("c", get(URL))
    stats = cache.stats()
    assert (stats.hits, stats.misses, stats.entries) == (1, 1, 1)
