"""The state-backend contract: every test runs against MemoryBackend and RedisBackend.

Expiry is checked with short TTLs and a poll loop (never an elapsed-time assertion); token
buckets and breakers take explicit ``now`` values, so they are deterministic and never sleep.
"""

from __future__ import annotations

import asyncio
import math

import pytest

from colonnade.state import (
    BreakerPolicy,
    Breakers,
    BreakerState,
    CacheStore,
    CallState,
    Locks,
    MemoryBackend,
    RecordStore,
    RedisBackend,
    StateBackend,
    Tags,
    TokenBuckets,
    Values,
    create_backend,
)
from colonnade.state.memory import open_period_s

CLOSED, OPEN, HALF_OPEN = BreakerState.CLOSED, BreakerState.OPEN, BreakerState.HALF_OPEN

# One slot per second; four calls at a 50 % failure ratio open it for 5 s, then 10, 20, ... 60.
POLICY = BreakerPolicy(
    window_s=10.0,
    buckets=10,
    min_calls=4,
    failure_ratio=0.5,
    break_s=5.0,
    break_multiplier=2.0,
    break_max_s=60.0,
    probe_lease_s=10.0,
)
T0 = 1_700_000_000.0  # a realistic wall clock: slot ids and floats as big as in production


async def eventually_gone(backend: StateBackend, key: str) -> None:
    """Poll until ``key`` has expired; the 5 s bound is a hang guard, not a timing check."""
    async with asyncio.timeout(5):
        while True:
            if await backend.get(key) is None:
                return
            await asyncio.sleep(0.01)  # a poll of the backend, not of a local flag


async def record(
    backend: StateBackend, key: str, now: float, *outcomes: bool | None
) -> BreakerState:
    state = CLOSED
    for ok in outcomes:
        state = await backend.breaker_record(
            key, ok=ok, probe=False, now=now, policy=POLICY, jitter=1.0
        )
    return state


async def trip(backend: StateBackend, key: str, now: float) -> None:
    assert await record(backend, key, now, True, True, False, False) is OPEN


# --- key/value ---------------------------------------------------------------------------


async def test_conforms_to_protocol(backend: StateBackend) -> None:
    assert isinstance(backend, StateBackend)
    for part in (Values, Locks, Tags, TokenBuckets, Breakers, CacheStore, RecordStore, CallState):
        assert isinstance(backend, part), part  # a component may depend on just this part
    assert backend.name in {"memory", "redis"}
    assert await backend.ping() is True


async def test_get_set_and_expiry(backend: StateBackend) -> None:
    assert await backend.get("k") is None
    await backend.set("k", b"v1", 30)
    await backend.set("short", b"\x00binary\xff", 0.05)
    assert await backend.get("k") == b"v1"
    assert await backend.get("short") == b"\x00binary\xff"
    await backend.set("k", b"v2", 30)
    assert await backend.get("k") == b"v2"
    await eventually_gone(backend, "short")
    assert await backend.get("k") == b"v2"


async def test_set_with_non_positive_ttl_stores_nothing_and_drops_the_old_value(
    backend: StateBackend,
) -> None:
    await backend.set("k", b"old", 30)
    await backend.set("k", b"new", 0)
    assert await backend.get("k") is None
    await backend.set("k", b"new", -1)
    assert await backend.get("k") is None


async def test_tiny_ttl_is_at_least_one_millisecond(backend: StateBackend) -> None:
    await backend.set("k", b"v", 0.0001)  # would be PX 0 (an error in Redis) if not clamped
    await eventually_gone(backend, "k")


async def test_get_many_keeps_order(backend: StateBackend) -> None:
    await backend.set("a", b"1", 30)
    await backend.set("c", b"3", 30)
    assert await backend.get_many(["a", "b", "c", "a"]) == [b"1", None, b"3", b"1"]
    assert await backend.get_many([]) == []


