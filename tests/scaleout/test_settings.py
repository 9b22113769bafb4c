"""``redis_timeout_s`` reaches the Redis client a replica builds (tests of separate processes
set it high, so a loaded machine's slow reply does not turn shared state into per-process)."""

from __future__ import annotations

from colonnade.config import Settings
from colonnade.runtime import Runtime


async def test_the_redis_timeout_is_the_setting() -> None:
    for seconds in (None, 2.0):
        extra = {} if seconds is None else {"redis_timeout_s": seconds}
        runtime = Runtime.create(Settings(redis_url="redis://127.0.0.1:1/0", **extra))
        try:
            pool = runtime.backend.inner._redis.connection_pool  # type: ignore[attr-defined]
            kwargs = pool.connection_kwargs
            want = 0.25 if seconds is None else seconds
            assert (kwargs["socket_timeout"], kwargs["socket_connect_timeout"]) == (want, want)
            assert pool.timeout == want
        finally:
            await runtime.aclose()
