"""A state backend that stops asking a Redis that just failed, for a moment.

Redis calls have a 250 ms socket timeout; a blackholed Redis would add that to every cache
lookup, breaker check and token take of every request. After a failure this wrapper answers
``StateUnavailable`` at once for ``cooldown_s`` (callers bypass the cache; breakers and rate
limits use per-process state), then lets calls through again — so the shared cache, breakers
and buckets come back by themselves when Redis does.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

import structlog

from colonnade.errors import StateUnavailable
from colonnade.state.base import (
    BreakerPermit,
    BreakerPolicy,
    BreakerSnapshot,
    BreakerState,
    StateBackend,
)

T = TypeVar("T")
_log = structlog.get_logger("colonnade.state")


class GuardedBackend:
    def __init__(self, inner: StateBackend, *, cooldown_s: float = 1.0) -> None:
        self.inner = inner
        self.name = inner.name
        self._cooldown_s = cooldown_s
        self._down_until = 0.0
        self.failures = 0
        self._reported = False

    @property
    def down(self) -> bool:
        return time.monotonic() < self._down_until

    async def _call(self, fn: Callable[[], Awaitable[T]]) -> T:
        if self.down:
            raise StateUnavailable("shared state unavailable: cooling down after a failure")
        try:
            result = await fn()
        except StateUnavailable as exc:
            self.failures += 1
            if not self._reported:
                _log.warning("shared_state_unavailable", backend=self.name, error=str(exc))
                self._reported = True
            self._down_until = time.monotonic() + self._cooldown_s
            raise
        if self._reported:
            _log.info("shared_state_recovered", backend=self.name)
            self._reported = False
        return result

    async def get(self, key: str) -> bytes | None:
        return await self._call(lambda: self.inner.get(key))

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        return await self._call(lambda: self.inner.get_many(keys))

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        await self._call(lambda: self.inner.set(key, value, ttl_s))

    async def set_if_absent(self, key: str, value: bytes, ttl_s: float) -> bool:
        return await self._call(lambda: self.inner.set_if_absent(key, value, ttl_s))

    async def delete(self, keys: Sequence[str]) -> int:
        return await self._call(lambda: self.inner.delete(keys))

    async def delete_if_equals(self, key: str, expected: bytes) -> bool:
        return await self._call(lambda: self.inner.delete_if_equals(key, expected))

    async def tag(self, tags: Sequence[str], key: str, ttl_s: float) -> None:
        await self._call(lambda: self.inner.tag(tags, key, ttl_s))

    async def invalidate_tag(self, tag: str) -> int:
        return await self._call(lambda: self.inner.invalidate_tag(tag))

    async def take_token(
        self, key: str, *, rate_per_s: float, burst: float, now: float, count: float = 1.0
    ) -> float:
        return await self._call(
            lambda: self.inner.take_token(
                key, rate_per_s=rate_per_s, burst=burst, now=now, count=count
            )
        )

    async def set_tokens(
        self, key: str, *, tokens: float, rate_per_s: float, burst: float, now: float
    ) -> None:
        await self._call(
            lambda: self.inner.set_tokens(
                key, tokens=tokens, rate_per_s=rate_per_s, burst=burst, now=now
            )
        )

    async def breaker_acquire(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerPermit:
        return await self._call(lambda: self.inner.breaker_acquire(key, now=now, policy=policy))

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
        return await self._call(
            lambda: self.inner.breaker_record(
                key, ok=ok, probe=probe, now=now, policy=policy, jitter=jitter
            )
        )

    async def breaker_snapshot(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerSnapshot:
        return await self._call(lambda: self.inner.breaker_snapshot(key, now=now, policy=policy))

    async def breaker_reset(self, key: str) -> None:
        await self._call(lambda: self.inner.breaker_reset(key))

    async def ping(self) -> bool:
        """Always asks Redis: readiness must see the truth, not the cool-down."""
        try:
            result = await self.inner.ping()
        except StateUnavailable:
            self._down_until = time.monotonic() + self._cooldown_s
            raise
        self._down_until = 0.0
        return result

    async def aclose(self) -> None:
        await self.inner.aclose()