async def test_set_if_absent_race_has_one_winner(backend: StateBackend) -> None:
    results = await asyncio.gather(
        *(backend.set_if_absent("lock", str(i).encode(), 30) for i in range(50))
    )
    assert results.count(True) == 1
    assert await backend.get("lock") == str(results.index(True)).encode()


async def test_set_if_absent_after_expiry(backend: StateBackend) -> None:
    assert await backend.set_if_absent("claim", b"a", 0.05)
    assert not await backend.set_if_absent("claim", b"b", 30)
    await eventually_gone(backend, "claim")
    assert await backend.set_if_absent("claim", b"c", 30)
    assert await backend.get("claim") == b"c"


async def test_set_if_absent_refuses_non_positive_ttl(backend: StateBackend) -> None:
    with pytest.raises(ValueError, match="ttl_s"):
        await backend.set_if_absent("claim", b"a", 0)


async def test_delete_counts_existing_keys(backend: StateBackend) -> None:
    await backend.set("a", b"1", 30)
    await backend.set("b", b"2", 30)
    assert await backend.delete(["a", "b", "missing", "a"]) == 2
    assert await backend.get_many(["a", "b"]) == [None, None]
    assert await backend.delete([]) == 0


async def test_delete_if_equals_releases_only_our_lock(backend: StateBackend) -> None:
    assert not await backend.delete_if_equals("lock", b"mine")
    await backend.set_if_absent("lock", b"theirs", 30)
    assert not await backend.delete_if_equals("lock", b"mine")
    assert await backend.get("lock") == b"theirs"
    assert await backend.delete_if_equals("lock", b"theirs")
    assert await backend.get("lock") is None


# --- tags ----------------------------------------------------------------------------------


async def test_invalidate_tag_deletes_members(backend: StateBackend) -> None:
    for key in ("a", "b", "c", "untagged"):
        await backend.set(key, key.encode(), 30)
    await backend.tag(["customer:1"], "a", 30)
    await backend.tag(["customer:1", "orders"], "b", 30)
    await backend.tag(["orders"], "c", 30)
    await backend.tag([], "c", 30)  # nothing to file under

    assert await backend.invalidate_tag("customer:1") == 2
    assert await backend.get_many(["a", "b", "c", "untagged"]) == [None, None, b"c", b"untagged"]
    assert await backend.invalidate_tag("customer:1") == 0  # the tag went with its members
    assert await backend.invalidate_tag("orders") == 1  # b was already gone: only c counts
    assert await backend.invalidate_tag("never-used") == 0


async def test_tag_expiry_is_extended_never_shortened(backend: StateBackend) -> None:
    await backend.set("long", b"1", 30)
    await backend.set("short", b"2", 0.05)
    await backend.tag(["t"], "long", 30)
    await backend.tag(["t"], "short", 0.05)  # must not cut the tag's 30 s down to 50 ms
    await eventually_gone(backend, "short")
    await asyncio.sleep(0.05)
    assert await backend.invalidate_tag("t") == 1
    assert await backend.get("long") is None


async def test_tag_expiry_grows_with_a_longer_member(backend: StateBackend) -> None:
    await backend.set("short", b"1", 0.05)
    await backend.tag(["t"], "short", 0.05)
    await backend.set("long", b"2", 30)
    await backend.tag(["t"], "long", 30)
    await eventually_gone(backend, "short")
    await asyncio.sleep(0.05)
    assert await backend.invalidate_tag("t") == 1
    assert await backend.get("long") is None


# --- token bucket --------------------------------------------------------------------------


async def test_token_bucket_takes_refills_and_waits(backend: StateBackend) -> None:
    take = {"rate_per_s": 2.0, "burst": 3.0}
    assert [await backend.take_token("api", **take, now=T0) for _ in range(3)] == [0.0] * 3
    assert await backend.take_token("api", **take, now=T0) == pytest.approx(0.5)
    assert await backend.take_token("api", **take, now=T0 + 0.25) == pytest.approx(0.25)
    assert await backend.take_token("api", **take, now=T0 + 0.5) == 0.0
    assert await backend.take_token("api", **take, now=T0 + 0.5) == pytest.approx(0.5)
    # A long pause refills to burst, not beyond.
    assert [await backend.take_token("api", **take, now=T0 + 100) for _ in range(4)] == [
        0.0,
        0.0,
        0.0,
        pytest.approx(0.5),
    ]
    # Buckets are independent.
    assert await backend.take_token("other", **take, now=T0 + 100) == 0.0


