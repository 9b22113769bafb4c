"""Circuit breaker: stop calling a provider that is failing, probe it once, close on success.

The state machine itself (failure ratio over a sliding window with a minimum throughput, a
break that grows with jitter on repeated trips, a single half-open probe) runs atomically in
the state backend, so replicas on one Redis see one breaker and only one of them probes. This
wrapper maps a refusal to ``CircuitOpen`` (no call is made) and fails open when the shared
state is unreachable: losing Redis must not take every connector down with it.
"""

from __future__ import annotations

import random
import time

import structlog

from colonnade.config import BreakerSettings
from colonnade.errors import CircuitOpen, StateUnavailable
from colonnade.state import BreakerPermit, BreakerPolicy, BreakerState, StateBackend

_log = structlog.get_logger("colonnade.breaker")
_FAIL_OPEN = BreakerPermit(allowed=True, probe=False, state=BreakerState.CLOSED)


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
    def __init__(self, connector: str, key: str, settings: BreakerSettings, backend: StateBackend):
        self.connector = connector
        self.key = f"cb:{key}"
        self.enabled = settings.enabled
        self.policy = policy_from(settings)
        self._backend = backend

    async def acquire(self, operation: str) -> BreakerPermit:
        if not self.enabled:
            return _FAIL_OPEN
        try:
            permit = await self._backend.breaker_acquire(
                self.key, now=time.time(), policy=self.policy
            )
        except StateUnavailable:
            _log.debug("breaker_fails_open", connector=self.connector)
            return _FAIL_OPEN
        if not permit.allowed:
            retry_in = None if permit.retry_at is None else max(0.0, permit.retry_at - time.time())
            raise CircuitOpen(
                f"{self.connector} is failing; calls are paused (circuit open)",
                connector=self.connector,
                operation=operation,
                retry_after_s=retry_in,
                request_sent=False,
            )
        return permit

    async def record(self, permit: BreakerPermit, *, ok: bool) -> BreakerState | None:
        """Record a verdict; returns the state after it (None: disabled or state unreachable)."""
        if not self.enabled:
            return None
        try:
            state = await self._backend.breaker_record(
                self.key,
                ok=ok,
                probe=permit.probe,
                now=time.time(),
                policy=self.policy,
                jitter=random.uniform(0.8, 1.2),
            )
        except StateUnavailable:
            return None
        if state is not permit.state:
            _log.info("breaker_transition", connector=self.connector, state=state.value)
        return state

    async def state(self) -> BreakerState:
        snap = await self._backend.breaker_snapshot(self.key, now=time.time(), policy=self.policy)
        return snap.state
