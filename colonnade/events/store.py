"""The durable event store: an event is written here before the provider gets its 2xx.

Two implementations behind ``EventStore``: Redis Streams with a consumer group when Redis is
configured (``colonnade.events.redis_store``), and SQLite here for the embedded default.

Why SQLite: it ships with Python (no new dependency, no server), and in WAL mode with
``synchronous=FULL`` a committed transaction is on disk (fsync'd) when ``commit`` returns — so
once the webhook's 2xx is sent, a ``kill -9`` or a power cut cannot lose the event, and the
pending rows are handled on the next start. WAL also lets operators read (``colonnade events
dead-letter list``) while the server writes. One process owns the file; replicas need Redis.
The blocking calls run on a worker thread so the event loop never waits on an fsync.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Protocol

from colonnade.events.model import Described, Event, ObjectState


class EventStore(Protocol):
    async def add(self, event: Event) -> bool:
        """Persist durably; False when an event with this id was seen before (a duplicate)."""
        ...

    async def claim(self, limit: int, now: float) -> list[Event]:
        """Events due for handling, oldest version first; each is in flight until
        ``finish``/``retry``/``bury`` (or, after a crash, until it is claimed again)."""
        ...

    async def is_current(self, event: Event) -> bool:
        """Is the event newer than what was applied to its object (and the object not final)?"""
        ...

    async def finish(self, event: Event, outcome: str, *, advance: bool, now: float) -> None:
        """Mark handled; with ``advance`` the object's version moves to the event's (if newer)."""
        ...

    async def retry(self, event: Event, error: str, at: float) -> None: ...

    async def bury(self, event: Event, error: str, now: float) -> None:
        """Park in the dead-letter list: no more automatic attempts."""
        ...

    async def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]: ...

    async def replay(self, event_ids: Sequence[str], now: float) -> int:
        """Dead letters back to pending (attempts reset); returns how many."""
        ...

    async def events(self, status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        """Operators' and tests' view: id, source, type, status, attempts, handled, outcome."""
        ...

    async def stale_objects(self, older_than: float, limit: int) -> list[ObjectState]:
        """Objects in a non-final state whose last event is older than ``older_than``."""
        ...

    async def touch_object(self, key: str, now: float) -> None:
        """A reconcile looked at it: do not pull it again before ``reconcile_after_s``."""
        ...

    async def aclose(self) -> None: ...


_SCHEMA = """
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    source TEXT NOT NULL,
    type TEXT NOT NULL,
    object_key TEXT NOT NULL,
    created INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    final INTEGER NOT NULL,
    state TEXT NOT NULL,
    payload BLOB NOT NULL,
    status TEXT NOT NULL DEFAULT 'pending',
    attempts INTEGER NOT NULL DEFAULT 0,
    next_at REAL NOT NULL DEFAULT 0,
    last_error TEXT,
    outcome TEXT,
    handled INTEGER NOT NULL DEFAULT 0,
    received_at REAL NOT NULL,
    finished_at REAL
);
CREATE INDEX IF NOT EXISTS events_due ON events (status, next_at);
CREATE TABLE IF NOT EXISTS objects (
    key TEXT PRIMARY KEY,
    created INTEGER NOT NULL,
    rank INTEGER NOT NULL,
    final INTEGER NOT NULL,
    state TEXT NOT NULL,
    event_id TEXT NOT NULL,
    updated_at REAL NOT NULL
);
"""

_COLUMNS = "id, source, type, object_key, created, rank, final, state, payload, attempts, last_error, seq, received_at"  # noqa: E501
# Built once from the constant column list above; every value is a bound parameter.
_CLAIM_SQL = (
    f"SELECT {_COLUMNS} FROM events "  # noqa: S608
    "WHERE status = 'pending' AND next_at <= ? ORDER BY created, rank, seq LIMIT ?"
)


_ROW_KEYS = (
    "id",
    "source",
    "type",
    "object_key",
    "status",
    "attempts",
    "handled",
    "outcome",
    "last_error",
    "received_at",
)


def open_sqlite(path: Path) -> sqlite3.Connection:
    """WAL + synchronous=FULL: a commit is durable when it returns (see the module doc)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, check_same_thread=False, isolation_level=None, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")
    conn.execute("PRAGMA busy_timeout=10000")
    return conn


