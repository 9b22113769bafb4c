"""A retry budget: retries may add at most a fixed fraction of the calls, per connector.

Hand-written because no maintained Python retry library (tenacity, stamina) has one, and a
per-call attempt cap alone lets an outage multiply the load by ``max_attempts``. This is the
token-bank scheme of Finagle's RetryBudget: every call deposits ``ratio`` of a token, every
retry withdraws one, and a small ``min_per_s`` trickle keeps low-traffic connectors able to
retry at all. Per replica, deliberately: it bounds what *this* process adds.
"""

from __future__ import annotations

import time


class RetryBudget:
    def __init__(self, ratio: float, min_per_s: float) -> None:
        self._ratio = ratio
        self._min_per_s = min_per_s
        self._capacity = max(10.0, min_per_s * 10)
        self._tokens = self._capacity / 2
        self._updated = time.monotonic()

    def _refill(self) -> None:
        now = time.monotonic()
        self._tokens = min(self._capacity, self._tokens + (now - self._updated) * self._min_per_s)
        self._updated = now

    def deposit(self) -> None:
        """A first attempt was made."""
        self._refill()
        self._tokens = min(self._capacity, self._tokens + self._ratio)

    def try_withdraw(self) -> bool:
        """May we retry? Takes one token when yes."""
        self._refill()
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return True
        return False
