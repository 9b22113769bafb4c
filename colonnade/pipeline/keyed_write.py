"""Keyed writes: a write sent again with the same idempotency key is applied once.

Concurrent repeats in one process share one call. A provider with idempotency of its own
(``Operation.native_idempotency``) is simply retried with the key; otherwise Colonnade's own
idempotency record (``IdempotencyRecords``) plus the connector's reconcile step make the
retry safe. An unkeyed write is sent once. After the request may have reached the provider,
a failure becomes UPSTREAM_OUTCOME_UNKNOWN (``outcome_unknown``), never a "not applied" code.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from pydantic import TypeAdapter

from colonnade.errors import (
    CircuitOpen,
    UpstreamError,
    UpstreamOutcomeUnknown,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamUnauthenticated,
)
from colonnade.pipeline.coalesce import Coalescer
from colonnade.pipeline.idempotency import IdempotencyRecords, fingerprint
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import AttemptFn, ResilientCaller

T = TypeVar("T")


class KeyedWrites:
    def __init__(
        self, caller: ResilientCaller, coalescer: Coalescer, records: IdempotencyRecords
    ) -> None:
        self._caller = caller
        self._coalescer = coalescer
        self._records = records

    async def send(
        self,
        op: Operation,
        send: AttemptFn[T],
        codec: TypeAdapter[T],
        *,
        args: Any,
        scope: str,
        idempotency_key: str | None,
        reconcile: Callable[[], Awaitable[T | None]] | None,
    ) -> T:
        group = op.group_of(args)
        if idempotency_key is None:
            return await self._caller.call(op, send, idempotent=False, group=group)
        args_fingerprint = fingerprint(args)
        flight_key = f"write:{op.name}:{scope}:{args_fingerprint}:{idempotency_key}"
        if op.native_idempotency:
            return await self._coalescer.join(
                op, flight_key, lambda: self._caller.call(op, send, idempotent=True, group=group)
            )
        return await self._coalescer.join(
            op,
            flight_key,
            lambda: self._records.run(
                self._caller,
                op,
                idempotency_key,
                args_fingerprint,
                send,
                codec,
                reconcile,
                scope=scope,
                group=group,
            ),
        )


# Answers that say the write was not applied (or never sent); anything else after sending is not.
_NOT_APPLIED = (UpstreamRejected, UpstreamRateLimited, UpstreamUnauthenticated, CircuitOpen)


def outcome_unknown(
    op: Operation, err: UpstreamError, *, keyed: bool
) -> UpstreamOutcomeUnknown | None:
    """The error to show when a write may have been applied; None when it surely was not.

    A refusal says "not applied" only for its own attempt: when an earlier attempt of the same
    call may have reached the provider (a keyed write retried after a timeout, then refused or
    stopped by the breaker), the write may still have been applied by that earlier attempt."""
    if not err.request_sent or isinstance(err, UpstreamOutcomeUnknown):
        return None
    if isinstance(err, _NOT_APPLIED):
        local = isinstance(err, CircuitOpen) or (
            isinstance(err, UpstreamRateLimited) and err.status is None  # our own bucket
        )
        own = 0 if local else 1  # a provider's refusal was itself one of the sent attempts
        if err.attempts_sent <= own:
            return None
    then = (
        "send it again with the same idempotencyKey to get its result"
        if keyed
        else "check whether it was applied before sending it again"
    )
    return UpstreamOutcomeUnknown(
        f"{op.connector} may have applied this write, but its answer was lost "
        f"({err.code.value}); {then}",
        connector=op.connector,
        operation=op.name,
    )