async def test_token_bucket_takes_a_weighted_count(backend: StateBackend) -> None:
    take = {"rate_per_s": 2.0, "burst": 10.0}
    assert await backend.take_token("cost", **take, now=T0, count=6) == 0.0
    # 4 left: 6 more are 1 s away, and nothing is taken meanwhile.
    assert await backend.take_token("cost", **take, now=T0, count=6) == pytest.approx(1.0)
    assert await backend.take_token("cost", **take, now=T0, count=4) == 0.0
    assert await backend.take_token("cost", **take, now=T0 + 1, count=2) == 0.0


async def test_token_bucket_ignores_a_clock_going_backwards(backend: StateBackend) -> None:
    take = {"rate_per_s": 1.0, "burst": 1.0}
    assert await backend.take_token("api", **take, now=T0 + 10) == 0.0
    # A replica whose clock lags 5 s must not be credited tokens, nor re-credit later.
    assert await backend.take_token("api", **take, now=T0 + 5) == pytest.approx(1.0)
    assert await backend.take_token("api", **take, now=T0 + 10.5) == pytest.approx(0.5)
    assert await backend.take_token("api", **take, now=T0 + 11) == 0.0


async def test_token_bucket_rejects_nonsense(backend: StateBackend) -> None:
    with pytest.raises(ValueError, match="rate_per_s"):
        await backend.take_token("api", rate_per_s=0, burst=1, now=T0)
    with pytest.raises(ValueError, match="burst"):
        await backend.take_token("api", rate_per_s=1, burst=0.5, now=T0)


async def test_set_tokens_only_lowers(backend: StateBackend) -> None:
    bucket = {"rate_per_s": 1.0, "burst": 10.0}
    # A bucket that did not exist yet starts full, then is lowered.
    await backend.set_tokens("api", tokens=2, **bucket, now=T0)
    assert await backend.take_token("api", **bucket, now=T0) == 0.0
    assert await backend.take_token("api", **bucket, now=T0) == 0.0
    assert await backend.take_token("api", **bucket, now=T0) == pytest.approx(1.0)
    # A provider's "remaining: 5" cannot raise an empty bucket.
    await backend.set_tokens("api", tokens=5, **bucket, now=T0)
    assert await backend.take_token("api", **bucket, now=T0) == pytest.approx(1.0)
    # Refill happens first: 3 s later there are 3 tokens, and "remaining: 5" keeps 3.
    await backend.set_tokens("api", tokens=5, **bucket, now=T0 + 3)
    assert [await backend.take_token("api", **bucket, now=T0 + 3) for _ in range(4)] == [
        0.0,
        0.0,
        0.0,
        pytest.approx(1.0),
    ]
    # Negative "remaining" is treated as none left.
    await backend.set_tokens("fresh", tokens=-3, **bucket, now=T0)
    assert await backend.take_token("fresh", **bucket, now=T0) == pytest.approx(1.0)


# --- circuit breaker -----------------------------------------------------------------------


