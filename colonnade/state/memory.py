"""In-process state backend, and the one statement of the algorithms both backends run.

The Redis backend runs the same algorithms as Lua scripts (``colonnade/state/lua/``); this
docstring is the description both follow, and the contract suite in ``tests/state`` runs
against both. Keep them in step.

Key/value
    An entry expires ``ttl_s`` seconds after it is written (float seconds, kept to the
    millisecond, at least 1 ms). ``set`` with ``ttl_s <= 0`` stores nothing and removes any
    previous value, as if the new value had expired at once (a ``live`` tier caches nothing,
    and never leaves an older answer behind). ``set_if_absent`` refuses ``ttl_s <= 0`` with
    ``ValueError``: a lock or claim that never expires, or never exists, is a bug.
    ``set_if_absent``/``delete_if_equals`` are lock semantics (SET NX PX; compare-and-delete).

Tags
    A tag is a set of keys. ``tag`` files the key under each tag and extends the tag's own
    expiry to at least ``ttl_s`` (never shortens it), so a tag outlives the keys filed under
    it; ``ttl_s <= 0`` files nothing (such a key was never stored). ``invalidate_tag`` deletes
    the members and the tag in one step and returns how many members still existed.

Token bucket (capacity ``burst``, refill ``rate_per_s``; state: tokens, updated_at)
    Refill: tokens = min(burst, tokens + max(0, now - updated_at) * rate), and updated_at
    never moves backwards, so a replica whose clock lags cannot credit one interval twice.
    A missing bucket is full. ``take_token`` (n = ``count``, default 1): refill; if
    tokens >= n take n and return 0.0, else return (n - tokens) / rate and take nothing.
    ``set_tokens``: refill, then tokens = min(tokens, max(0, given)) — a provider's
    "remaining" can only lower us.

Circuit breaker (``BreakerPolicy``)
    State CLOSED / OPEN / HALF_OPEN, consecutive ``trips``, ``open_until``, ``probe_until``
    and a sliding window of ``buckets`` slots: slot_len = window_s / buckets, the current slot
    id is floor(now / slot_len), stored at index id mod buckets as (id, calls, failures); a
    slot counts while current - buckets < id <= current, older ones are overwritten on reuse.
    A missing breaker is CLOSED with an empty window.

    acquire: CLOSED → allowed. OPEN and now < open_until → rejected, retry at open_until.
    OPEN and now >= open_until → HALF_OPEN, and this caller is the single probe, leased until
    now + probe_lease_s. HALF_OPEN → rejected (retry at probe_until) until the lease runs out;
    a run-out lease (the probe never reported) goes to the next caller.

    record (a verdict: ok, failure, or neither — an outcome that is not the provider's fault
    and proves nothing about its health either, e.g. a client's 4xx): a probe while
    HALF_OPEN — success closes (window cleared, trips 0), failure opens again, neither
    releases the probe's lease (the next acquire grants a new probe). A regular call while
    CLOSED with neither verdict is not counted at all. A regular call while CLOSED is
    otherwise counted in the current slot; then, if the
    window holds >= min_calls calls, at least one failure and failures / calls >=
    failure_ratio, the breaker opens. Anything else (a call that started before a trip, a
    late probe after another one decided) is ignored. Opening sets trips += 1 and
    open_until = now + min(break_s * break_multiplier ** (trips - 1), break_max_s) * jitter.
    Returns the state after recording.

    snapshot: the stored state — an OPEN breaker whose open_until has passed is still
    reported OPEN until the next acquire turns it HALF_OPEN — with calls/failures of the
    window at ``now``; ``open_until`` is None while CLOSED.

This backend keeps everything in dicts and never awaits inside an operation, so each one is
atomic on its event loop (it is not thread-safe: one loop per backend). Every store is
bounded by ``max_entries`` with least-recently-used eviction; expired entries are dropped
when read and swept before anything live is evicted.
"""

from __future__ import annotations

import math
import time
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field

from colonnade.state.base import (
    BreakerPermit,
    BreakerPolicy,
    BreakerSnapshot,
    BreakerState,
)

_CLOSED, _OPEN, _HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN


# --- shared by both backends: argument checks and derived numbers -----------------------


def ttl_ms(ttl_s: float) -> int:
    """A positive TTL in whole milliseconds (at least 1), as Redis PX wants it."""
    return max(1, round(ttl_s * 1000))


def check_bucket(rate_per_s: float, burst: float) -> None:
    if not rate_per_s > 0:
        raise ValueError(f"rate_per_s must be > 0, got {rate_per_s!r}")
    if not burst >= 1:
        raise ValueError(f"burst must be >= 1 (else no token is ever whole), got {burst!r}")


def check_breaker(policy: BreakerPolicy, jitter: float = 1.0) -> None:
    if not (policy.window_s > 0 and policy.buckets >= 1 and policy.probe_lease_s > 0):
        raise ValueError(f"breaker policy needs window_s > 0, buckets >= 1, lease > 0: {policy}")
    if not jitter > 0:
        raise ValueError(f"jitter must be > 0, got {jitter!r}")


