"""The cross-replica stampede lock: one replica fetches a missing key, the others wait.

With shared state, a miss takes a short lock per cache key. A key another replica holds is
awaited from the cache instead (polled until it shows up fresh), and fetched here after all
if it does not show up within the lock's lifetime (or the request's deadline). Shared state
unreachable: every replica behaves as the only one.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import AsyncIterator
from typing import TypeVar

from pydantic import TypeAdapter

from colonnade.errors import StateUnavailable
from colonnade.pipeline import deadline
from colonnade.pipeline.cache import ResponseCache, Tier
from colonnade.pipeline.freshness import look
from colonnade.state import Locks

T = TypeVar("T")
_LOCK_POLL_S = 0.02


class StampedeGuard:
    def __init__(self, locks: Locks, cache: ResponseCache, *, shared: bool) -> None:
        self._locks = locks
        self._cache = cache
        self.shared = shared
        """False (in-process state): no other replica to wait for, no lock taken."""

    @contextlib.asynccontextmanager
    async def claim(
        self, keys: list[str], codec: TypeAdapter[T], tier: Tier
    ) -> AsyncIterator[dict[str, T]]:
        """Lock ``keys``; yields the values other replicas stored for the keys they held
        (the rest are this caller's to fetch). Our locks are released on the way out."""
        if not self.shared:
            yield {}
            return
        token = secrets.token_hex(8).encode()
        got_lock = await asyncio.gather(*(self._try_lock(k, token) for k in keys))
        locked = [k for k, ok in zip(keys, got_lock, strict=True) if ok]
        others = [k for k, ok in zip(keys, got_lock, strict=True) if not ok]
        try:
            yield await self._await_other_replicas(others, codec, tier) if others else {}
        finally:
            if locked:
                with contextlib.suppress(StateUnavailable):
                    await asyncio.gather(
                        *(self._locks.delete_if_equals("lock:" + k, token) for k in locked)
                    )

    async def _try_lock(self, key: str, token: bytes) -> bool:
        try:
            return await self._locks.set_if_absent("lock:" + key, token, self._cache.lock_ttl_s)
        except StateUnavailable:
            return True  # no shared state: behave as the only replica

    async def _await_other_replicas(
        self, keys: list[str], codec: TypeAdapter[T], tier: Tier
    ) -> dict[str, T]:
        """Poll the cache for keys other replicas are fetching; whatever arrives fresh."""
        found: dict[str, T] = {}
        give_up = time.monotonic() + deadline.bounded(self._cache.lock_ttl_s)
        pending = list(keys)
        while pending and time.monotonic() < give_up:
            await asyncio.sleep(_LOCK_POLL_S)
            entries = await self._cache.lookup(pending)
            now = time.time()
            for k, entry in zip(list(pending), entries, strict=True):
                lookup = look(entry, codec, tier, now)
                if lookup.outcome == "hit" and lookup.served is not None:
                    found[k] = lookup.served.value
                    pending.remove(k)
        return found
