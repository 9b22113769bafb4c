"""Hand stored events to their handlers: in version order per object, retried, dead-lettered.

Events about one object are handled one after another, oldest version first, so a burst that
arrived shuffled is applied in order; one that arrives *after* a newer version was applied is
handled with ``current=False`` (history, never a step back). Different objects proceed
concurrently, at most ``concurrency`` at once. A handler that raises is retried with
exponential backoff and full jitter; after ``max_attempts`` the event is parked in the
dead-letter list for an operator (``colonnade events dead-letter list|replay``).

Delivery to a handler is at-least-once (a crash after the handler's effects but before the
store's commit repeats them once); handlers make their effects idempotent by event id.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import replace

import structlog

from colonnade.errors import StateUnavailable
from colonnade.events.model import Event, EventHandler
from colonnade.events.store import EventStore

_log = structlog.get_logger("colonnade.events")


class Dispatcher:
    def __init__(
        self,
        store: EventStore,
        handlers: Mapping[str, EventHandler],
        *,
        max_attempts: int = 8,
        retry_base_s: float = 0.5,
        retry_max_s: float = 60.0,
        poll_interval_s: float = 0.2,
        batch: int = 100,
        concurrency: int = 8,
        reconcile_interval_s: float = 60.0,
        reconcile_after_s: float = 300.0,
        reconcile_max: int = 50,
        count: Callable[[str, str], None] = lambda _source, _outcome: None,
    ) -> None:
        self.count = count
        self.store = store
        self.handlers = handlers
        self.max_attempts = max_attempts
        self.retry_base_s = retry_base_s
        self.retry_max_s = retry_max_s
        self.poll_interval_s = poll_interval_s
        self.batch = batch
        self.concurrency = asyncio.Semaphore(concurrency)
        self.reconcile_interval_s = reconcile_interval_s
        self.reconcile_after_s = reconcile_after_s
        self.reconcile_max = reconcile_max
        self._wake = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    def wake(self) -> None:
        """A new event was stored: do not wait for the next poll."""
        self._wake.set()

    async def start(self) -> None:
        self._tasks = [
            asyncio.create_task(self._loop(), name="events-dispatch"),
            asyncio.create_task(self._reconcile_loop(), name="events-reconcile"),
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks = []

    async def _loop(self) -> None:
        while True:
            try:
                handled = await self.run_once()
            except StateUnavailable as exc:
                _log.warning("event_store_unavailable", error=str(exc))
                handled = 0
            except Exception:  # noqa: BLE001 - the loop must survive a bug in one batch
                _log.exception("event_dispatch_failed")
                handled = 0
            if handled == 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.poll_interval_s)
                self._wake.clear()

    async def run_once(self) -> int:
        """Claim one batch and handle it; returns how many events were claimed."""
        events = await self.store.claim(self.batch, time.time())
        by_object: dict[str, list[Event]] = defaultdict(list)
        for event in events:
            by_object[event.meta.object_key].append(event)
        await asyncio.gather(*(self._object(evs) for evs in by_object.values()))
        return len(events)

    async def _object(self, events: list[Event]) -> None:
        async with self.concurrency:
            for event in sorted(events, key=lambda e: e.version):
                await self._one(event)

    async def _one(self, event: Event) -> None:
        handler = self.handlers.get(event.source)
        now = time.time()
        if handler is None:
            await self.store.bury(event, f"no handler for source {event.source!r}", now)
            return
        # The store failing is not the handler failing: it must not spend an attempt (it
        # propagates; the event stays claimed and is taken up again).
        current = await self.store.is_current(event)
        try:
            outcome = await handler.handle(event, current=current)
        except Exception as exc:  # noqa: BLE001 - any handler failure means "retry later"
            error = f"{type(exc).__name__}: {exc}"
            if event.attempts + 1 >= self.max_attempts:
                _log.warning("event_dead_lettered", event_id=event.id, error=error)
                await self.store.bury(event, error, time.time())
                self.count(event.source, "dead_letter")
            else:
                cap = min(self.retry_max_s, self.retry_base_s * 2**event.attempts)
                delay = random.uniform(0, cap)
                _log.info("event_retry", event_id=event.id, attempt=event.attempts + 1)
                await self.store.retry(event, error, time.time() + delay)
                self.count(event.source, "retry")
            return
        await self.store.finish(event, outcome, advance=current, now=time.time())
        self.count(event.source, "done")

    async def _reconcile_loop(self) -> None:
        while True:
            await asyncio.sleep(self.reconcile_interval_s)
            try:
                await self.reconcile_once()
            except Exception:  # noqa: BLE001 - a failed round is retried next interval
                _log.exception("event_reconcile_failed")

    async def reconcile_once(self) -> int:
        """Pull the truth for objects stuck in a non-final state (a webhook that never came);
        what changed becomes a stored event, handled like any other. Bounded per round."""
        now = time.time()
        stale = await self.store.stale_objects(now - self.reconcile_after_s, self.reconcile_max)
        added = 0
        for source, handler in self.handlers.items():
            prefix = f"{source}|"
            mine = [o for o in stale if o.key.startswith(prefix)]
            if not mine:
                continue
            local = [replace(o, key=o.key[len(prefix) :]) for o in mine]
            for meta, body in await handler.reconcile(local):
                keyed = replace(meta, object_key=prefix + meta.object_key)
                added += await self.store.add(Event(source, keyed, body, now))
            for obj in mine:
                await self.store.touch_object(obj.key, now)
        if added:
            self.wake()
        return added
