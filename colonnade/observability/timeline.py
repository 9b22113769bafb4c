"""Per-connector attempt history in 10-second buckets over the last minutes, for /ops.

Prometheus keeps the long history; this is what one process can show at a glance without
one: counts, errors and a latency sample per bucket, bounded in memory (30 buckets of at most
500 latencies per connector).
"""

from __future__ import annotations

import math
import time
from collections import deque
from dataclasses import dataclass, field

BUCKET_S = 10
KEEP = 30
_MAX_SAMPLES = 500
# What says the provider is failing (a client's own 4xx does not; CIRCUIT_OPEN is the breaker's).
PROVIDER_FAILURES = frozenset(
    {
        "UPSTREAM_UNAVAILABLE",
        "UPSTREAM_TIMEOUT",
        "UPSTREAM_CONTRACT_VIOLATION",
        "UPSTREAM_UNAUTHENTICATED",
        "UPSTREAM_RATE_LIMITED",
    }
)


@dataclass(slots=True)
class Bucket:
    start: int
    calls: int = 0
    failures: int = 0
    refused: int = 0
    latencies: list[float] = field(default_factory=list)


def quantile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))]


class Timeline:
    def __init__(self) -> None:
        self._buckets: dict[str, deque[Bucket]] = {}

    def add(
        self, connector: str, outcome: str, latency_ms: float, now: float | None = None
    ) -> None:
        start = int((now or time.time()) // BUCKET_S * BUCKET_S)
        ring = self._buckets.setdefault(connector, deque(maxlen=KEEP))
        if not ring or ring[-1].start != start:
            ring.append(Bucket(start))
        bucket = ring[-1]
        if outcome == "CIRCUIT_OPEN":
            bucket.refused += 1
            return
        bucket.calls += 1
        bucket.failures += outcome in PROVIDER_FAILURES
        if len(bucket.latencies) < _MAX_SAMPLES:
            bucket.latencies.append(latency_ms)

    def series(self, connector: str, now: float | None = None) -> list[dict[str, object]]:
        """One point per bucket of the last ``KEEP`` (empty buckets included), oldest first."""
        now_start = int((now or time.time()) // BUCKET_S * BUCKET_S)
        have = {b.start: b for b in self._buckets.get(connector, ())}
        points: list[dict[str, object]] = []
        for i in range(KEEP - 1, -1, -1):
            start = now_start - i * BUCKET_S
            b = have.get(start) or Bucket(start)
            points.append(
                {
                    "t": start,
                    "calls": b.calls,
                    "failures": b.failures,
                    "refused": b.refused,
                    "p99_ms": quantile(b.latencies, 0.99),
                }
            )
        return points

    def window(self, connector: str, seconds: int = 60, now: float | None = None) -> Bucket:
        """All attempts of the last ``seconds`` merged into one bucket."""
        since = (now or time.time()) - seconds
        merged = Bucket(int(since))
        for b in self._buckets.get(connector, ()):
            if b.start + BUCKET_S > since:
                merged.calls += b.calls
                merged.failures += b.failures
                merged.refused += b.refused
                merged.latencies.extend(b.latencies)
        return merged
