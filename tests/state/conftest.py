"""Fixtures for the state-backend contract suite: one suite, both backends.

The Redis parameter runs against a real server (``COLONNADE_TEST_REDIS_URL``, default
database 15). Unreachable Redis *fails* those tests — a silently skipped half of the suite
would hide exactly the bugs it exists for — unless ``COLONNADE_SKIP_REDIS_TESTS=1``.
Each test gets its own random key prefix and deletes only keys under it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from support import REDIS_URL, require_redis
from support import redis_prefix as redis_prefix_context

from colonnade.state import MemoryBackend, RedisBackend, StateBackend


@pytest.fixture
async def redis_url() -> str:
    """The test Redis URL, once the server answered (else fail, or skip when told to)."""
    await require_redis()
    return REDIS_URL


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    async with redis_prefix_context() as prefix:
        yield prefix


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[StateBackend]:
    if request.param == "memory":
        memory = MemoryBackend()
        yield memory
        await memory.aclose()
        return
    async with redis_prefix_context() as prefix:
        # Patient timeouts: the contract suite checks semantics (50 concurrent lock attempts,
        # one winner), not Redis latency; on a loaded machine 250 ms connects failed it.
        shared = RedisBackend(REDIS_URL, prefix=prefix, socket_timeout_s=5, connect_timeout_s=5)
        try:
            yield shared
        finally:
            await shared.aclose()