def open_period_s(policy: BreakerPolicy, trips: int, jitter: float) -> float:
    """How long the breaker stays open after its ``trips``-th consecutive trip."""
    try:
        grown = policy.break_s * policy.break_multiplier ** (trips - 1)
    except OverflowError:  # a provider down for days: Lua gets inf here, we cap the same way
        grown = math.inf
    return min(grown, policy.break_max_s) * jitter


def bucket_idle_ttl_ms(rate_per_s: float, burst: float) -> int:
    """A bucket untouched for this long is full again, so forgetting it changes nothing."""
    return ttl_ms(max(60.0, 2 * burst / rate_per_s))


def breaker_idle_ttl_ms(policy: BreakerPolicy) -> int:
    """Several windows / open periods: long enough that only an abandoned breaker expires."""
    return ttl_ms(max(60.0, 3 * max(policy.window_s, policy.break_max_s, policy.probe_lease_s)))


# --- the algorithms, in Python ------------------------------------------------------------


@dataclass(slots=True)
class _Breaker:
    state: BreakerState = _CLOSED
    trips: int = 0
    open_until: float = 0.0
    probe_until: float = 0.0
    slots: dict[int, tuple[int, int, int]] = field(default_factory=dict)
    """index → (slot id, calls, failures)."""

    def window(self, now: float, policy: BreakerPolicy) -> tuple[int, int]:
        current = math.floor(now / (policy.window_s / policy.buckets))
        calls = failures = 0
        for slot_id, c, f in self.slots.values():
            if current - policy.buckets < slot_id <= current:
                calls += c
                failures += f
        return calls, failures


def _refill(
    state: tuple[float, float] | None, rate: float, burst: float, now: float
) -> tuple[float, float]:
    tokens, updated = state if state is not None else (burst, now)
    return min(burst, tokens + max(0.0, now - updated) * rate), max(updated, now)


