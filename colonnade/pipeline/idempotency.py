"""Colonnade's own idempotency record, for providers that have none (a SOAP create, say).

Hand-written: the protocol must survive what a library cannot know about — a response lost
*after* the provider committed. Two keys per idempotency key, both in the state backend so
replicas agree:

- a short **lock** (``set_if_absent`` with a lease): one request per key runs at a time;
  the others wait for its outcome;
- a long **record**: absent (never tried), ``attempted`` (a call went out; it may have
  committed) or ``done`` (the result, replayed to every later request with the same key).

A request that finds ``attempted`` — after a lost response, a timeout, or a crash — asks the
connector's *reconcile* hook ("is there an order carrying this reference?") before sending
again, so a repeated create returns the first result instead of creating twice. The record
also holds a fingerprint of the arguments: the same key with other arguments is refused.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import secrets
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import TypeAdapter

from colonnade.errors import (
    BadUserInput,
    StateUnavailable,
    UpstreamError,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from colonnade.pipeline import deadline
from colonnade.pipeline.cache import normalize
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import AttemptFn, ResilientCaller
from colonnade.state import RecordStore

T = TypeVar("T")

_POLL_S = 0.02


def fingerprint(args: Any) -> str:
    """A stable digest of a request's arguments (the same draft, the same fingerprint)."""
    return hashlib.sha256(normalize(args).encode()).hexdigest()


class IdempotencyRecords:
    def __init__(self, backend: RecordStore, *, ttl_s: float, lock_lease_s: float) -> None:
        self._backend = backend
        self._ttl_s = ttl_s
        self._lease_s = lock_lease_s

    async def run(
        self,
        caller: ResilientCaller,
        op: Operation,
        key: str,
        args_fingerprint: str,
        send: AttemptFn[T],
        codec: TypeAdapter[T],
        reconcile: Callable[[], Awaitable[T | None]] | None,
        *,
        scope: str,
        group: str | None = None,
    ) -> T:
        """``scope`` (whose credentials) keeps two clients' equal keys apart; ``group`` is the
        breaker group of the write (see ``Operation.breaker_scope``)."""
        digest = hashlib.sha256(f"{scope}\0{key}".encode()).hexdigest()[:40]
        record_key = f"idem:{op.connector}:{op.name}:{digest}"
        lock_key = record_key + ":lock"
        token = secrets.token_hex(8).encode()
        await self._lock(lock_key, token, op)
        try:
            record = await self._read(record_key)
            if record is not None:
                if record["fp"] != args_fingerprint:
                    raise BadUserInput(
                        "this idempotency key was already used with different arguments; "
                        "use a new key for a different request",
                        connector=op.connector,
                    )
                if record["state"] == "done":
                    return codec.validate_python(record["result"])
            attempted_before = record is not None
            if attempted_before and reconcile is None:
                # An earlier attempt may have committed and nothing can check: refuse to guess.
                raise UpstreamUnavailable(
                    "an earlier request with this idempotency key may have succeeded and "
                    f"{op.connector} offers no way to check; not sending it again",
                    connector=op.connector,
                    operation=op.name,
                    request_sent=False,
                    retryable=False,
                )
            await self._write(record_key, {"state": "attempted", "fp": args_fingerprint})
            try:
                result = await caller.call(
                    op,
                    send,
                    idempotent=reconcile is not None,
                    reconcile=reconcile,
                    reconcile_first=attempted_before and reconcile is not None,
                    group=group,
                )
            except UpstreamError as err:
                if not attempted_before and _nothing_committed(err):
                    await self._forget(record_key)
                raise
            done = {
                "state": "done",
                "fp": args_fingerprint,
                "result": codec.dump_python(result, mode="json"),
            }
            # Committed and answered; if the record cannot be written a repeat reconciles.
            with contextlib.suppress(StateUnavailable):
                await self._write(record_key, done)
            return result
        except StateUnavailable as exc:
            raise _records_unavailable(op) from exc
        finally:
            with contextlib.suppress(StateUnavailable):
                await self._backend.delete_if_equals(lock_key, token)

    async def _lock(self, lock_key: str, token: bytes, op: Operation) -> None:
        while True:
            try:
                if await self._backend.set_if_absent(lock_key, token, self._lease_s):
                    return
            except StateUnavailable as exc:
                raise _records_unavailable(op) from exc
            left = deadline.remaining()
            if left is not None and left <= _POLL_S:
                raise UpstreamTimeout(
                    "a request with this idempotency key is still in progress",
                    connector=op.connector,
                    operation=op.name,
                    request_sent=False,
                )
            await asyncio.sleep(_POLL_S)

    async def _read(self, record_key: str) -> dict[str, Any] | None:
        raw = await self._backend.get(record_key)
        if raw is None:
            return None
        value: dict[str, Any] = json.loads(raw)
        return value

    async def _write(self, record_key: str, record: dict[str, Any]) -> None:
        await self._backend.set(record_key, json.dumps(record).encode(), self._ttl_s)

    async def _forget(self, record_key: str) -> None:
        # If this fails the record stays "attempted": a repeat reconciles first, still safe.
        with contextlib.suppress(StateUnavailable):
            await self._backend.delete([record_key])


def _nothing_committed(err: UpstreamError) -> bool:
    """No attempt reached the provider, or the only one that did was refused outright."""
    if err.attempts_sent == 0:
        return True
    return err.attempts_sent == 1 and isinstance(err, UpstreamRejected)


def _records_unavailable(op: Operation) -> UpstreamUnavailable:
    """Without its record a keyed write cannot be made safe: refuse before sending it."""
    return UpstreamUnavailable(
        "idempotency records are unavailable; the write was not sent",
        connector=op.connector,
        operation=op.name,
        request_sent=False,
    )
