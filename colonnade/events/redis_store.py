"""The event store in Redis, for replicas: a stream with one consumer group.

Each event is a hash (``ev:<id>``) created only if absent, and its id is appended to the
stream in the same Lua script, so "seen" and "queued" cannot disagree. Replicas read with
``XREADGROUP``; an entry stays in the group's pending list until it is handled, so a replica
killed mid-event leaves it there and another (or the same, restarted) takes it over with
``XAUTOCLAIM`` after ``claim_idle_s``. Retries wait in a sorted set by due time and go back
onto the stream when due; dead letters sit in another sorted set until replayed.

Durability is Redis's own: run it with ``appendonly yes`` (``appendfsync everysec`` or
``always``) — a 2xx is sent after Redis acknowledged the write, not after an fsync.
"""

from __future__ import annotations

import contextlib
import os
import socket
import uuid
from collections.abc import Iterator, Sequence
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError

from colonnade.errors import StateUnavailable
from colonnade.events.model import Described, Event, ObjectState

_ADD = """
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], unpack(ARGV, 2))
local seq = redis.call('INCR', KEYS[4])
redis.call('ZADD', KEYS[3], seq, ARGV[1])
redis.call('XADD', KEYS[2], '*', 'id', ARGV[1])
return 1
"""

# KEYS: object hash, event hash, stream; ARGV: created, rank, final, state, id, now, group, entry
_FINISH = """
if ARGV[9] == '1' then
  local cur = redis.call('HMGET', KEYS[1], 'created', 'rank', 'final')
  local newer = (cur[1] == false) or (cur[3] == '0' and (tonumber(cur[1]) < tonumber(ARGV[1])
      or (tonumber(cur[1]) == tonumber(ARGV[1]) and tonumber(cur[2]) < tonumber(ARGV[2]))))
  if newer then
    redis.call('HSET', KEYS[1], 'created', ARGV[1], 'rank', ARGV[2], 'final', ARGV[3],
               'state', ARGV[4], 'event_id', ARGV[5], 'updated_at', ARGV[6])
    if ARGV[3] == '1' then redis.call('ZREM', KEYS[4], KEYS[1])
    else redis.call('ZADD', KEYS[4], ARGV[6], KEYS[1]) end
  end
end
if redis.call('HGET', KEYS[2], 'status') == 'pending' then
  redis.call('HSET', KEYS[2], 'status', 'done', 'outcome', ARGV[10], 'finished_at', ARGV[6])
  redis.call('HINCRBY', KEYS[2], 'handled', 1)
end
redis.call('XACK', KEYS[3], ARGV[7], ARGV[8])
redis.call('XDEL', KEYS[3], ARGV[8])
return 1
"""

_DUE = """
local ids = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', ARGV[1], 'LIMIT', 0, ARGV[2])
for _, id in ipairs(ids) do
  redis.call('ZREM', KEYS[1], id)
  redis.call('XADD', KEYS[2], '*', 'id', id)
end
return #ids
"""

_FIELDS = ("source", "type", "object_key", "created", "rank", "final", "state", "payload")
_GROUP = "dispatch"


