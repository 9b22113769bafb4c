"""Redis state backend: one shared state for every replica.

Every compound operation is one Lua script from ``colonnade/state/lua/`` (the algorithms are
stated in ``colonnade.state.memory``), registered with ``register_script``: EVALSHA, reloaded
automatically when the server has lost it (restart, SCRIPT FLUSH). A script runs atomically,
so two processes on one Redis see one breaker and exactly one of them gets the probe.

Failure policy: short socket timeouts and no retries at this layer — the caller decides what
a missing cache or limiter means — and every error becomes ``StateUnavailable`` naming only
the exception class, never the URL (it may carry a password). The pool connects lazily and
drops a connection that failed, so the backend recovers by itself when Redis comes back.
Waiting for a free pooled connection is bounded too: a saturated pool fails fast.

Keys: ``{prefix}kv:<key>``, ``{prefix}tag:<tag>``, ``{prefix}tb:<bucket>``,
``{prefix}br:<breaker>`` — separate namespaces, so a cache key can never clobber a breaker.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from importlib import resources
from typing import Any, cast

from redis.asyncio import BlockingConnectionPool, Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff
from redis.commands.core import AsyncScript
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError

from colonnade.errors import StateUnavailable
from colonnade.state.base import BreakerPermit, BreakerPolicy, BreakerSnapshot, BreakerState
from colonnade.state.memory import (
    breaker_idle_ttl_ms,
    bucket_idle_ttl_ms,
    check_breaker,
    check_bucket,
    ttl_ms,
)


@cache
def _lua(*parts: str) -> str:
    """Script text: shared helpers (``*_lib.lua``) followed by the script's own body."""
    root = resources.files("colonnade.state").joinpath("lua")
    return "\n".join(root.joinpath(f"{part}.lua").read_text(encoding="utf-8") for part in parts)


@contextmanager
def _unavailable() -> Iterator[None]:
    """Any Redis, socket or timeout error → StateUnavailable (TimeoutError is an OSError)."""
    try:
        yield
    except (RedisError, OSError) as exc:
        raise StateUnavailable(f"shared state unavailable: {type(exc).__name__}") from exc


def _float(reply: Any) -> float | None:
    """Scripts return floats as strings (Redis truncates Lua numbers); '' means none."""
    return float(reply) if reply not in (b"", "", None) else None


def _text(reply: Any) -> str:
    return reply.decode() if isinstance(reply, bytes) else str(reply)


