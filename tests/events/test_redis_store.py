"""The same storm with Redis: events in a stream with a consumer group, two replicas."""

from __future__ import annotations

import asyncio
from contextlib import ExitStack

import pytest
from events.conftest import ServeFacade
from events.support import serve_app, wait_for

from colonnade.app import create_app
from colonnade.events.redis_store import RedisEventStore
from sandboxes import SandboxSet


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
