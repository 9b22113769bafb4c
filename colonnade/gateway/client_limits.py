"""Per-client rate limits (requests, and optionally cost), token buckets shared by replicas.

The bucket is the state backend's (one Lua script in Redis, so N replicas drain one bucket);
this module only chooses the key and the policy and writes the answer in the IETF draft's
vocabulary (``RateLimit-Policy: "client";q=<burst>;w=<window>``, and on a refusal
``RateLimit: "client";r=0;t=<seconds>`` plus ``Retry-After``). The backend's bucket does not
report what is left after a take, so successful answers carry the policy only. Redis
unreachable → fail open: a client limit protects Colonnade, not a provider (the outbound
limits fall back to per-process buckets instead), and losing the shared state must not refuse
every client.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass

from colonnade.config import ClientRateLimitSettings, CostBudgetSettings
from colonnade.errors import StateUnavailable
from colonnade.gateway.identity import Principal
from colonnade.state import StateBackend

KEY = "gateway:rate:"


@dataclass(frozen=True, slots=True)
class RateDecision:
    allowed: bool
    retry_after_s: float
    headers: list[tuple[bytes, bytes]]


class ClientRateLimiter:
    def __init__(
        self,
        settings: ClientRateLimitSettings,
        backend: StateBackend,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.settings = settings
        self._backend = backend
        self._clock = clock

    def policy(self, principal: Principal) -> tuple[float, float] | None:
        rate = self.settings.per_client.get(principal.client_id, self.settings.rate_per_s)
        if rate is None:
            return None
        configured = self.settings.burst
        if configured is None:
            return rate, max(1.0, rate)  # a second's worth, at this client's own rate
        if principal.client_id in self.settings.per_client and self.settings.rate_per_s:
            return rate, max(1.0, configured * rate / self.settings.rate_per_s)  # same window
        return rate, configured

    async def check(self, principal: Principal, client_host: str | None) -> RateDecision | None:
        """None when this client has no limit; else whether it may go on, with headers."""
        policy = self.policy(principal)
        if policy is None:
            return None
        rate, burst = policy
        who = principal.client_id
        if principal.method == "anonymous":
            who = (
                f"anonymous@{client_host or 'unknown'}"  # anonymous callers: one bucket per address
            )
        window = max(1, math.ceil(burst / rate))
        headers = [(b"ratelimit-policy", f'"client";q={int(burst)};w={window}'.encode())]
        try:
            wait = await self._backend.take_token(
                KEY + who, rate_per_s=rate, burst=burst, now=self._clock()
            )
        except StateUnavailable:
            return RateDecision(True, 0.0, headers)
        if wait <= 0:
            return RateDecision(True, 0.0, headers)
        seconds = max(1, math.ceil(wait))
        headers += [
            (b"ratelimit", f'"client";r=0;t={seconds}'.encode()),
            (b"retry-after", str(seconds).encode()),
        ]
        return RateDecision(False, wait, headers)


class ClientCostBudget:
    """What a client may spend per window in static cost (``colonnade.gateway.cost``): one
    bucket of ``per_window`` tokens per client, an operation takes its price."""

    def __init__(
        self,
        settings: CostBudgetSettings,
        backend: StateBackend,
        *,
        clock: Callable[[], float] = time.time,
    ) -> None:
        assert settings.per_window is not None
        self.per_window = settings.per_window
        self.rate = settings.per_window / settings.window_s
        self._backend = backend
        self._clock = clock

    async def charge(self, principal: Principal | None, cost: int) -> float:
        """0.0 when charged; else seconds until the budget covers ``cost`` (inf: never)."""
        if cost <= 0:
            return 0.0
        if cost > self.per_window:
            return math.inf
        who = principal.client_id if principal is not None else "anonymous"
        try:
            return await self._backend.take_token(
                f"gateway:cost:{who}",
                rate_per_s=self.rate,
                burst=float(self.per_window),
                now=self._clock(),
                count=float(cost),
            )
        except StateUnavailable:
            return 0.0  # fail open, as the request limit does