class SqliteEventStore:
    def __init__(self, path: Path) -> None:
        self.path = path
        self._conn = open_sqlite(path)
        self._conn.executescript(_SCHEMA)
        self._lock = threading.Lock()
        self._in_flight: set[str] = set()

    async def _run(self, fn: Any, *args: Any) -> Any:
        def locked() -> Any:
            with self._lock:
                return fn(*args)

        return await asyncio.to_thread(locked)

    def _tx(self, statements: Sequence[tuple[str, Sequence[Any]]]) -> list[sqlite3.Cursor]:
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            out = [self._conn.execute(sql, params) for sql, params in statements]
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")
        return out

    async def add(self, event: Event) -> bool:
        m = event.meta
        sql = (
            "INSERT OR IGNORE INTO events (id, source, type, object_key, created, rank, final,"
            " state, payload, received_at) VALUES (?,?,?,?,?,?,?,?,?,?)"
        )
        params = (
            m.id,
            event.source,
            m.type,
            m.object_key,
            m.created,
            m.rank,
            int(m.final),
            m.state,
            event.payload,
            event.received_at,
        )
        cursors = await self._run(self._tx, [(sql, params)])
        return bool(cursors[0].rowcount == 1)

    async def claim(self, limit: int, now: float) -> list[Event]:
        def query() -> list[Event]:
            rows = self._conn.execute(_CLAIM_SQL, (now, limit + len(self._in_flight))).fetchall()
            events = [_event(row) for row in rows if row[0] not in self._in_flight][:limit]
            self._in_flight.update(e.id for e in events)
            return events

        result: list[Event] = await self._run(query)
        return result

    async def is_current(self, event: Event) -> bool:
        row = await self._run(
            lambda: self._conn.execute(
                "SELECT created, rank, final FROM objects WHERE key = ?", (event.meta.object_key,)
            ).fetchone()
        )
        return row is None or (not row[2] and (row[0], row[1]) < event.version)

    async def finish(self, event: Event, outcome: str, *, advance: bool, now: float) -> None:
        m = event.meta
        statements: list[tuple[str, Sequence[Any]]] = [
            (
                "UPDATE events SET status='done', outcome=?, handled=handled+1, finished_at=?,"
                " last_error=NULL WHERE id=? AND status='pending'",
                (outcome, now, m.id),
            )
        ]
        if advance:
            statements.append(
                (
                    "INSERT INTO objects (key, created, rank, final, state, event_id, updated_at)"
                    " VALUES (?,?,?,?,?,?,?) ON CONFLICT(key) DO UPDATE SET"
                    " created=excluded.created, rank=excluded.rank, final=excluded.final,"
                    " state=excluded.state,"
                    " event_id=excluded.event_id, updated_at=excluded.updated_at"
                    " WHERE objects.final = 0 AND (objects.created, objects.rank) <"
                    " (excluded.created, excluded.rank)",
                    (m.object_key, m.created, m.rank, int(m.final), m.state, m.id, now),
                )
            )
        try:
            await self._run(self._tx, statements)
        finally:
            self._in_flight.discard(m.id)

    async def retry(self, event: Event, error: str, at: float) -> None:
        try:
            await self._run(
                self._tx,
                [
                    (
                        "UPDATE events SET attempts=attempts+1, next_at=?, last_error=? WHERE id=?",
                        (at, error[:500], event.id),
                    )
                ],
            )
        finally:
            self._in_flight.discard(event.id)

    async def bury(self, event: Event, error: str, now: float) -> None:
        try:
            await self._run(
                self._tx,
                [
                    (
                        "UPDATE events SET status='dead', attempts=attempts+1, last_error=?,"
                        " finished_at=? WHERE id=?",
                        (error[:500], now, event.id),
                    )
                ],
            )
        finally:
            self._in_flight.discard(event.id)

    async def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        return await self.events("dead", limit)

    async def replay(self, event_ids: Sequence[str], now: float) -> int:
        statements = [
            (
                "UPDATE events SET status='pending', attempts=0, next_at=0 WHERE id=? AND"
                " status='dead'",
                (i,),
            )
            for i in event_ids
        ]
        if not statements:
            return 0
        cursors = await self._run(self._tx, statements)
        return sum(c.rowcount for c in cursors)

    async def events(self, status: str | None = None, limit: int = 1000) -> list[dict[str, Any]]:
        rows = await self._run(
            lambda: self._conn.execute(
                "SELECT id, source, type, object_key, status, attempts, handled, outcome,"
                " last_error, received_at FROM events WHERE (? IS NULL OR status = ?)"
                " ORDER BY seq LIMIT ?",
                (status, status, limit),
            ).fetchall()
        )
        keys = _ROW_KEYS
        return [dict(zip(keys, row, strict=True)) for row in rows]

    async def stale_objects(self, older_than: float, limit: int) -> list[ObjectState]:
        rows = await self._run(
            lambda: self._conn.execute(
                "SELECT key, created, rank, final, state, event_id, updated_at FROM objects"
                " WHERE final = 0 AND updated_at < ? ORDER BY updated_at LIMIT ?",
                (older_than, limit),
            ).fetchall()
        )
        return [ObjectState(r[0], int(r[1]), int(r[2]), bool(r[3]), r[4], r[5], r[6]) for r in rows]

    async def touch_object(self, key: str, now: float) -> None:
        await self._run(self._tx, [("UPDATE objects SET updated_at=? WHERE key=?", (now, key))])

    async def aclose(self) -> None:
        await self._run(self._conn.close)


def _event(row: Sequence[Any]) -> Event:
    meta = Described(
        id=row[0],
        type=row[2],
        object_key=row[3],
        created=int(row[4]),
        rank=int(row[5]),
        final=bool(row[6]),
        state=row[7],
    )
    return Event(
        source=row[1],
        meta=meta,
        payload=bytes(row[8]),
        received_at=float(row[12]),
        attempts=int(row[9]),
        last_error=row[10],
        tag=str(row[11]),
    )
