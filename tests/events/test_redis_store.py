"""The same storm with Redis: events in a stream with a consumer group, two replicas."""

from __future__ import annotations

import asyncio
import json
from contextlib import ExitStack
from typing import Any

import pytest
from events.conftest import ServeFacade
from events.support import serve_app, wait_for

from colonnade.app import create_app
from colonnade.events.redis_store import RedisEventStore
from colonnade.sandboxes import SandboxSet


def outcomes(url: str, prefix: str) -> list[dict[str, Any]]:
    async def read() -> list[dict[str, Any]]:
        store = RedisEventStore(url, prefix)
        try:
            return await store.events(limit=10_000)
        finally:
            await store.aclose()

    return asyncio.run(read())


def handled(url: str, prefix: str) -> dict[str, tuple[str, int]]:
    async def read() -> dict[str, tuple[str, int]]:
        store = RedisEventStore(url, prefix)
        try:
            return {r["id"]: (r["status"], r["handled"]) for r in await store.events()}
        finally:
            await store.aclose()

    return asyncio.run(read())


@pytest.mark.redis
def test_storm_on_two_replicas_sharing_one_redis(
    serve_facade: ServeFacade,
    events_settings,  # type: ignore[no-untyped-def]
    providers: SandboxSet,
    redis_events: tuple[str, str],
) -> None:
    url, prefix = redis_events
    chaos = {"duplicates": 0.3, "reorder": 10, "forged": 0.2, "stale": 0.2, "replays": 0.2}
    sender = providers.payments.webhooks
    with ExitStack() as stack:
        # Replica B consumes from the same group; the sender talks only to replica A.
        other = create_app(events_settings(redis=(url, prefix)))
        stack.enter_context(serve_app(other))
        stack.enter_context(serve_facade(chaos=chaos, redis=(url, prefix)))
        ids = providers.payments.storm(30)
        assert sender.wait_idle(60)
        emitted = set(sender.emitted)

        def all_done() -> bool:
            rows = handled(url, prefix)
            return sum(1 for s, _ in rows.values() if s == "done") == len(emitted)

        wait_for(all_done, 60, "every event handled")
    rows = handled(url, prefix)
    lost = emitted - set(rows)
    twice = [i for i, (_, n) in rows.items() if n != 1]
    forged = [i for i in rows if i.startswith(("evt_forged_", "evt_stale_"))]
    print(
        f"\nredis storm: intents={len(ids)} emitted={len(emitted)} stored={len(rows)} "
        f"lost={len(lost)} handled_twice={len(twice)} forged_accepted={len(forged)}"
    )
    assert (lost, twice, forged) == (set(), [], [])
    assert sender.stats["forged_accepted"] == sender.stats["stale_accepted"] == 0
    # The audit log both replicas appended to is one intact chain, one record per applied
    # event, and the CLI reads it from Redis.
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
    env.update(COLONNADE_REDIS_URL=url, COLONNADE_STATE_PREFIX=prefix)
    run = [sys.executable, "-m", "colonnade", "audit"]
    verified = subprocess.run(
        [*run, "verify"], env=env, capture_output=True, text=True, check=False
    )
    assert verified.returncode == 0, verified.stdout + verified.stderr
    listed = subprocess.run([*run, "list"], env=env, capture_output=True, text=True, check=True)
    audited = {json.loads(line)["request_id"] for line in listed.stdout.splitlines()}
    assert audited == {
        r["id"] for r in outcomes(url, prefix) if r["outcome"].startswith("applied:")
    }


@pytest.mark.redis
async def test_an_event_claimed_by_a_replica_that_died_is_taken_over(
    redis_events: tuple[str, str],
) -> None:
    """Replica A claims an event and dies before finishing it (no ack): it stays in the
    group's pending list, and replica B takes it over once it has been idle long enough."""
    import json
    import time

    from colonnade.events.model import Described, Event

    url, prefix = redis_events
    a = RedisEventStore(url, prefix, claim_idle_s=2.0)  # ample for A's claim and B's look
    b = RedisEventStore(url, prefix, claim_idle_s=2.0)
    try:
        meta = Described("evt_orphan", "t", "src|o1", 100, 0)
        assert await a.add(Event("src", meta, json.dumps({}).encode(), time.time()))
        assert not await a.add(Event("src", meta, b"{}", time.time()))  # a duplicate
        claimed = await a.claim(10, time.time())
        assert [e.id for e in claimed] == ["evt_orphan"]
        assert await b.claim(10, time.time()) == []  # A holds it, not idle yet
        await asyncio.sleep(2.2)
        taken = await b.claim(10, time.time())
        assert [e.id for e in taken] == ["evt_orphan"]
        await b.finish(taken[0], "ok", advance=True, now=time.time())
        assert await a.claim(10, time.time()) == []
        rows = await b.events()
        assert [(r["id"], r["status"], r["handled"]) for r in rows] == [("evt_orphan", "done", 1)]
    finally:
        await a.aclose()
        await b.aclose()


@pytest.mark.redis
async def test_redis_retry_then_dead_letter_then_replay(redis_events: tuple[str, str]) -> None:
    import time

    from colonnade.events.model import Described, Event

    url, prefix = redis_events
    store = RedisEventStore(url, prefix)
    try:
        await store.add(Event("src", Described("evt_r", "t", "src|o", 1, 0), b"{}", time.time()))
        (event,) = await store.claim(10, time.time())
        await store.retry(event, "boom", time.time() - 1)  # due at once
        (again,) = await store.claim(10, time.time())
        assert again.attempts == 1
        await store.bury(again, "boom twice", time.time())
        dead = await store.dead_letters()
        assert [(d["id"], d["status"], d["attempts"]) for d in dead] == [("evt_r", "dead", 2)]
        assert await store.claim(10, time.time()) == []
        assert await store.replay(["evt_r"], time.time()) == 1
        (replayed,) = await store.claim(10, time.time())
        assert replayed.attempts == 0
        await store.finish(replayed, "ok", advance=True, now=time.time())
        assert await store.dead_letters() == []
    finally:
        await store.aclose()
