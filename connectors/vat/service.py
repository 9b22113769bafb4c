"""VIES's own breaker, around every check, beside each member state's.

The engine gives an operation one breaker scope; checks are grouped by member state
(``KeyGroups``), so a German register outage opens DE's breaker and leaves FR's closed. VIES
failing as a whole must pause every member state at once, so each attempt also passes this
connector-wide breaker: a failure of VIES's scope (``faults.scope_of``) is counted here and
not by the member state, a member state's failure counts there and proves VIES answered here.
An attempt cut short by our own timeout is left to the member state's breaker (VIES waits on
the member state's register; a slow answer is most often that register's).

Built here because the engine's ``Operation.breaker_scope`` names one scope per operation; a
second, wider breaker for some of its failures would belong in ``ResilientCaller``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any, Protocol, TypeVar

from colonnade import BreakerScope, Operation, UpstreamError
from colonnade.connectors.vat.faults import Scope, scope_of

T = TypeVar("T")

VIES_SERVICE = Operation("vat", "vies_service", tier="live", breaker_scope=BreakerScope.CONNECTOR)
"""Not a call of its own: names the breaker of VIES as a whole (``cb:vat``), so readiness
and metrics report it with the member states' ones."""
_VERDICT = {True: "ok", False: "failure", None: "not_counted"}


class Breaker(Protocol):
    key: str

    async def acquire(self, operation: str) -> Any: ...

    async def record(self, permit: Any, *, ok: bool | None) -> Any: ...


class Caller(Protocol):
    """What this needs of the connector's resilient caller (``pipeline.caller``): the engine's
    public API has no breaker of its own to hand out, so it is reached through the pipeline."""

    connector: str
    telemetry: Any

    def breaker(self, op: Operation, group: str | None = None) -> Breaker: ...


async def through_vies(caller: Caller, op: Operation, call: Callable[[], Awaitable[T]]) -> T:
    """``call()`` unless VIES's breaker is open (``CircuitOpen``, no request sent)."""
    breaker = caller.breaker(VIES_SERVICE)
    permit = await breaker.acquire(op.name)
    verdict: bool | None = None
    try:
        result = await call()
        verdict = True
        return result
    except UpstreamError as err:
        scope = scope_of(err)
        if scope is Scope.VIES:
            verdict = False if err.counts_as_failure else None
            err.counts_as_failure = False  # VIES's failure, not the member state's
        elif scope is Scope.MEMBER_STATE:
            verdict = True  # VIES itself answered
        raise
    finally:
        task = asyncio.current_task()
        if task is None or task.cancelling() == 0:
            after = await breaker.record(permit, ok=verdict)
            if after is not None:
                caller.telemetry.breaker_seen(
                    caller.connector, breaker.key, after.value, verdict=_VERDICT[verdict]
                )
