"""Fixtures for the HTTP stack's unit tests: a virtual clock whose sleeps take no real time."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from _http_fakes import FakeClock

from syncbridge.http.client import close_clients


@pytest.fixture
async def clock() -> AsyncIterator[FakeClock]:
    fake = FakeClock()
    driver = asyncio.create_task(fake.drive())
    try:
        yield fake
    finally:
        driver.cancel()
        await asyncio.gather(driver, return_exceptions=True)


@pytest.fixture(autouse=True)
async def _close_pooled_clients() -> AsyncIterator[None]:
    yield
    await close_clients()