async def test_breaker_full_cycle(backend: StateBackend) -> None:
    key = "crm"
    permit = await backend.breaker_acquire(key, now=T0, policy=POLICY)
    assert (permit.allowed, permit.probe, permit.state) == (True, False, CLOSED)

    # 4 calls (min_calls), 2 failures (ratio 0.5): the fourth opens it for break_s = 5 s.
    assert await record(backend, key, T0, True, True, False) is CLOSED
    assert await record(backend, key, T0 + 1, False) is OPEN
    snap = await backend.breaker_snapshot(key, now=T0 + 1, policy=POLICY)
    assert (snap.state, snap.calls, snap.failures, snap.trips) == (OPEN, 4, 2, 1)
    assert snap.open_until == pytest.approx(T0 + 6)

    # Open: rejected with the time a probe becomes possible.
    permit = await backend.breaker_acquire(key, now=T0 + 3, policy=POLICY)
    assert (permit.allowed, permit.probe, permit.state) == (False, False, OPEN)
    assert permit.retry_at == pytest.approx(T0 + 6)
    # A call that started before the trip reports late: ignored.
    assert await record(backend, key, T0 + 3, True) is OPEN
    assert (await backend.breaker_snapshot(key, now=T0 + 3, policy=POLICY)).calls == 4

    # Break over: among 20 concurrent callers exactly one is the probe.
    permits = await asyncio.gather(
        *(backend.breaker_acquire(key, now=T0 + 6, policy=POLICY) for _ in range(20))
    )
    probes = [p for p in permits if p.probe]
    assert len(probes) == 1
    assert probes[0].allowed
    assert probes[0].state is HALF_OPEN
    rejected = [p for p in permits if not p.probe]
    assert all(not p.allowed and p.state is HALF_OPEN for p in rejected)
    assert all(p.retry_at == pytest.approx(T0 + 16) for p in rejected)  # + probe_lease_s

    # The probe fails: open again, for 2 × 5 s, times the jitter passed in.
    state = await backend.breaker_record(
        key, ok=False, probe=True, now=T0 + 7, policy=POLICY, jitter=1.2
    )
    assert state is OPEN
    snap = await backend.breaker_snapshot(key, now=T0 + 7, policy=POLICY)
    assert (snap.state, snap.trips) == (OPEN, 2)
    assert snap.open_until == pytest.approx(T0 + 7 + 12)
    assert not (await backend.breaker_acquire(key, now=T0 + 18, policy=POLICY)).allowed

    # The next probe succeeds: closed, window cleared, trips forgotten.
    probe = await backend.breaker_acquire(key, now=T0 + 20, policy=POLICY)
    assert (probe.allowed, probe.probe) == (True, True)
    state = await backend.breaker_record(
        key, ok=True, probe=True, now=T0 + 21, policy=POLICY, jitter=1.0
    )
    assert state is CLOSED
    snap = await backend.breaker_snapshot(key, now=T0 + 21, policy=POLICY)
    assert (snap.state, snap.calls, snap.failures, snap.trips, snap.open_until) == (
        CLOSED,
        0,
        0,
        0,
        None,
    )
    permit = await backend.breaker_acquire(key, now=T0 + 21, policy=POLICY)
    assert (permit.allowed, permit.probe, permit.state) == (True, False, CLOSED)


async def test_breaker_open_period_grows_then_caps(backend: StateBackend) -> None:
    key, now = "erp", T0
    await trip(backend, key, now)
    periods = []
    for _ in range(6):
        snap = await backend.breaker_snapshot(key, now=now, policy=POLICY)
        periods.append(round(snap.open_until - now, 6) if snap.open_until else None)
        now = snap.open_until or now
        assert (await backend.breaker_acquire(key, now=now, policy=POLICY)).probe
        await backend.breaker_record(key, ok=False, probe=True, now=now, policy=POLICY, jitter=1.0)
    assert periods == [5.0, 10.0, 20.0, 40.0, 60.0, 60.0]
    assert (await backend.breaker_snapshot(key, now=now, policy=POLICY)).trips == 7


async def test_breaker_stays_closed_under_min_calls(backend: StateBackend) -> None:
    assert await record(backend, "crm", T0, False, False, False) is CLOSED
    snap = await backend.breaker_snapshot("crm", now=T0, policy=POLICY)
    assert (snap.state, snap.calls, snap.failures, snap.trips) == (CLOSED, 3, 3, 0)
    assert (await backend.breaker_acquire("crm", now=T0, policy=POLICY)).allowed


