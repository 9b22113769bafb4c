"""Circuit breaker: stop calling a provider that is failing, probe it once, close on success.

The state machine itself (failure ratio over a sliding window with a minimum throughput, a
break that grows with jitter on repeated trips, a single half-open probe) runs atomically in
the state backend, so replicas on one Redis see one breaker and only one of them probes. This
wrapper maps a refusal to ``CircuitOpen`` (no call is made).

Shared state unreachable: the breaker falls back to a per-process one (the same algorithm on
an in-process ``MemoryBackend``) rather than failing open — a provider outage during a Redis
outage must still stop the calls, and losing Redis must not take every connector down either.
Each call asks the shared store first (the ``GuardedBackend`` answers at once while it cools
down), so the shared breaker is used again by itself as soon as Redis answers. A verdict goes
back to the store that granted the permit. What the shared breaker last said is remembered: a
breaker it reported open (or half-open, probing elsewhere) stays closed to this process until
that break ends, so a Redis blip never releases a tripped breaker to every replica at once.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

import structlog

from colonnade.config import BreakerSettings
from colonnade.errors import CircuitOpen, StateUnavailable
from colonnade.state import (
    BreakerPermit,
    BreakerPolicy,
    Breakers,
    BreakerState,
    MemoryBackend,
)

_log = structlog.get_logger("colonnade.breaker")


@dataclass(frozen=True, slots=True)
class Permit:
    """A granted call, and whether this process's own breaker granted it."""

    granted: BreakerPermit
    local: bool = False


_DISABLED = Permit(BreakerPermit(allowed=True, probe=False, state=BreakerState.CLOSED))


def policy_from(settings: BreakerSettings) -> BreakerPolicy:
    return BreakerPolicy(
        window_s=settings.window_s,
        min_calls=settings.min_calls,
        failure_ratio=settings.failure_ratio,
        break_s=settings.break_s,
        break_multiplier=settings.break_multiplier,
        break_max_s=settings.break_max_s,
        probe_lease_s=settings.probe_lease_s,
    )


class CircuitBreaker:
    def __init__(self, connector: str, key: str, settings: BreakerSettings, backend: Breakers):
        self.connector = connector
        self.key = f"cb:{key}"
        self.enabled = settings.enabled
        self.policy = policy_from(settings)
        self._backend = backend
        self._local = MemoryBackend(max_entries=100)
        self.local = False
        """True while the shared state is unreachable and this process decides alone."""
        self._shared_hold_until = 0.0
        """Wall-clock end of the last break (or probe lease) the shared breaker reported."""

    async def acquire(self, operation: str) -> Permit:
        if not self.enabled:
            return _DISABLED
        now = time.time()
        try:
            permit = await self._backend.breaker_acquire(self.key, now=now, policy=self.policy)
            self._use_local(False)
            self._remember(permit, now)
        except StateUnavailable:
            self._use_local(True)
            if now < self._shared_hold_until:
                permit = BreakerPermit(
                    allowed=False,
                    probe=False,
                    state=BreakerState.OPEN,
                    retry_at=self._shared_hold_until,
                )
            else:
                permit = await self._local.breaker_acquire(self.key, now=now, policy=self.policy)
        if not permit.allowed:
            retry_in = None if permit.retry_at is None else max(0.0, permit.retry_at - time.time())
            raise CircuitOpen(
                f"{self.connector} is failing; calls are paused (circuit open)",
                connector=self.connector,
                operation=operation,
                retry_after_s=retry_in,
                request_sent=False,
            )
        return Permit(permit, local=self.local)

    async def record(self, permit: Permit, *, ok: bool | None) -> BreakerState | None:
        """Record a verdict — ``ok`` None: neither a success nor a failure, not counted (see
        ``Breakers.breaker_record``); returns the state after it (None: the breaker is
        disabled)."""
        if not self.enabled:
            return None
        now, jitter = time.time(), random.uniform(0.8, 1.2)
        probe = permit.granted.probe
        state: BreakerState | None = None
        if not permit.local:
            try:
                state = await self._backend.breaker_record(
                    self.key, ok=ok, probe=probe, now=now, policy=self.policy, jitter=jitter
                )
            except StateUnavailable:
                self._use_local(True)
                probe = False  # the shared probe's lease runs out by itself
            else:
                if state is BreakerState.CLOSED:
                    self._shared_hold_until = 0.0
                elif state is BreakerState.OPEN:  # at least the first break
                    hold = now + self.policy.break_s
                    self._shared_hold_until = max(self._shared_hold_until, hold)
        if state is None:
            state = await self._local.breaker_record(
                self.key, ok=ok, probe=probe, now=now, policy=self.policy, jitter=jitter
            )
        if state is not permit.granted.state:
            _log.info(
                "breaker_transition",
                connector=self.connector,
                state=state.value,
                scope="process" if self.local else "shared",
            )
        return state

    async def state(self) -> BreakerState:
        """The state calls are decided by now (shared, or this process's own)."""
        now = time.time()
        try:
            snap = await self._backend.breaker_snapshot(self.key, now=now, policy=self.policy)
        except StateUnavailable:
            snap = await self._local.breaker_snapshot(self.key, now=now, policy=self.policy)
        return snap.state

    def _remember(self, permit: BreakerPermit, now: float) -> None:
        if not permit.allowed:
            self._shared_hold_until = permit.retry_at or now + self.policy.break_s
        elif permit.probe:  # others wait for this process's probe
            self._shared_hold_until = now + self.policy.probe_lease_s
        else:
            self._shared_hold_until = 0.0

    def _use_local(self, local: bool) -> None:
        if local is not self.local:
            self.local = local
            if local:
                _log.warning("breaker_per_process", connector=self.connector, key=self.key)
            else:
                _log.info("breaker_shared_again", connector=self.connector, key=self.key)
