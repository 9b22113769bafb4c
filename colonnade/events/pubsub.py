"""Fan-out of live updates to subscriptions: in-process, or across replicas via Redis pub/sub.

Each subscriber has a bounded queue (``queue_size``). A subscriber that falls that far
behind is not buffered further: its queue is closed with ``SlowConsumer`` and the
subscription layer closes the connection with the protocol's code. One slow browser can
therefore cost at most ``queue_size`` messages of memory, and never delays the others (a
publish never waits on a subscriber).

With Redis, a publish goes only to Redis; one reader task per process receives every message
of the prefix's channels and hands it to the local subscribers, so a change ingested by one
replica reaches subscriptions on all of them (pub/sub is fire-and-forget: a replica that is
disconnected at that moment misses it; the durable record is the event store).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any, Protocol

import structlog
from redis.asyncio import Redis
from redis.exceptions import RedisError

_log = structlog.get_logger("colonnade.events")


class SlowConsumer(Exception):
    """The subscriber's queue overflowed; it was dropped."""


class _Closed:
    pass


_CLOSED = _Closed()


class Subscription:
    def __init__(self, hub: _LocalHub, channel: str, size: int) -> None:
        self._hub = hub
        self.channel = channel
        self.queue: asyncio.Queue[dict[str, Any] | _Closed] = asyncio.Queue(size + 1)
        self.size = size
        self.dropped = False
        self.on_drop: Callable[[], None] | None = None
        """Called once when the subscriber is dropped (e.g. to close its connection now,
        even while a send to it is blocked)."""

    def offer(self, message: dict[str, Any]) -> None:
        if self.dropped:
            return
        if self.queue.qsize() >= self.size:
            # Dropped: out of the fan-out now, nothing more queued for it, and told why. Its
            # connection may still hold what the transport buffered (bounded by flow control)
            # and gets the close frame after that.
            self.dropped = True
            self._hub.remove(self)
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(_CLOSED)
            if self.on_drop is not None:
                self.on_drop()
            return
        self.queue.put_nowait(message)

    async def __aiter__(self) -> AsyncIterator[dict[str, Any]]:
        try:
            while True:
                item = await self.queue.get()
                if isinstance(item, _Closed):
                    raise SlowConsumer(f"subscriber fell {self.size} messages behind")
                yield item
        finally:
            self._hub.remove(self)


class _LocalHub:
    def __init__(self) -> None:
        self._subs: dict[str, set[Subscription]] = defaultdict(set)

    def add(self, sub: Subscription) -> None:
        self._subs[sub.channel].add(sub)

    def remove(self, sub: Subscription) -> None:
        subs = self._subs.get(sub.channel)
        if subs is not None:
            subs.discard(sub)
            if not subs:
                del self._subs[sub.channel]

    def deliver(self, channel: str, message: dict[str, Any]) -> int:
        subs = list(self._subs.get(channel, ()))
        for sub in subs:
            sub.offer(message)
        return len(subs)

    def count(self, channel: str) -> int:
        return len(self._subs.get(channel, ()))


class Broker(Protocol):
    def subscribe(self, channel: str) -> Subscription: ...

    async def publish(self, channel: str, message: dict[str, Any]) -> None: ...

    def subscribers(self, channel: str) -> int: ...

    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


class LocalBroker:
    def __init__(self, queue_size: int = 100) -> None:
        self.queue_size = queue_size
        self.hub = _LocalHub()

    def subscribe(self, channel: str) -> Subscription:
        sub = Subscription(self.hub, channel, self.queue_size)
        self.hub.add(sub)
        return sub

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        self.hub.deliver(channel, message)

    def subscribers(self, channel: str) -> int:
        return self.hub.count(channel)

    async def start(self) -> None:
        return None

    async def aclose(self) -> None:
        return None


class RedisBroker(LocalBroker):
    def __init__(self, url: str, prefix: str, queue_size: int = 100) -> None:
        super().__init__(queue_size)
        self._redis = Redis.from_url(url, socket_connect_timeout=2.0)
        self._pattern = f"{prefix}live:"
        self._task: asyncio.Task[None] | None = None
        self.ready = asyncio.Event()

    async def publish(self, channel: str, message: dict[str, Any]) -> None:
        await self._redis.publish(self._pattern + channel, json.dumps(message))

    async def start(self) -> None:
        self._task = asyncio.create_task(self._read(), name="events-pubsub")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.ready.wait(), 5)

    async def _read(self) -> None:
        while True:
            try:
                async with self._redis.pubsub() as pubsub:
                    await pubsub.psubscribe(self._pattern + "*")
                    self.ready.set()
                    async for message in pubsub.listen():
                        if message.get("type") != "pmessage":
                            continue
                        channel = message["channel"].decode()[len(self._pattern) :]
                        self.hub.deliver(channel, json.loads(message["data"]))
            except (RedisError, OSError) as exc:
                _log.warning("pubsub_reconnect", error=type(exc).__name__)
                self.ready.clear()
                await asyncio.sleep(1)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        await self._redis.aclose()