async def test_breaker_stays_closed_below_ratio(backend: StateBackend) -> None:
    assert await record(backend, "crm", T0, True, True, True, False, True, False, True) is CLOSED
    snap = await backend.breaker_snapshot("crm", now=T0, policy=POLICY)
    assert (snap.calls, snap.failures) == (7, 2)


async def test_breaker_counts_an_outcome_that_is_neither_as_nothing(
    backend: StateBackend,
) -> None:
    """A client's 4xx (ok=None) is neither a failure nor a success. Counted as successes,
    2 failures among 14 calls would stay closed; not counted, they are 2 of 4 and open it."""
    assert await record(backend, "vies", T0, False, False, *[None] * 10) is CLOSED
    snap = await backend.breaker_snapshot("vies", now=T0, policy=POLICY)
    assert (snap.calls, snap.failures) == (2, 2)  # under min_calls: the ten left no trace
    assert await record(backend, "vies", T0, True) is CLOSED
    assert await record(backend, "vies", T0, True) is OPEN
    snap = await backend.breaker_snapshot("vies", now=T0, policy=POLICY)
    assert (snap.state, snap.calls, snap.failures) == (OPEN, 4, 2)


async def test_breaker_probe_that_is_neither_hands_the_probe_on(backend: StateBackend) -> None:
    """A probe answered with a client's 4xx proves nothing: the breaker stays half-open and
    the next caller probes at once (not after the probe's 10 s lease)."""
    await trip(backend, "crm", T0)
    assert (await backend.breaker_acquire("crm", now=T0 + 5, policy=POLICY)).probe
    state = await backend.breaker_record(
        "crm", ok=None, probe=True, now=T0 + 6, policy=POLICY, jitter=1.0
    )
    assert state is HALF_OPEN
    snap = await backend.breaker_snapshot("crm", now=T0 + 6, policy=POLICY)
    assert (snap.state, snap.trips) == (HALF_OPEN, 1)
    second = await backend.breaker_acquire("crm", now=T0 + 6, policy=POLICY)
    assert (second.allowed, second.probe) == (True, True)
    third = await backend.breaker_acquire("crm", now=T0 + 6, policy=POLICY)
    assert (third.allowed, third.probe) == (False, False)  # still one probe at a time
    state = await backend.breaker_record(
        "crm", ok=True, probe=True, now=T0 + 7, policy=POLICY, jitter=1.0
    )
    assert state is CLOSED


async def test_breaker_old_slots_leave_the_window(backend: StateBackend) -> None:
    assert await record(backend, "crm", T0, False, False, False) is CLOSED
    # 10 s later those failures are out of the window: one more failure is 1 call, not 4.
    assert await record(backend, "crm", T0 + 10, False) is CLOSED
    snap = await backend.breaker_snapshot("crm", now=T0 + 10, policy=POLICY)
    assert (snap.calls, snap.failures) == (1, 1)
    # Within the window slots add up: 9 s after T0 + 10 that failure still counts.
    assert await record(backend, "crm", T0 + 19, False, False) is CLOSED
    assert await record(backend, "crm", T0 + 19.5, False) is OPEN
    # Snapshots age too: long after, the window is empty while the state stays OPEN.
    snap = await backend.breaker_snapshot("crm", now=T0 + 100, policy=POLICY)
    assert (snap.state, snap.calls, snap.failures) == (OPEN, 0, 0)


async def test_breaker_probe_lease_expiry_regrants(backend: StateBackend) -> None:
    await trip(backend, "crm", T0)
    first = await backend.breaker_acquire("crm", now=T0 + 5, policy=POLICY)
    assert first.probe
    waiting = await backend.breaker_acquire("crm", now=T0 + 14, policy=POLICY)
    assert (waiting.allowed, waiting.state) == (False, HALF_OPEN)
    assert waiting.retry_at == pytest.approx(T0 + 15)
    # The first probe never reported; after its lease the next caller probes instead.
    second = await backend.breaker_acquire("crm", now=T0 + 15, policy=POLICY)
    assert (second.allowed, second.probe) == (True, True)
    state = await backend.breaker_record(
        "crm", ok=True, probe=True, now=T0 + 16, policy=POLICY, jitter=1.0
    )
    assert state is CLOSED
    # The first probe reports at last: another probe already decided, so it is ignored.
    state = await backend.breaker_record(
        "crm", ok=False, probe=True, now=T0 + 17, policy=POLICY, jitter=1.0
    )
    assert state is CLOSED
    assert (await backend.breaker_snapshot("crm", now=T0 + 17, policy=POLICY)).failures == 0


