"""Fixtures for the state-backend contract suite: one suite, both backends.

The Redis parameter runs against a real server (``COLONNADE_TEST_REDIS_URL``, default
database 15). Unreachable Redis *fails* those tests — a silently skipped half of the suite
would hide exactly the bugs it exists for — unless ``COLONNADE_SKIP_REDIS_TESTS=1``.
Each test gets its own random key prefix and deletes only keys under it.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from colonnade.state import MemoryBackend, RedisBackend, StateBackend

REDIS_URL = os.environ.get("COLONNADE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


async def require_redis() -> None:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        reason = f"no Redis at COLONNADE_TEST_REDIS_URL ({type(exc).__name__})"
        if os.environ.get("COLONNADE_SKIP_REDIS_TESTS") == "1":
            pytest.skip(f"{reason}; COLONNADE_SKIP_REDIS_TESTS=1")
        pytest.fail(f"{reason}: start one, or set COLONNADE_SKIP_REDIS_TESTS=1 to skip")
    finally:
        await client.aclose()


@asynccontextmanager
async def redis_namespace() -> AsyncIterator[str]:
    """A fresh key prefix on the test Redis; its keys (and only those) are deleted after."""
    await require_redis()
    prefix = f"colonnade-test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        client = Redis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


@pytest.fixture
async def redis_url() -> str:
    """The test Redis URL, once the server answered (else fail, or skip when told to)."""
    await require_redis()
    return REDIS_URL


@pytest.fixture
async def redis_prefix() -> AsyncIterator[str]:
    async with redis_namespace() as prefix:
        yield prefix


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
async def backend(request: pytest.FixtureRequest) -> AsyncIterator[StateBackend]:
    if request.param == "memory":
        memory = MemoryBackend()
        yield memory
        await memory.aclose()
        return
    async with redis_namespace() as prefix:
        shared = RedisBackend(REDIS_URL, prefix=prefix)
        try:
            yield shared
        finally:
            await shared.aclose()
