"""Redis-only behaviour: outages, recovery, sharing between processes, key hygiene.

Outage tests need no Redis at all (nothing listens, or a silent socket); the ones marked
``redis`` use the real test server.

Every outage check is bounded by ``asyncio.timeout`` as a hang guard, never as a timing
assertion: the point is that a dead or silent Redis cannot hang a request.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import pytest
from redis.asyncio import Redis
from support import RedisProxy

from colonnade.errors import StateUnavailable
from colonnade.state import BreakerPolicy, BreakerState, RedisBackend, StateBackend

POLICY = BreakerPolicy(window_s=10, buckets=10, min_calls=2, failure_ratio=0.5, break_s=5)
T0 = 1_700_000_000.0
HANG_GUARD_S = 5.0

Call = Callable[[StateBackend], Awaitable[object]]
EVERY_CALL: dict[str, Call] = {
    "ping": lambda b: b.ping(),
    "get": lambda b: b.get("k"),
    "get_many": lambda b: b.get_many(["k", "l"]),
    "set": lambda b: b.set("k", b"v", 1),
    "set(ttl=0)": lambda b: b.set("k", b"v", 0),
    "set_if_absent": lambda b: b.set_if_absent("k", b"v", 1),
    "delete": lambda b: b.delete(["k"]),
    "delete_if_equals": lambda b: b.delete_if_equals("k", b"v"),
    "tag": lambda b: b.tag(["t"], "k", 1),
    "invalidate_tag": lambda b: b.invalidate_tag("t"),
    "take_token": lambda b: b.take_token("k", rate_per_s=1, burst=1, now=T0),
    "set_tokens": lambda b: b.set_tokens("k", tokens=1, rate_per_s=1, burst=1, now=T0),
    "breaker_acquire": lambda b: b.breaker_acquire("k", now=T0, policy=POLICY),
    "breaker_record": lambda b: b.breaker_record(
        "k", ok=True, probe=False, now=T0, policy=POLICY, jitter=1.0
    ),
    "breaker_snapshot": lambda b: b.breaker_snapshot("k", now=T0, policy=POLICY),
    "breaker_reset": lambda b: b.breaker_reset("k"),
}


async def outcome(backend: StateBackend, call: Call) -> BaseException | None:
    try:
        await call(backend)
    except Exception as exc:
        return exc
    return None


async def assert_every_call_unavailable(backend: StateBackend, *, secret: str = "") -> None:
    async with asyncio.timeout(HANG_GUARD_S):
        results = await asyncio.gather(*(outcome(backend, c) for c in EVERY_CALL.values()))
    for name, exc in zip(EVERY_CALL, results, strict=True):
        assert isinstance(exc, StateUnavailable), f"{name}: {exc!r}"
        assert exc.message.startswith("shared state unavailable: "), name
        assert "127.0.0.1" not in exc.message
        assert not secret or secret not in exc.message


async def test_nothing_listening_raises_state_unavailable_on_every_call() -> None:
    backend = RedisBackend("redis://colonnade:s3cret@127.0.0.1:1/0")  # constructing: no I/O
    try:
        await assert_every_call_unavailable(backend, secret="s3cret")
        await assert_every_call_unavailable(backend)  # a failed connect is not cached
    finally:
        async with asyncio.timeout(HANG_GUARD_S):
            await backend.aclose()


class Silent:
    """A TCP server that accepts and then never answers: a hung Redis."""

    def __init__(self) -> None:
        self.writers: list[asyncio.StreamWriter] = []

    async def __aenter__(self) -> int:
        self.server = await asyncio.start_server(self._hold, "127.0.0.1", 0)
        return int(self.server.sockets[0].getsockname()[1])

    async def _hold(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.writers.append(writer)
        with contextlib.suppress(OSError):
            while await reader.read(4096):
                pass
        writer.close()

    async def __aexit__(self, *exc: object) -> None:
        self.server.close()
        for writer in self.writers:
            writer.close()
        await self.server.wait_closed()


async def test_silent_redis_times_out_into_state_unavailable() -> None:
    async with Silent() as port:
        backend = RedisBackend(f"redis://127.0.0.1:{port}/0", socket_timeout_s=0.1)
        try:
            await assert_every_call_unavailable(backend)
        finally:
            await backend.aclose()


@pytest.mark.redis
async def test_recovers_by_itself_when_redis_comes_back(redis_url: str, redis_prefix: str) -> None:
    redis = Redis.from_url(redis_url)
    kwargs = redis.connection_pool.connection_kwargs
    proxy = RedisProxy(kwargs.get("host", "127.0.0.1"), kwargs.get("port", 6379))
    await redis.aclose()
    await proxy.start()
    db = kwargs.get("db", 0)
    backend = RedisBackend(f"redis://127.0.0.1:{proxy.port}/{db}", prefix=redis_prefix)
    try:
        await backend.set("k", b"before", 30)
        assert await backend.get("k") == b"before"

        await proxy.stop()
        await assert_every_call_unavailable(backend)

        await proxy.start()
        async with asyncio.timeout(HANG_GUARD_S):
            assert await backend.get("k") == b"before"
            assert await backend.ping()
            assert await backend.take_token("api", rate_per_s=1, burst=1, now=T0) == 0.0
    finally:
        await backend.aclose()
        await proxy.stop()


@pytest.mark.redis
async def test_two_processes_share_one_breaker_and_one_probe(
    redis_url: str, redis_prefix: str
) -> None:
    """Two backends = two connection pools, as two replicas would have."""
    one = RedisBackend(redis_url, prefix=redis_prefix)
    two = RedisBackend(redis_url, prefix=redis_prefix)
    try:
        for backend in (one, two):
            await backend.breaker_record(
                "crm", ok=False, probe=False, now=T0, policy=POLICY, jitter=1.0
            )
        snap = await two.breaker_snapshot("crm", now=T0, policy=POLICY)
        assert (snap.state, snap.calls, snap.failures) == (BreakerState.OPEN, 2, 2)
        assert not (await one.breaker_acquire("crm", now=T0 + 1, policy=POLICY)).allowed

        permits = await asyncio.gather(
            *(b.breaker_acquire("crm", now=T0 + 5, policy=POLICY) for b in (one, two) * 10)
        )
        assert sum(p.probe for p in permits) == 1
        probe_owner = (one, two)[[p.probe for p in permits].index(True) % 2]
        other = two if probe_owner is one else one
        await probe_owner.breaker_record(
            "crm", ok=True, probe=True, now=T0 + 6, policy=POLICY, jitter=1.0
        )
        assert (await other.breaker_snapshot("crm", now=T0 + 6, policy=POLICY)).state == "closed"
    finally:
        await one.aclose()
        await two.aclose()


@pytest.mark.redis
async def test_keys_stay_under_prefix_and_state_keys_expire(
    redis_url: str, redis_prefix: str
) -> None:
    backend = RedisBackend(redis_url, prefix=redis_prefix)
    redis = Redis.from_url(redis_url)
    try:
        await backend.set("k", b"v", 30)
        await backend.tag(["t"], "k", 30)
        await backend.take_token("api", rate_per_s=1, burst=5, now=T0)
        await backend.set_tokens("api2", tokens=1, rate_per_s=1, burst=5, now=T0)
        await backend.breaker_record(
            "crm", ok=False, probe=False, now=T0, policy=POLICY, jitter=1.0
        )
        await backend.breaker_acquire("crm", now=T0, policy=POLICY)
        keys = sorted([k.decode() async for k in redis.scan_iter(match=f"{redis_prefix}*")])
        assert [k.removeprefix(redis_prefix) for k in keys] == [
            "br:crm",
            "kv:k",
            "tag:t",
            "tb:api",
            "tb:api2",
        ]
        for key in keys:
            assert await redis.pttl(key) > 0, f"{key} would never expire"
    finally:
        await redis.aclose()
        await backend.aclose()


@pytest.mark.redis
async def test_script_missing_on_server_is_reloaded(redis_url: str, redis_prefix: str) -> None:
    """EVALSHA of an unknown script (Redis restarted, SCRIPT FLUSH) loads it and retries.
    Simulated per client — a real SCRIPT FLUSH would touch every user of this server."""
    backend = RedisBackend(redis_url, prefix=redis_prefix)
    try:
        backend._take_token.sha = "0" * 40
        assert await backend.take_token("api", rate_per_s=1, burst=1, now=T0) == 0.0
        assert backend._take_token.sha != "0" * 40
    finally:
        await backend.aclose()
