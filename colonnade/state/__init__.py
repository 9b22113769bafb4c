"""Shared state: memory (embedded default) or Redis (shared by replicas), one interface.

``create_backend(settings.redis_url)`` picks one: a URL means Redis, none means memory
(``COLONNADE_REDIS_URL`` set → Redis; unset → in-process memory, see the design brief).
"""

from __future__ import annotations

from typing import Any

from colonnade.state.base import (
    BreakerPermit,
    BreakerPolicy,
    Breakers,
    BreakerSnapshot,
    BreakerState,
    CacheStore,
    CallState,
    Locks,
    RecordStore,
    StateBackend,
    Tags,
    TokenBuckets,
    Values,
)
from colonnade.state.memory import MemoryBackend
from colonnade.state.redis import RedisBackend

__all__ = [
    "BreakerPermit",
    "BreakerPolicy",
    "BreakerSnapshot",
    "BreakerState",
    "Breakers",
    "CacheStore",
    "CallState",
    "Locks",
    "MemoryBackend",
    "RecordStore",
    "RedisBackend",
    "StateBackend",
    "Tags",
    "TokenBuckets",
    "Values",
    "create_backend",
]


def create_backend(redis_url: str | None, **kw: Any) -> StateBackend:
    """Redis when a URL is given (``kw`` go to RedisBackend), else memory (``kw`` go to
    MemoryBackend, e.g. ``max_entries``). Never connects: a dead Redis shows up per call."""
    if redis_url:
        return RedisBackend(redis_url, **kw)
    return MemoryBackend(**kw)
