"""Configuration value objects and their mapping from settings."""

from __future__ import annotations

import httpx
import pytest

from syncbridge.http.config import DEFAULT_CONFIG, ClientConfig, Limits, Timeouts
from syncbridge.settings import load_settings


def test_from_settings_maps_rate_retries_delay_and_cache() -> None:
    settings = load_settings(
        notion_rate_limit=2.5, max_retries=7, retry_delay=0.25, cache_timeout=120
    )
    config = ClientConfig.from_settings(settings, burst=5)
    assert config.rate == 2.5
    assert config.max_retries == 7
    assert config.retry_delay == 0.25
    assert config.burst == 5
    assert config.cache_lifetimes.schema == 120.0
    assert config.cache_lifetimes.page == 60.0
    assert config.cache_lifetimes.other == 30.0


def test_defaults_follow_the_seed() -> None:
    assert (DEFAULT_CONFIG.rate, DEFAULT_CONFIG.max_retries, DEFAULT_CONFIG.retry_delay) == (
        3.0,
        3,
        1.0,
    )
    lifetimes = DEFAULT_CONFIG.cache_lifetimes
    assert (lifetimes.schema, lifetimes.page, lifetimes.other) == (300.0, 60.0, 30.0)


def test_value_objects_convert_to_httpx() -> None:
    timeout = Timeouts(connect=1, read=2, write=3, pool=4).to_httpx()
    assert timeout == httpx.Timeout(connect=1, read=2, write=3, pool=4)
    limits = Limits(5, 4, 9).to_httpx()
    assert limits == httpx.Limits(
        max_connections=5, max_keepalive_connections=4, keepalive_expiry=9
    )


def test_configs_are_frozen_and_hashable() -> None:
    config = ClientConfig()
    with pytest.raises(AttributeError):
        config.rate = 1.0  # type: ignore[misc]
    assert hash(config) == hash(ClientConfig())
    assert config.with_(rate=None).rate is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"rate": 0}, "rate"), ({"burst": 0}, "burst"), ({"max_retries": -1}, "max_retries")],
)
def test_bad_values_are_rejected(kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        ClientConfig(**kwargs)