async def test_breaker_open_past_its_time_is_reported_open_until_acquired(
    backend: StateBackend,
) -> None:
    await trip(backend, "crm", T0)
    assert (await backend.breaker_snapshot("crm", now=T0 + 50, policy=POLICY)).state is OPEN
    assert (await backend.breaker_acquire("crm", now=T0 + 50, policy=POLICY)).probe
    assert (await backend.breaker_snapshot("crm", now=T0 + 50, policy=POLICY)).state is HALF_OPEN


async def test_breaker_reset_and_isolation(backend: StateBackend) -> None:
    await trip(backend, "crm", T0)
    assert (await backend.breaker_acquire("erp", now=T0, policy=POLICY)).allowed
    await backend.breaker_reset("crm")
    await backend.breaker_reset("never-existed")
    snap = await backend.breaker_snapshot("crm", now=T0, policy=POLICY)
    assert (snap.state, snap.calls, snap.trips, snap.open_until) == (CLOSED, 0, 0, None)


async def test_breaker_rejects_bad_jitter(backend: StateBackend) -> None:
    with pytest.raises(ValueError, match="jitter"):
        await backend.breaker_record("crm", ok=True, probe=False, now=T0, policy=POLICY, jitter=0)


# --- memory-only: bounds; module helpers -------------------------------------------------------


async def test_memory_evicts_least_recently_used() -> None:
    memory = MemoryBackend(max_entries=3)
    for key in ("a", "b", "c"):
        await memory.set(key, key.encode(), 30)
    assert await memory.get("a") == b"a"  # a is now more recent than b
    await memory.set("d", b"d", 30)
    assert await memory.get_many(["a", "b", "c", "d"]) == [b"a", None, b"c", b"d"]


async def test_memory_evicts_expired_entries_before_live_ones() -> None:
    memory = MemoryBackend(max_entries=4)
    await memory.set("old-but-live", b"1", 30)
    await memory.set("x", b"2", 0.01)
    await memory.set("y", b"3", 0.01)
    await memory.set("z", b"4", 30)
    await asyncio.sleep(0.05)  # let x and y expire without reading them
    await memory.set("new1", b"5", 30)
    await memory.set("new2", b"6", 30)
    assert await memory.get("old-but-live") == b"1"


async def test_memory_bounds_tags_buckets_and_breakers() -> None:
    memory = MemoryBackend(max_entries=2)
    for i in range(5):
        await memory.tag([f"t{i}"], "k", 30)
        await memory.take_token(f"b{i}", rate_per_s=1, burst=1, now=T0)
        await memory.breaker_record(f"br{i}", ok=True, probe=False, now=T0, policy=POLICY, jitter=1)
    assert len(memory._tags) == len(memory._buckets) == len(memory._breakers) == 2


def test_open_period_survives_overflow() -> None:
    policy = BreakerPolicy(break_s=5, break_multiplier=10, break_max_s=60)
    assert open_period_s(policy, 10_000, 1.1) == pytest.approx(66.0)
    assert math.isfinite(open_period_s(policy, 10_000, 1.0))


async def test_create_backend_picks_by_url() -> None:
    memory = create_backend(None, max_entries=5)
    assert isinstance(memory, MemoryBackend)
    shared = create_backend("redis://127.0.0.1:1/0", prefix="x:")  # does not connect
    assert isinstance(shared, RedisBackend)
    assert shared.name == "redis"
    await shared.aclose()