class RedisEventStore:
    def __init__(self, url: str, prefix: str, *, claim_idle_s: float = 30.0) -> None:
        # Any: redis-py's reply types are unions of every RESP shape; we decode them here.
        self._redis: Any = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._p = f"{prefix}events:"
        self.stream = self._p + "stream"
        self.claim_idle_ms = int(claim_idle_s * 1000)
        self.consumer = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"
        self._add = self._redis.register_script(_ADD)
        self._finish = self._redis.register_script(_FINISH)
        self._due = self._redis.register_script(_DUE)
        self._group_ready = False

    def _ev(self, event_id: str) -> str:
        return f"{self._p}ev:{event_id}"

    async def _group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(self.stream, _GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    async def add(self, event: Event) -> bool:
        m = event.meta
        fields: list[Any] = [
            "source", event.source, "type", m.type, "object_key", m.object_key,
            "created", m.created, "rank", m.rank, "final", int(m.final), "state", m.state,
            "payload", event.payload, "status", "pending", "attempts", 0, "handled", 0,
            "received_at", event.received_at,
        ]  # fmt: skip
        try:
            await self._group()
            keys = [self._ev(m.id), self.stream, self._p + "index", self._p + "seq"]
            return bool(await self._add(keys=keys, args=[m.id, *fields]))
        except RedisError as exc:
            raise StateUnavailable(f"event store unavailable ({type(exc).__name__})") from None

    async def claim(self, limit: int, now: float) -> list[Event]:
        try:
            await self._group()
            await self._due(keys=[self._p + "retry", self.stream], args=[now, limit])
            entries: list[tuple[bytes, dict[bytes, bytes]]] = []
            claimed = await self._redis.xautoclaim(
                self.stream, _GROUP, self.consumer, self.claim_idle_ms, "0-0", count=limit
            )
            entries.extend(claimed[1])
            if len(entries) < limit:
                read = await self._redis.xreadgroup(
                    _GROUP, self.consumer, {self.stream: ">"}, count=limit - len(entries)
                )
                for _stream, items in read or []:
                    entries.extend(items)
            events: list[Event] = []
            for entry_id, fields in entries:
                if not fields:  # deleted while pending
                    await self._redis.xack(self.stream, _GROUP, entry_id)
                    continue
                event = await self._load(fields[b"id"].decode(), entry_id.decode())
                if event is None or event.attempts < 0:
                    await self._redis.xack(self.stream, _GROUP, entry_id)
                    continue
                events.append(event)
        except RedisError as exc:
            if "NOGROUP" in str(exc):
                self._group_ready = False  # the stream was deleted: create it again next time
            raise StateUnavailable(f"event store unavailable ({type(exc).__name__})") from None
        events.sort(key=lambda e: (e.version, e.received_at))
        return events

    async def _load(self, event_id: str, entry_id: str) -> Event | None:
        raw = await self._redis.hgetall(self._ev(event_id))
        if not raw or raw.get(b"status") != b"pending":
            return None
        d = {k.decode(): v for k, v in raw.items()}
        meta = Described(
            id=event_id,
            type=d["type"].decode(),
            object_key=d["object_key"].decode(),
            created=int(d["created"]),
            rank=int(d["rank"]),
            final=d["final"] == b"1",
            state=d["state"].decode(),
        )
        return Event(
            source=d["source"].decode(),
            meta=meta,
            payload=d["payload"],
            received_at=float(d["received_at"]),
            attempts=int(d["attempts"]),
            last_error=d["last_error"].decode() if "last_error" in d else None,
            tag=entry_id,
        )

    async def is_current(self, event: Event) -> bool:
        with _store_call():
            cur = await self._redis.hmget(
                self._obj(event.meta.object_key), "created", "rank", "final"
            )
            if cur[0] is None:
                return True
            return cur[2] == b"0" and (int(cur[0]), int(cur[1])) < event.version

    def _obj(self, key: str) -> str:
        return f"{self._p}obj:{key}"

    async def finish(self, event: Event, outcome: str, *, advance: bool, now: float) -> None:
        with _store_call():
            m = event.meta
            keys = [self._obj(m.object_key), self._ev(m.id), self.stream, self._p + "open"]
            args: list[Any] = [
                m.created, m.rank, int(m.final), m.state, m.id, now, _GROUP, event.tag,
                "1" if advance else "0", outcome,
            ]  # fmt: skip
            await self._finish(keys=keys, args=args)

    async def retry(self, event: Event, error: str, at: float) -> None:
        with _store_call():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(self._ev(event.id), "attempts", 1)
                pipe.hset(self._ev(event.id), "last_error", error[:500])
                pipe.zadd(self._p + "retry", {event.id: at})
                pipe.xack(self.stream, _GROUP, event.tag)
                pipe.xdel(self.stream, event.tag)
                await pipe.execute()

    async def bury(self, event: Event, error: str, now: float) -> None:
        with _store_call():
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.hincrby(self._ev(event.id), "attempts", 1)
                pipe.hset(
                    self._ev(event.id),
                    mapping={"status": "dead", "last_error": error[:500], "finished_at": now},
                )
                pipe.zadd(self._p + "dead", {event.id: now})
                pipe.xack(self.stream, _GROUP, event.tag)
                pipe.xdel(self.stream, event.tag)
                await pipe.execute()

    async def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        ids = await self._redis.zrange(self._p + "dead", 0, limit - 1)
        return [row for i in ids if (row := await self._row(i.decode())) is not None]

    async def replay(self, event_ids: Sequence[str], now: float) -> int:
        replayed = 0
        for event_id in event_ids:
            if await self._redis.zrem(self._p + "dead", event_id):
                await self._redis.hset(
                    self._ev(event_id), mapping={"status": "pending", "attempts": 0}
                )
                await self._group()
                await self._redis.xadd(self.stream, {"id": event_id})
                replayed += 1
        return replayed

    async def _row(self, event_id: str) -> dict[str, Any] | None:
        raw = await self._redis.hgetall(self._ev(event_id))
        if not raw:
            return None
        d = {k.decode(): v for k, v in raw.items() if k != b"payload"}

        def text(name: str) -> str | None:
            value = d.get(name)
            return value.decode() if value is not None else None

        return {
            "id": event_id,
            "source": text("source"),
            "type": text("type"),
            "object_key": text("object_key"),
            "status": text("status"),
            "attempts": int(d.get("attempts", 0)),
            "handled": int(d.get("handled", 0)),
            "outcome": text("outcome"),
            "last_error": text("last_error"),
            "received_at": float(d["received_at"]),
        }

    async def events(self, status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        ids = await self._redis.zrange(self._p + "index", 0, -1)
        rows: list[dict[str, Any]] = []
        for raw_id in ids:
            row = await self._row(raw_id.decode())
            if row is not None and (status is None or row["status"] == status):
                rows.append(row)
                if len(rows) >= limit:
                    break
        return rows

    async def stale_objects(self, older_than: float, limit: int) -> list[ObjectState]:
        keys = await self._redis.zrangebyscore(
            self._p + "open", "-inf", older_than, start=0, num=limit
        )
        out: list[ObjectState] = []
        for key in keys:
            d = await self._redis.hgetall(key)
            if d:
                out.append(
                    ObjectState(
                        key.decode()[len(self._p + "obj:") :],
                        int(d[b"created"]),
                        int(d[b"rank"]),
                        d[b"final"] == b"1",
                        d[b"state"].decode(),
                        d[b"event_id"].decode(),
                        float(d[b"updated_at"]),
                    )
                )
        return out

    async def touch_object(self, key: str, now: float) -> None:
        await self._redis.zadd(self._p + "open", {self._obj(key): now}, xx=True)

    async def aclose(self) -> None:
        await self._redis.aclose()


@contextlib.contextmanager
def _store_call() -> Iterator[None]:
    """Redis failing is the event store being unavailable: one typed error for callers."""
    try:
        yield
    except RedisError as exc:
        raise StateUnavailable(f"event store unavailable ({type(exc).__name__})") from None
