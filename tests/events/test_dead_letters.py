"""Retries with backoff, then the dead-letter list, inspected and replayed from the CLI.

The handler here is a stand-in that fails on purpose (a unit test of the dispatcher); the
store and the CLI are the real ones, on a real SQLite file."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path

from events.test_audit import cli

from colonnade.events.dispatcher import Dispatcher
from colonnade.events.model import Described, Event, ObjectState
from colonnade.events.store import SqliteEventStore


class Flaky:
    def __init__(self, failures: int) -> None:
        self.failures = failures
        self.calls: list[tuple[str, bool]] = []

    def describe(self, payload: object) -> Described:
        raise NotImplementedError

    async def handle(self, event: Event, *, current: bool) -> str:
        self.calls.append((event.id, current))
        if self.failures > 0:
            self.failures -= 1
            raise RuntimeError("provider said no")
        return "ok"

    async def reconcile(self, objects: Sequence[ObjectState]) -> list[tuple[Described, bytes]]:
        return []


def event(n: int, created: int = 100, rank: int = 0, key: str = "o1") -> Event:
    meta = Described(f"evt_{n}", "thing.changed", f"src|{key}", created, rank)
    return Event("src", meta, json.dumps({"n": n}).encode(), time.time())


async def drain(dispatcher: Dispatcher, rounds: int = 200) -> None:
    for _ in range(rounds):
        await dispatcher.run_once()
        if not await dispatcher.store.events("pending"):
            return
    raise AssertionError("events still pending")


async def test_retried_then_dead_lettered_then_replayed_from_the_cli(tmp_path: Path) -> None:
    data = tmp_path / "data"
    store = SqliteEventStore(data / "events.sqlite3")
    handler = Flaky(failures=3)
    dispatcher = Dispatcher(store, {"src": handler}, max_attempts=3, retry_base_s=0.001)
    assert await store.add(event(1))
    await drain(dispatcher)
    assert len(handler.calls) == 3  # three attempts, then parked
    listed = cli(data, "events", "dead-letter", "list")
    dead = [json.loads(line) for line in listed.stdout.splitlines()]
    assert [(d["id"], d["attempts"], d["status"]) for d in dead] == [("evt_1", 3, "dead")]
    assert "provider said no" in dead[0]["last_error"]
    replayed = cli(data, "events", "dead-letter", "replay", "evt_1")
    assert replayed.returncode == 0, replayed.stderr
    assert "1 of 1" in replayed.stdout
    assert cli(data, "events", "dead-letter", "replay", "evt_nope").returncode == 1
    await drain(dispatcher)  # the handler works now
    rows = await store.events()
    assert [(r["id"], r["status"], r["handled"]) for r in rows] == [("evt_1", "done", 1)]
    assert cli(data, "events", "dead-letter", "list").stdout == ""
    await store.aclose()


async def test_events_of_one_object_are_handled_in_version_order(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.sqlite3")
    handler = Flaky(failures=0)
    dispatcher = Dispatcher(store, {"src": handler})
    # Delivered shuffled: same second, ranks 3, 0, 5, 2.
    for n, rank in [(1, 3), (2, 0), (3, 5), (4, 2)]:
        await store.add(event(n, rank=rank))
    await drain(dispatcher)
    assert handler.calls == [("evt_2", True), ("evt_4", True), ("evt_1", True), ("evt_3", True)]
    # Arriving after the newest was applied: handled as history, never as news.
    await store.add(event(5, rank=1))
    await drain(dispatcher)
    assert handler.calls[-1] == ("evt_5", False)
    await store.aclose()


async def test_a_final_object_never_moves_again(tmp_path: Path) -> None:
    store = SqliteEventStore(tmp_path / "events.sqlite3")
    handler = Flaky(failures=0)
    dispatcher = Dispatcher(store, {"src": handler})
    final = Event("src", Described("evt_f", "t", "src|o", 100, 5, final=True), b"{}", 0)
    await store.add(final)
    await drain(dispatcher)
    await store.add(event(6, created=200, rank=0, key="o"))
    await drain(dispatcher)
    assert handler.calls == [("evt_f", True), ("evt_6", False)]
    await store.aclose()
