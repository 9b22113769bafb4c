"""kill -9 of a real ``colonnade serve`` mid-storm: nothing acknowledged is lost.

The sender keeps retrying while the process is down (connection refused) and the restarted
process handles what the dead one had stored but not yet handled."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from events.conftest import sqlite_rows
from events.support import ServeProcess, wait_for
from support import Credentials, facade_env, free_port

from colonnade.events.model import Described, Event
from colonnade.events.redis_store import RedisEventStore
from colonnade.events.store import SqliteEventStore
from colonnade.sandboxes import SandboxSet, ServedSandbox
from colonnade.sandboxes.webhook_sender import Chaos


def serve_env(
    providers_server: ServedSandbox, creds: Credentials, data: Path, secret: str
) -> dict[str, str]:
    return facade_env(
        providers_server.base_url,
        creds,
        COLONNADE_EVENTS__DATA_DIR=str(data),
        COLONNADE_EVENTS__SOURCES__PAYMENTS__SECRETS=json.dumps([secret]),
        COLONNADE_EVENTS__RETRY_BASE_S="0.01",
        COLONNADE_EVENTS__POLL_INTERVAL_S="0.05",
    )


def sqlite_status(db: Path) -> dict[str, tuple[str, int]]:
    return {
        r[0]: (r[1], int(r[2])) for r in sqlite_rows(db, "SELECT id, status, handled FROM events")
    }


def redis_rows(url: str, prefix: str) -> dict[str, tuple[str, int]]:
    async def read() -> dict[str, tuple[str, int]]:
        store = RedisEventStore(url, prefix)
        try:
            return {r["id"]: (r["status"], r["handled"]) for r in await store.events(limit=10_000)}
        finally:
            await store.aclose()

    return asyncio.run(read())


def count(db: Path, where: str = "1=1") -> int:
    return int(sqlite_rows(db, f"SELECT count(*) FROM events WHERE {where}")[0][0])  # noqa: S608


@pytest.fixture(params=["sqlite", pytest.param("redis", marks=pytest.mark.redis)])
def store_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def test_kill_9_mid_storm_loses_nothing_and_handles_nothing_twice(
    providers: SandboxSet,
    providers_server: ServedSandbox,
    creds: Credentials,
    tmp_path: Path,
    webhook_secret: str,
    store_kind: str,
    request: pytest.FixtureRequest,
) -> None:
    data = tmp_path / "data"
    env = serve_env(providers_server, creds, data, webhook_secret)
    if store_kind == "redis":
        url, prefix = request.getfixturevalue("redis_events")
        env.update(
            COLONNADE_REDIS_URL=url,
            COLONNADE_STATE_PREFIX=prefix,
            COLONNADE_EVENTS__CLAIM_IDLE_S="1",
        )
        rows: Callable[[], dict[str, tuple[str, int]]] = lambda: redis_rows(url, prefix)  # noqa: E731
    else:
        rows = lambda: sqlite_status(data / "events.sqlite3")  # noqa: E731
    port = free_port()
    server = ServeProcess(env, port).start()
    sender = providers.payments.webhooks
    chaos = Chaos(duplicates=0.3, reorder=6, forged=0.2, stale=0.2, replays=0.2)
    sender.configure(f"{server.base}/webhooks/payments", webhook_secret, chaos)
    try:
        storm = threading.Thread(target=providers.payments.storm, args=(60,))
        storm.start()
        wait_for(lambda: len(sender.delivered) >= 40, 60, "a third of the storm delivered")
        server.kill9()
        at_kill = rows()
        stored_at_kill = len(at_kill)
        pending_at_kill = sum(1 for status, _ in at_kill.values() if status == "pending")
        storm.join()
        # deliveries fail against the dead port meanwhile
        wait_for(lambda: sender.stats["status_0"] > 0, 30, "a delivery refused while down")
        refused_while_down = sender.stats["status_0"]
        server.start()
        assert sender.wait_idle(90)
        emitted = set(sender.emitted)
        wait_for(
            lambda: sum(1 for s, _ in rows().values() if s == "done") == len(emitted),
            60,
            "all handled",
        )
    finally:
        server.stop()
        sender.configure(None, "")
    stored = {event_id: handled for event_id, (_, handled) in rows().items()}
    lost = emitted - set(stored)
    twice = [i for i, handled in stored.items() if handled != 1]
    forged = [i for i in stored if i.startswith(("evt_forged_", "evt_stale_"))]
    print(
        f"\nkill -9 storm ({store_kind}): emitted={len(emitted)} stored_at_kill={stored_at_kill} "
        f"pending_at_kill={pending_at_kill} refused_while_down={refused_while_down} "
        f"lost={len(lost)} handled_twice={len(twice)} forged_accepted={len(forged)} "
        f"sender={dict(sender.stats)}"
    )
    assert refused_while_down > 0
    assert (lost, twice, forged) == (set(), [], [])
    assert len(stored) == len(emitted)


async def test_events_stored_before_a_crash_are_handled_on_the_next_start(
    providers: SandboxSet,
    providers_server: ServedSandbox,
    creds: Credentials,
    tmp_path: Path,
    webhook_secret: str,
) -> None:
    """What a process acknowledged and then died before handling: stored, pending, no
    process running. The next start handles every one."""
    data = tmp_path / "data"
    store = SqliteEventStore(data / "events.sqlite3")
    now = int(time.time())
    for n in range(5):
        body = {
            "id": f"evt_before_crash_{n}",
            "type": "payment_intent.processing",
            "created": now,
            "data": {"object": {"id": f"pi_crash{n}", "object": "payment_intent",
                                "status": "processing", "customer": "cus_00000000000001"}},
        }  # fmt: skip
        meta = Described(body["id"], body["type"], f"payments|payment_intent:pi_crash{n}", now, 3)
        assert await store.add(Event("payments", meta, json.dumps(body).encode(), now))
    await store.aclose()
    db = data / "events.sqlite3"
    assert count(db, "status = 'pending'") == 5
    env = serve_env(providers_server, creds, data, webhook_secret)
    server = ServeProcess(env, free_port()).start()
    try:
        wait_for(lambda: count(db, "status = 'done'") == 5, 30, "pending handled after start")
    finally:
        server.stop()
