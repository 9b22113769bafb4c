"""The state-backend interface: everything replicas must share, one protocol per concern.

Cache entries, idempotency records, singleflight locks, rate-limit buckets and circuit-breaker
state all live here. Two implementations exist: in-process memory (the embedded default, no
Redis needed) and Redis (shared by every replica). Each compound operation (take a token, open
a breaker, grant the single half-open probe) is *atomic* in both: a lock-free critical section
in memory, one Lua script in Redis. That is why the algorithms live in the backend and not in
the pipeline layers that call them: two processes on one Redis must see one state.

Time is passed in (``now``, wall-clock seconds) rather than read inside the backend, so every
replica and every test agrees on the clock that decided a transition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol, runtime_checkable


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


@dataclass(frozen=True, slots=True)
class BreakerPolicy:
    """How one circuit breaker decides; see ``colonnade.pipeline.breaker``."""

    window_s: float = 30.0
    """Failure ratio is computed over calls finished in the last ``window_s`` seconds."""
    buckets: int = 10
    """The window is kept as this many sub-buckets (a sliding window of fixed slots)."""
    min_calls: int = 10
    """Below this many calls in the window the breaker never opens."""
    failure_ratio: float = 0.5
    """Open when failures / calls in the window reach this ratio."""
    break_s: float = 5.0
    """First open period; grows by ``break_multiplier`` on each consecutive trip."""
    break_multiplier: float = 2.0
    break_max_s: float = 60.0
    probe_lease_s: float = 10.0
    """A granted half-open probe that never reports back frees the slot after this long."""


@dataclass(frozen=True, slots=True)
class BreakerPermit:
    """The answer to "may I call?"."""

    allowed: bool
    probe: bool
    """True when this call is the single half-open probe; report it with ``probe=True``."""
    state: BreakerState
    retry_at: float | None = None
    """When rejected: wall-clock time at which a probe may be granted."""


@dataclass(frozen=True, slots=True)
class BreakerSnapshot:
    state: BreakerState
    calls: int
    failures: int
    trips: int
    open_until: float | None


@runtime_checkable
class Values(Protocol):
    """Key/value with expiry: cache entries, idempotency records, last-known-good values."""

    async def get(self, key: str) -> bytes | None: ...

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]: ...

    async def set(self, key: str, value: bytes, ttl_s: float) -> None: ...

    async def delete(self, keys: Sequence[str]) -> int: ...


@runtime_checkable
class Locks(Protocol):
    """Short leases on a key: stampede locks, idempotency claims."""

    async def set_if_absent(self, key: str, value: bytes, ttl_s: float) -> bool:
        """Store only when the key is absent; True when stored (a lock or a claim was taken)."""
        ...

    async def delete_if_equals(self, key: str, expected: bytes) -> bool:
        """Delete only when the value is still ``expected`` (release a lock we own)."""
        ...


@runtime_checkable
class Tags(Protocol):
    """Named sets of keys, for invalidation by tag."""

    async def tag(self, tags: Sequence[str], key: str, ttl_s: float) -> None: ...

    async def invalidate_tag(self, tag: str) -> int:
        """Delete every key filed under ``tag`` and the tag itself; returns keys deleted."""
        ...


@runtime_checkable
class TokenBuckets(Protocol):
    """Token buckets: proactive rate limiting."""

    async def take_token(
        self, key: str, *, rate_per_s: float, burst: float, now: float, count: float = 1.0
    ) -> float:
        """Take ``count`` tokens (one: a request; more: a weighted cost, e.g. a GraphQL
        operation's price). Returns 0.0 when taken, else the seconds until that many are
        available (and takes nothing)."""
        ...

    async def set_tokens(
        self, key: str, *, tokens: float, rate_per_s: float, burst: float, now: float
    ) -> None:
        """Lower the bucket to ``tokens`` (never raises it): a provider said how much is left."""
        ...


@runtime_checkable
class Breakers(Protocol):
    """Circuit-breaker state machines, one per key."""

    async def breaker_acquire(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerPermit: ...

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
        """Record one finished call: ``ok`` True (a success), False (a failure) or None (an
        outcome that says nothing about the provider's health, e.g. a client's 4xx: counted
        as neither; a probe's lease is released so the next call probes). ``jitter`` (e.g.
        0.8–1.2) multiplies the next open period."""
        ...

    async def breaker_snapshot(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerSnapshot: ...

    async def breaker_reset(self, key: str) -> None: ...


@runtime_checkable
class CacheStore(Values, Tags, Protocol):
    """What the response cache needs: values and their tags."""


@runtime_checkable
class RecordStore(Values, Locks, Protocol):
    """What idempotency records need: values, and a claim on each."""


@runtime_checkable
class CallState(Breakers, TokenBuckets, Protocol):
    """What the resilient call needs: its breakers and its rate-limit buckets."""


@runtime_checkable
class StateBackend(Values, Locks, Tags, TokenBuckets, Breakers, Protocol):
    """All of the shared state, one backend. Every method may raise ``StateUnavailable``
    (see colonnade.errors). A component depends on the part it uses (``Values``, ``Locks``,
    ``Tags``, ``TokenBuckets``, ``Breakers``, or a union such as ``CacheStore``)."""

    name: str

    async def ping(self) -> bool: ...

    async def aclose(self) -> None: ...
