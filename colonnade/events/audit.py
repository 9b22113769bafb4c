"""The audit log for money: append-only, hash-chained, verifiable.

Every record carries the SHA-256 of the record before it (over canonical JSON: sorted keys,
no whitespace, UTF-8), so editing a record breaks its own hash and deleting one breaks the
chain (a gap in ``seq``, or a ``prev`` that does not match); a separately stored *head*
(last seq and hash) catches a truncated tail. Stored like events: SQLite (WAL,
synchronous=FULL — durable at commit, see ``colonnade.events.store``) in the embedded
default, where triggers also refuse UPDATE and DELETE, or a Redis list when Redis is
configured (appends serialised by WATCH on the head). A record with a ``dedup`` key is
written once however often it is appended (a webhook-driven change is audited once even if
its event is handled again after a crash).
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from redis.asyncio import Redis
from redis.exceptions import WatchError

from colonnade.events.store import open_sqlite

GENESIS = "0" * 64


def canonical(record: dict[str, Any]) -> bytes:
    return json.dumps(record, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def chain_hash(record: dict[str, Any]) -> str:
    """The hash of a record: over every field except ``hash`` itself (``prev`` included)."""
    return hashlib.sha256(canonical({k: v for k, v in record.items() if k != "hash"})).hexdigest()


@dataclass(frozen=True, slots=True)
class Entry:
    """What is recorded. ``who`` is the client identity, or "anonymous"."""

    who: str
    action: str
    outcome: str
    provider_id: str | None = None
    request_id: str | None = None
    idempotency_key: str | None = None
    details: dict[str, Any] | None = None

    def record(self, seq: int, prev: str, at: float) -> dict[str, Any]:
        record: dict[str, Any] = {
            "seq": seq,
            "at": round(at, 6),
            "who": self.who,
            "action": self.action,
            "outcome": self.outcome,
            "provider_id": self.provider_id,
            "request_id": self.request_id,
            "idempotency_key": self.idempotency_key,
            "details": self.details or {},
            "prev": prev,
        }
        record["hash"] = chain_hash(record)
        return record


@dataclass(frozen=True, slots=True)
class Problem:
    seq: int
    reason: str


def verify_chain(records: Iterable[dict[str, Any]], head: tuple[int, str] | None) -> Problem | None:
    """The first record that is not what the chain says it must be, or None."""
    prev, expected_seq = GENESIS, 1
    for record in records:
        seq = record.get("seq")
        if seq != expected_seq:
            return Problem(expected_seq, f"record {expected_seq} is missing (found {seq})")
        if record.get("prev") != prev:
            return Problem(expected_seq, "does not follow the record before it")
        if chain_hash(record) != record.get("hash"):
            return Problem(expected_seq, "was changed after it was written (hash mismatch)")
        prev, expected_seq = record["hash"], expected_seq + 1
    last = expected_seq - 1
    if head is not None and (head[0] != last or head[1] != (prev if last else GENESIS)):
        return Problem(last + 1, f"the log ends at {last} but its head says {head[0]}")
    return None


class AuditLog(Protocol):
    async def append(self, entry: Entry, *, dedup: str | None = None) -> dict[str, Any] | None:
        """Append; None when ``dedup`` was already recorded."""
        ...

    async def records(self, limit: int | None = None) -> list[dict[str, Any]]: ...

    async def head(self) -> tuple[int, str] | None: ...

    async def aclose(self) -> None: ...


async def verify(log: AuditLog) -> Problem | None:
    return verify_chain(await log.records(), await log.head())


_SCHEMA = """
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY,
    dedup TEXT UNIQUE,
    record TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_head (
    one INTEGER PRIMARY KEY CHECK (one = 1), seq INTEGER, hash TEXT
);
CREATE TRIGGER IF NOT EXISTS audit_no_update BEFORE UPDATE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_no_delete BEFORE DELETE ON audit
  BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END;