class MemoryBackend:
    """Shared state for one process: the embedded default when no Redis is configured."""

    name = "memory"

    def __init__(self, max_entries: int = 10_000) -> None:
        if max_entries < 1:
            raise ValueError(f"max_entries must be >= 1, got {max_entries!r}")
        self._max = max_entries
        self._kv: OrderedDict[str, tuple[bytes, float]] = OrderedDict()
        self._tags: OrderedDict[str, tuple[set[str], float]] = OrderedDict()
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()
        self._breakers: OrderedDict[str, _Breaker] = OrderedDict()
        self._writes_since_sweep = 0

    # --- key/value ---------------------------------------------------------------------

    def _live(self, key: str, now: float) -> bytes | None:
        entry = self._kv.get(key)
        if entry is None:
            return None
        if entry[1] <= now:
            del self._kv[key]
            return None
        self._kv.move_to_end(key)
        return entry[0]

    def _store(self, key: str, value: bytes, ttl_s: float, now: float) -> None:
        self._kv[key] = (value, now + ttl_ms(ttl_s) / 1000)
        self._kv.move_to_end(key)
        self._writes_since_sweep += 1
        if len(self._kv) > self._max:
            # Sweeping is O(n); doing it at most once per max/4 writes keeps writes O(1).
            if self._writes_since_sweep >= self._max // 4:
                self._sweep(now)
            while len(self._kv) > self._max:
                self._kv.popitem(last=False)

    def _sweep(self, now: float) -> None:
        self._writes_since_sweep = 0
        for store in (self._kv, self._tags):
            for key in [k for k, (_, expires) in store.items() if expires <= now]:
                del store[key]

    async def get(self, key: str) -> bytes | None:
        return self._live(key, time.monotonic())

    async def get_many(self, keys: Sequence[str]) -> list[bytes | None]:
        now = time.monotonic()
        return [self._live(key, now) for key in keys]

    async def set(self, key: str, value: bytes, ttl_s: float) -> None:
        if ttl_s <= 0:
            self._kv.pop(key, None)
            return
        self._store(key, value, ttl_s, time.monotonic())

    async def set_if_absent(self, key: str, value: bytes, ttl_s: float) -> bool:
        if ttl_s <= 0:
            raise ValueError(f"set_if_absent needs ttl_s > 0, got {ttl_s!r}")
        now = time.monotonic()
        if self._live(key, now) is not None:
            return False
        self._store(key, value, ttl_s, now)
        return True

    async def delete(self, keys: Sequence[str]) -> int:
        now = time.monotonic()
        deleted = 0
        for key in set(keys):
            if self._live(key, now) is not None:
                del self._kv[key]
                deleted += 1
        return deleted

    async def delete_if_equals(self, key: str, expected: bytes) -> bool:
        if self._live(key, time.monotonic()) != expected:
            return False
        del self._kv[key]
        return True

    # --- tags ----------------------------------------------------------------------------

    async def tag(self, tags: Sequence[str], key: str, ttl_s: float) -> None:
        if ttl_s <= 0:
            return
        now = time.monotonic()
        expires = now + ttl_ms(ttl_s) / 1000
        for name in tags:
            members, old_expires = self._tags.get(name, (set(), 0.0))
            if old_expires <= now:
                members = set()
            members.add(key)
            self._tags[name] = (members, max(old_expires, expires))
            self._tags.move_to_end(name)
        while len(self._tags) > self._max:
            self._tags.popitem(last=False)

    async def invalidate_tag(self, tag: str) -> int:
        members, expires = self._tags.pop(tag, (set(), 0.0))
        now = time.monotonic()
        if expires <= now:
            return 0
        deleted = 0
        for key in members:
            if self._live(key, now) is not None:
                del self._kv[key]
                deleted += 1
        return deleted

    # --- token bucket ----------------------------------------------------------------------

    def _put_bucket(self, key: str, state: tuple[float, float]) -> None:
        self._buckets[key] = state
        self._buckets.move_to_end(key)
        if len(self._buckets) > self._max:
            self._buckets.popitem(last=False)

    async def take_token(
        self, key: str, *, rate_per_s: float, burst: float, now: float, count: float = 1.0
    ) -> float:
        check_bucket(rate_per_s, burst)
        tokens, updated = _refill(self._buckets.get(key), rate_per_s, burst, now)
        wait = 0.0
        if tokens >= count:
            tokens -= count
        else:
            wait = (count - tokens) / rate_per_s
        self._put_bucket(key, (tokens, updated))
        return wait

    async def set_tokens(
        self, key: str, *, tokens: float, rate_per_s: float, burst: float, now: float
    ) -> None:
        check_bucket(rate_per_s, burst)
        current, updated = _refill(self._buckets.get(key), rate_per_s, burst, now)
        self._put_bucket(key, (min(current, max(0.0, tokens)), updated))

    # --- circuit breaker -------------------------------------------------------------------

    def _breaker(self, key: str) -> _Breaker:
        breaker = self._breakers.get(key)
        if breaker is None:
            breaker = self._breakers[key] = _Breaker()
            if len(self._breakers) > self._max:
                self._breakers.popitem(last=False)
        self._breakers.move_to_end(key)
        return breaker

    async def breaker_acquire(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerPermit:
        check_breaker(policy)
        b = self._breakers.get(key)
        if b is None or b.state is _CLOSED:
            return BreakerPermit(allowed=True, probe=False, state=_CLOSED)
        if b.state is _OPEN and now < b.open_until:
            return BreakerPermit(allowed=False, probe=False, state=_OPEN, retry_at=b.open_until)
        if b.state is _HALF_OPEN and now < b.probe_until:
            return BreakerPermit(
                allowed=False, probe=False, state=_HALF_OPEN, retry_at=b.probe_until
            )
        # Open period over, or the last probe's lease ran out: this caller is the probe.
        b.state, b.probe_until = _HALF_OPEN, now + policy.probe_lease_s
        self._breakers.move_to_end(key)
        return BreakerPermit(allowed=True, probe=True, state=_HALF_OPEN)

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
        b = self._breaker(key)
        if probe:
            if b.state is not _HALF_OPEN:
                return b.state  # a late probe: another one already decided
            if ok is None:
                b.probe_until = 0.0  # it decided nothing: the next caller probes
                return _HALF_OPEN
            if ok:
                self._breakers[key] = _Breaker()
                return _CLOSED
            return self._trip(b, now, policy, jitter)
        if b.state is not _CLOSED:
            return b.state  # started before the trip: says nothing about the provider now
        if ok is None:
            return _CLOSED  # not the provider's fault, nor proof of its health: not counted
        current = math.floor(now / (policy.window_s / policy.buckets))
        index = current % policy.buckets
        slot_id, calls, failures = b.slots.get(index, (current, 0, 0))
        if slot_id != current:
            calls = failures = 0
        b.slots[index] = (current, calls + 1, failures + (0 if ok else 1))
        calls, failures = b.window(now, policy)
        if calls >= policy.min_calls and failures > 0 and failures / calls >= policy.failure_ratio:
            return self._trip(b, now, policy, jitter)
        return _CLOSED

    @staticmethod
    def _trip(b: _Breaker, now: float, policy: BreakerPolicy, jitter: float) -> BreakerState:
        b.trips += 1
        b.state, b.open_until = _OPEN, now + open_period_s(policy, b.trips, jitter)
        b.probe_until = 0.0
        return _OPEN

    async def breaker_snapshot(
        self, key: str, *, now: float, policy: BreakerPolicy
    ) -> BreakerSnapshot:
        check_breaker(policy)
        b = self._breakers.get(key) or _Breaker()
        calls, failures = b.window(now, policy)
        open_until = None if b.state is _CLOSED else b.open_until
        return BreakerSnapshot(b.state, calls, failures, b.trips, open_until)

    async def breaker_reset(self, key: str) -> None:
        self._breakers.pop(key, None)

    # --- lifecycle -------------------------------------------------------------------------

    async def ping(self) -> bool:
        return True

    async def aclose(self) -> None:
        """Nothing to release; the state stays readable (a closed process forgets it anyway)."""
