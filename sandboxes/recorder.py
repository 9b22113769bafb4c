"""Call recorder: what each sandbox was asked, so tests can assert batching and retries."""

from __future__ import annotations

import fnmatch
import threading
from collections import Counter
from dataclasses import dataclass, field


@dataclass(frozen=True)
class CallRecord:
    """One request as seen by a provider; secrets are reduced to their presence."""

    provider: str
    operation: str
    method: str
    path: str
    query: str
    headers: dict[str, str] = field(default_factory=dict)
    batch_size: int = 1
    status: int = 0
    at: float = 0.0


class Recorder:
    """Thread-safe append-only log of CallRecords."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._calls: list[CallRecord] = []
        self.generation = 0
        """Bumped by ``reset``: requests that began earlier are not recorded after it."""
        self.in_flight = 0
        self.peak_in_flight = 0
        """Most requests this provider was handling at once since the last reset."""

    def enter(self) -> None:
        with self._lock:
            self.in_flight += 1
            self.peak_in_flight = max(self.peak_in_flight, self.in_flight)

    def leave(self) -> None:
        with self._lock:
            self.in_flight -= 1

    def record(self, call: CallRecord) -> None:
        with self._lock:
            self._calls.append(call)

    def calls(self, operation_pattern: str = "*") -> list[CallRecord]:
        with self._lock:
            return [c for c in self._calls if fnmatch.fnmatchcase(c.operation, operation_pattern)]

    def count(self, operation_pattern: str = "*") -> int:
        return len(self.calls(operation_pattern))

    def counts(self) -> dict[str, int]:
        """Calls per operation name."""
        with self._lock:
            return dict(Counter(c.operation for c in self._calls))

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()
            self.generation += 1
            self.peak_in_flight = self.in_flight