class RedisBackend:
    """Shared state in Redis, for N replicas. Constructing it does not connect."""

    name = "redis"

    def __init__(
        self,
        url: str,
        *,
        prefix: str = "colonnade:",
        socket_timeout_s: float = 0.25,
        connect_timeout_s: float = 0.25,
        max_connections: int = 100,
    ) -> None:
        pool = BlockingConnectionPool.from_url(
            url,
            max_connections=max_connections,
            timeout=socket_timeout_s,  # wait for a free pooled connection
            socket_timeout=socket_timeout_s,
            socket_connect_timeout=connect_timeout_s,
            # One immediate retry on a broken connection only: a pooled socket that died while
            # Redis was away fails its first use after Redis is back. Never on a timeout (a
            # slow Redis must cost one socket_timeout, not two).
            retry=Retry(NoBackoff(), 1, supported_errors=(RedisConnectionError,)),
        )
        self._redis = Redis.from_pool(pool)
        self._prefix = prefix
        script = self._redis.register_script
        self._take_token = script(_lua("bucket_lib", "take_token"))
        self._set_tokens = script(_lua("bucket_lib", "set_tokens"))
        self._breaker_acquire = script(_lua("breaker_lib", "breaker_acquire"))
        self._breaker_record = script(_lua("breaker_lib", "breaker_record"))
        self._breaker_snapshot = script(_lua("breaker_lib", "breaker_snapshot"))
        self._delete_if_equals = script(_lua("delete_if_equals"))
        self._tag = script(_lua("tag"))
        self._invalidate_tag = script(_lua("invalidate_tag"))

    def _kv(self, key: str) -> str:
        return f"{self._prefix}kv:{key}"

    async def _run(self, script: AsyncScript, keys: Sequence[str], args: Sequence[Any]) -> Any:
        with _unavailable():
            return await script(keys=list(keys), args=list(args), client=self._redis)

    # --- key/value ---------------------------------------------------------------------

    async def get(self, key: str) -> bytes | None:
        with _unavailable():
            return cast(bytes | None, await self._redis.get(self._kv(key)))

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        if not keys:
            return []
        with _unavailable():
            return cast(list[bytes | None], await self._redis.mget([self._kv(k) for k in keys]))

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        with _unavailable():
            if ttl_s <= 0:  # expired at once: store nothing, leave no older value behind
                await self._redis.delete(self._kv(key))
            else:
                await self._redis.set(self._kv(key), value, px=ttl_ms(ttl_s))

    async def set_if_absent(self, key: str, value: bytes, ttl_s: float) -> bool:
        if ttl_s <= 0:
            raise ValueError(f"set_if_absent needs ttl_s > 0, got {ttl_s!r}")
        with _unavailable():
            return bool(await self._redis.set(self._kv(key), value, px=ttl_ms(ttl_s), nx=True))

    async def delete(self, keys: Sequence[str]) -> int:
        if not keys:
            return 0
        with _unavailable():
            return int(await self._redis.delete(*{self._kv(k) for k in keys}))

    async def delete_if_equals(self, key: str, expected: bytes) -> bool:
        return bool(await self._run(self._delete_if_equals, [self._kv(key)], [expected]))

    # --- tags ----------------------------------------------------------------------------

    async def tag(self, tags: Sequence[str], key: str, ttl_s: float) -> None:
        if ttl_s <= 0 or not tags:
            return
        tag_keys = [f"{self._prefix}tag:{t}" for t in tags]
        await self._run(self._tag, tag_keys, [self._kv(key), ttl_ms(ttl_s)])

    async def invalidate_tag(self, tag: str) -> int:
        return int(await self._run(self._invalidate_tag, [f"{self._prefix}tag:{tag}"], []))

    # --- token bucket ----------------------------------------------------------------------

    async def take_token(
        self, key: str, *, rate_per_s: float, burst: float, now: float, count: float = 1.0
    ) -> float:
        check_bucket(rate_per_s, burst)
        args = [rate_per_s, burst, now, bucket_idle_ttl_ms(rate_per_s, burst), count]
        wait = await self._run(self._take_token, [f"{self._prefix}tb:{key}"], args)
        return float(wait)

    async def set_tokens(
        self, key: str, *, tokens: float, rate_per_s: float, burst: float, now: float
    ) -> None:
        check_bucket(rate_per_s, burst)
        args = [rate_per_s, burst, now, bucket_idle_ttl_ms(rate_per_s, burst), tokens]
        await self._run(self._set_tokens, [f"{self._prefix}tb:{key}"], args)

    # --- circuit breaker -------------------------------------------------------------------

    def _br(self, key: str) -> list[str]:
        return [f"{self._prefix}br:{key}"]

    async def breaker_acquire(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerPermit:
        check_breaker(policy)
        args = [now, policy.probe_lease_s, breaker_idle_ttl_ms(policy)]
        allowed, probe, state, retry_at = await self._run(
            self._breaker_acquire, self._br(key), args
        )
        return BreakerPermit(
            allowed=bool(allowed),
            probe=bool(probe),
            state=BreakerState(_text(state)),
            retry_at=_float(retry_at),
        )

    async def breaker_record(
        self,
        key: str,
        *,
        ok: bool | None,
        probe: bool,
        now: float,
        policy: BreakerPolicy,
        jitter: float,
    ) -> BreakerState:
        check_breaker(policy, jitter)
        p = policy
        args = [
            "n" if ok is None else int(ok), int(probe), now,
            p.window_s, p.buckets, p.min_calls, p.failure_ratio,
            p.break_s, p.break_multiplier, p.break_max_s, jitter,
            breaker_idle_ttl_ms(p),
        ]  # fmt: skip
        return BreakerState(_text(await self._run(self._breaker_record, self._br(key), args)))

    async def breaker_snapshot(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerSnapshot:
        check_breaker(policy)
        args = [now, policy.window_s, policy.buckets]
        state, calls, failures, trips, open_until = await self._run(
            self._breaker_snapshot, self._br(key), args
        )
        return BreakerSnapshot(
            BreakerState(_text(state)), int(calls), int(failures), int(trips), _float(open_until)
        )

    async def breaker_reset(self, key: str) -> None:
        with _unavailable():
            await self._redis.delete(*self._br(key))

    # --- lifecycle -------------------------------------------------------------------------

    async def ping(self) -> bool:
        """True when Redis answers; raises StateUnavailable when it does not."""
        with _unavailable():
            return bool(await self._redis.ping())

    async def aclose(self) -> None:
        with _unavailable():
            await self._redis.aclose()
