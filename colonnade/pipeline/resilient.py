"""Deadline → retry → breaker → rate limit → bulkhead → attempt timeout, around one attempt.

The retry loop is written here rather than taken from tenacity or stamina because each
decision needs what only this pipeline knows: the request deadline (never sleep past it), the
retry budget, the provider's ``Retry-After`` and retry hints carried on the typed error, whether
the request ever reached the provider (an unkeyed write may retry only if it did not), and a
reconcile step for writes whose provider has no idempotency of its own. It is also careful with
cancellation: ``CancelledError`` is never treated as a failure to retry (tenacity's negative
predicates would retry it).

Each attempt is recorded once, in ``Telemetry.attempt``.
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from colonnade.config import ConnectorSettings
from colonnade.errors import (
    CircuitOpen,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamTimeout,
)
from colonnade.pipeline import deadline
from colonnade.pipeline.breaker import CircuitBreaker
from colonnade.pipeline.operation import BreakerScope, KeyGroups, Operation
from colonnade.pipeline.ratelimit import RateLimiter
from colonnade.pipeline.retry_budget import RetryBudget
from colonnade.state import CallState
from colonnade.telemetry import AttemptRecord, Telemetry

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


_MIN_ATTEMPT_S = 0.005
_VERDICT = {True: "ok", False: "failure", None: "not_counted"}


@dataclass(slots=True)
class Attempt:
    """Handed to the transport: which attempt this is; the transport fills in the status and
    whether any request of this attempt may have reached the provider."""

    number: int
    status: int | None = None
    sent: bool = False


AttemptFn = Callable[[Attempt], Awaitable[T]]
FetchKeys = Callable[[list[K], Attempt], Awaitable[Mapping[K, T | UpstreamError]]]
"""One attempt for a batch of keys: a value or a per-key error for each key answered."""
Reconcile = Callable[[], Awaitable[T | None]]


class ResilientCaller:
    """One per connector: owns its breaker(s), rate limiter, bulkhead and retry budget."""

    def __init__(
        self,
        connector: str,
        settings: ConnectorSettings,
        backend: CallState,
        telemetry: Telemetry,
    ) -> None:
        self.connector = connector
        self.settings = settings
        self.telemetry = telemetry
        self._backend = backend
        self.limiter = RateLimiter(connector, settings.rate_limit, backend)
        self._bulkhead = asyncio.Semaphore(settings.bulkhead.max_concurrent)
        self._budget = RetryBudget(settings.retry.budget_ratio, settings.retry.budget_min_per_s)
        self._breakers: dict[str, CircuitBreaker] = {}

    def breaker(self, op: Operation | str, group: str | None = None) -> CircuitBreaker:
        """The breaker a call of ``op`` goes through (an operation named by a string has the
        configured scope); ``group``: the key's group, for an operation grouped by key."""
        key = self.breaker_key(op, group)
        if key not in self._breakers:
            self._breakers[key] = CircuitBreaker(
                self.connector, key, self.settings.breaker, self._backend
            )
        return self._breakers[key]

    def breaker_key(self, op: Operation | str, group: str | None = None) -> str:
        scope = op.breaker_scope if isinstance(op, Operation) else None
        name = op.name if isinstance(op, Operation) else op
        if scope is None:
            per_op = self.settings.breaker.per_operation
            scope = BreakerScope.OPERATION if per_op else BreakerScope.CONNECTOR
        if isinstance(scope, KeyGroups):
            if group is None:
                raise ValueError(f"{self.connector}.{name}: its breaker is per key group; no group")
            return f"{self.connector}.{scope.name}:{group}"
        return self.connector if scope is BreakerScope.CONNECTOR else f"{self.connector}.{name}"

    def breakers_of(self, op: Operation) -> list[CircuitBreaker]:
        """The breakers calls of ``op`` go through that exist so far in this process (a key
        group's breaker exists once a key of that group was called)."""
        if not isinstance(op.breaker_scope, KeyGroups):
            return [self.breaker(op)]
        prefix = f"{self.connector}.{op.breaker_scope.name}:"
        return [b for key, b in self._breakers.items() if key.startswith(prefix)]

    async def call(
        self,
        op: Operation,
        attempt_fn: AttemptFn[T],
        *,
        idempotent: bool,
        reconcile: Reconcile[T] | None = None,
        reconcile_first: bool = False,
        group: str | None = None,
    ) -> T:
        """Run ``attempt_fn`` until it succeeds or retrying is no longer right.

        ``group``: the breaker group of the key this call is for (``Operation.breaker_scope`` is
        ``KeyGroups``; required then).

        ``reconcile`` (writes without provider idempotency) is asked before every retry, and
        before the first attempt too when ``reconcile_first``: "did an earlier attempt commit?"
        A raised error's ``request_sent`` is true when *any* attempt of this call may have
        reached the provider — what an idempotency record must know before forgetting a write.
        """
        started = time.monotonic()
        self._budget.deposit()
        number = 1
        sent_attempts = 0
        with deadline.deadline_scope(self.settings.deadline_s):
            while True:
                # Nothing to reconcile while no attempt of this call has reached the provider
                # (and no earlier request did): a refused connection commits nothing.
                if reconcile is not None and (reconcile_first or sent_attempts > 0):
                    try:
                        found = await reconcile()
                    except UpstreamError as err:
                        # Could not tell whether an earlier attempt committed: never "not sent".
                        err.request_sent = True
                        err.attempts_sent = max(sent_attempts, 1)
                        raise
                    if found is not None:
                        return found
                attempt = Attempt(number)
                t0 = time.perf_counter()
                try:
                    result = await self._attempt(op, attempt_fn, attempt, group)
                except UpstreamError as err:
                    if attempt.sent:
                        err.request_sent = True  # an earlier request of this attempt went out
                    delay = self._retry_delay(err, number, idempotent, started)
                    self._record(op, attempt, err.code.value, t0, delay)
                    if (
                        isinstance(err, UpstreamRateLimited)
                        and err.retry_after_s
                        and err.request_sent
                    ):
                        self.limiter.pause(
                            min(err.retry_after_s, self.settings.retry.max_retry_after_s)
                        )
                    sent_attempts += err.request_sent
                    if delay is None:
                        err.attempts_sent = sent_attempts
                        err.request_sent = sent_attempts > 0
                        raise
                    with self.telemetry.tracing.span(
                        "retry wait", {"colonnade.retry.delay_s": delay, "error.type": err.code}
                    ):
                        await asyncio.sleep(delay)
                    number += 1
                    continue
                self._record(op, attempt, "ok", t0, None)
                return result

    async def _attempt(
        self, op: Operation, attempt_fn: AttemptFn[T], attempt: Attempt, group: str | None
    ) -> T:
        with self.telemetry.attempt_span(self.connector, op.name, attempt):
            return await self._guarded(op, attempt_fn, attempt, group)

    async def _guarded(
        self, op: Operation, attempt_fn: AttemptFn[T], attempt: Attempt, group: str | None
    ) -> T:
        if (deadline.remaining() or 1.0) <= _MIN_ATTEMPT_S:
            raise self._timeout(op, "the request deadline passed before the call", sent=False)
        breaker = self.breaker(op, group)
        try:
            permit = await breaker.acquire(op.name)
        except CircuitOpen:
            self.telemetry.breaker_seen(self.connector, breaker.key, "open", verdict="refused")
            raise
        probe = "probe" if permit.granted.probe else None
        self.telemetry.breaker_seen(
            self.connector, breaker.key, permit.granted.state.value, verdict=probe
        )
        asked = False  # False: the provider was never asked; record nothing
        verdict: bool | None = None  # None: neither a success nor a failure (not counted)
        try:
            waiting_since = time.time_ns()
            await self.limiter.acquire()
            self.telemetry.tracing.waited(
                "rate_limit wait", waiting_since, {"colonnade.connector": self.connector}
            )
            try:
                async with asyncio.timeout(deadline.bounded(self.settings.deadline_s)):
                    await self._bulkhead.acquire()
            except TimeoutError:
                raise self._timeout(op, "no free connection slot in time", sent=False) from None
            self.telemetry.in_flight(self.connector, 1)
            try:
                budget = deadline.bounded(self.settings.timeouts.total_s)
                if budget <= _MIN_ATTEMPT_S:
                    raise self._timeout(op, "no time left for another attempt", sent=False)
                asked, verdict = True, False
                async with asyncio.timeout(budget):
                    result = await attempt_fn(attempt)
            except TimeoutError:
                if budget < self.settings.timeouts.total_s:
                    asked = False  # cut short by the request's deadline: inconclusive
                raise self._timeout(op, "the provider did not answer in time", sent=True) from None
            finally:
                self._bulkhead.release()
                self.telemetry.in_flight(self.connector, -1)
            verdict = True
            return result
        except UpstreamError as err:
            # Not the provider's fault (a client's 4xx, a 429): no failure, and no proof of
            # health either — a success would dilute the failure ratio. Counted as neither.
            verdict = False if err.counts_as_failure else None
            raise
        except Exception:
            # Not a classified provider outcome (a request that could not even be encoded, a
            # bug): it says nothing about the provider, so it must never trip its breaker.
            asked = False
            raise
        finally:
            # Local refusals (limiter, bulkhead, no time left) and cancellations say nothing
            # about the provider: no verdict (a probe's lease expires by itself).
            if asked and not _cancelled():
                after = await breaker.record(permit, ok=verdict)
                if after is not None:
                    self.telemetry.breaker_seen(
                        self.connector, breaker.key, after.value, verdict=_VERDICT[verdict]
                    )

    async def call_keys(
        self,
        op: Operation,
        keys: list[K],
        fetch: FetchKeys[K, T],
        group_for: Callable[[K], str | None],
    ) -> Mapping[K, T | UpstreamError]:
        """One idempotent call for ``keys`` (a batch read); with key groups, one per group,
        each through its group's breaker: a failing group answers its own keys with the
        error and leaves the others answered."""
        if not isinstance(op.breaker_scope, KeyGroups):
            return await self.call(op, lambda a: fetch(keys, a), idempotent=True)
        groups: dict[str | None, list[K]] = {}
        for k in keys:
            groups.setdefault(group_for(k), []).append(k)

        async def one(group: str | None, part: list[K]) -> Mapping[K, T | UpstreamError]:
            try:
                return await self.call(op, lambda a: fetch(part, a), idempotent=True, group=group)
            except UpstreamError as err:
                return dict.fromkeys(part, err)

        answers: dict[K, T | UpstreamError] = {}
        for part in await asyncio.gather(*(one(g, ks) for g, ks in groups.items())):
            answers.update(part)
        return answers

    def _retry_delay(
        self, err: UpstreamError, number: int, idempotent: bool, started: float
    ) -> float | None:
        retry = self.settings.retry
        if not err.retryable or number >= retry.max_attempts:
            return None
        if not idempotent and err.request_sent:
            return None
        if err.retry_after_s is not None:
            if err.retry_after_s > retry.max_retry_after_s:
                return None
            delay = err.retry_after_s
        else:
            cap = min(retry.max_delay_s, retry.base_delay_s * 2 ** (number - 1))
            delay = random.uniform(0.0, cap)
        if time.monotonic() - started + delay > retry.max_total_s:
            return None
        left = deadline.remaining()
        if left is not None and delay >= left:
            return None
        if not self._budget.try_withdraw():
            self.telemetry.count("retry_budget_exhausted", self.connector)
            return None
        return delay

    def _record(
        self, op: Operation, attempt: Attempt, outcome: str, t0: float, retry_in: float | None
    ) -> None:
        self.telemetry.attempt(
            AttemptRecord(
                connector=self.connector,
                operation=op.name,
                attempt=attempt.number,
                outcome=outcome,
                status=attempt.status,
                latency_ms=round((time.perf_counter() - t0) * 1000, 2),
                retry_in_s=None if retry_in is None else round(retry_in, 4),
            )
        )

    def _timeout(self, op: Operation, why: str, *, sent: bool) -> UpstreamTimeout:
        return UpstreamTimeout(
            f"{self.connector}: {why}",
            connector=self.connector,
            operation=op.name,
            request_sent=sent,
        )


def _cancelled() -> bool:
    task = asyncio.current_task()
    return task is not None and task.cancelling() > 0