"""


class SqliteAuditLog:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = open_sqlite(path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()

    def _append(self, entry: Entry, dedup: str | None) -> dict[str, Any] | None:
        conn = self._conn
        with self._lock:
            conn.execute("BEGIN IMMEDIATE")
            try:
                if (
                    dedup is not None
                    and conn.execute("SELECT 1 FROM audit WHERE dedup = ?", (dedup,)).fetchone()
                ):
                    conn.execute("ROLLBACK")
                    return None
                row = conn.execute("SELECT seq, hash FROM audit_head").fetchone()
                seq, prev = (row[0] + 1, row[1]) if row else (1, GENESIS)
                record = entry.record(seq, prev, time.time())
                conn.execute(
                    "INSERT INTO audit (seq, dedup, record) VALUES (?,?,?)",
                    (seq, dedup, canonical(record).decode()),
                )
                conn.execute(
                    "INSERT INTO audit_head (one, seq, hash) VALUES (1, ?, ?) ON CONFLICT(one)"
                    " DO UPDATE SET seq=excluded.seq, hash=excluded.hash",
                    (seq, record["hash"]),
                )
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            conn.execute("COMMIT")
            return record

    async def append(self, entry: Entry, *, dedup: str | None = None) -> dict[str, Any] | None:
        return await asyncio.to_thread(self._append, entry, dedup)

    def _records(self, limit: int | None) -> list[dict[str, Any]]:
        with self._lock:
            rows = self._conn.execute(
                "SELECT record FROM audit ORDER BY seq LIMIT ?", (-1 if limit is None else limit,)
            ).fetchall()
        return [json.loads(r[0]) for r in rows]

    async def records(self, limit: int | None = None) -> list[dict[str, Any]]:
        return await asyncio.to_thread(self._records, limit)

    async def head(self) -> tuple[int, str] | None:
        def read() -> tuple[int, str] | None:
            with self._lock:
                row = self._conn.execute("SELECT seq, hash FROM audit_head").fetchone()
            return (int(row[0]), str(row[1])) if row else None

        return await asyncio.to_thread(read)

    async def aclose(self) -> None:
        self._conn.close()


class RedisAuditLog:
    def __init__(self, url: str, prefix: str) -> None:
        self._redis: Any = Redis.from_url(url, socket_timeout=2.0, socket_connect_timeout=2.0)
        self._log = f"{prefix}audit:log"
        self._head = f"{prefix}audit:head"
        self._dedup = f"{prefix}audit:dedup"

    async def append(self, entry: Entry, *, dedup: str | None = None) -> dict[str, Any] | None:
        async with self._redis.pipeline(transaction=True) as pipe:
            while True:
                try:
                    await pipe.watch(self._head, self._dedup)
                    if dedup is not None and await pipe.sismember(self._dedup, dedup):
                        await pipe.reset()
                        return None
                    raw = await pipe.get(self._head)
                    head = json.loads(raw) if raw else None
                    seq, prev = (head["seq"] + 1, head["hash"]) if head else (1, GENESIS)
                    record = entry.record(seq, prev, time.time())
                    pipe.multi()
                    pipe.rpush(self._log, canonical(record))
                    pipe.set(self._head, json.dumps({"seq": seq, "hash": record["hash"]}))
                    if dedup is not None:
                        pipe.sadd(self._dedup, dedup)
                    await pipe.execute()
                    return record
                except WatchError:
                    continue

    async def records(self, limit: int | None = None) -> list[dict[str, Any]]:
        raw = await self._redis.lrange(self._log, 0, -1 if limit is None else limit - 1)
        return [json.loads(r) for r in raw]

    async def head(self) -> tuple[int, str] | None:
        raw = await self._redis.get(self._head)
        if not raw:
            return None
        head = json.loads(raw)
        return int(head["seq"]), str(head["hash"])

    async def aclose(self) -> None:
        await self._redis.aclose()
