"""A retry budget: retries may add at most a fixed fraction of the calls, per connector.

Hand-written because no maintained Python retry library (tenacity, stamina) has one, and a
per-call attempt cap alone lets an outage multiply the load by ``max_attempts``. Over a sliding
window (ten one-second slots) a retry is allowed while
``retries < ratio × first attempts + min_per_s × window``: it scales with traffic, like
Finagle's RetryBudget, and the small ``min_per_s`` allowance keeps a quiet connector able to
retry at all. Per replica, deliberately: it bounds what *this* process adds.
"""

from __future__ import annotations

import time

_SLOTS = 10
_SLOT_S = 1.0


class RetryBudget:
    def __init__(self, ratio: float, min_per_s: float) -> None:
        self._ratio = ratio
        self._reserve = min_per_s * _SLOTS * _SLOT_S
        self._calls = [0] * _SLOTS
        self._retries = [0] * _SLOTS
        self._slot_ids = [-1] * _SLOTS

    def _slot(self) -> int:
        slot_id = int(time.monotonic() / _SLOT_S)
        i = slot_id % _SLOTS
        if self._slot_ids[i] != slot_id:
            self._slot_ids[i], self._calls[i], self._retries[i] = slot_id, 0, 0
        return i

    def _live(self) -> tuple[int, int]:
        oldest = int(time.monotonic() / _SLOT_S) - _SLOTS + 1
        live = [i for i in range(_SLOTS) if self._slot_ids[i] >= oldest]
        return sum(self._calls[i] for i in live), sum(self._retries[i] for i in live)

    def deposit(self) -> None:
        """A first attempt was made."""
        self._calls[self._slot()] += 1

    def try_withdraw(self) -> bool:
        """May we retry? Counts the retry when yes."""
        i = self._slot()
        calls, retries = self._live()
        if retries < self._ratio * calls + self._reserve:
            self._retries[i] += 1
            return True
        return False
