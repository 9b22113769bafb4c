"""One structured record per upstream attempt, written at one place, plus in-process counters.

Every attempt the pipeline makes ends in ``Telemetry.attempt``: one log line (connector,
operation, attempt, status, outcome, latency) and counter updates. Nothing here receives a
credential: callers pass status codes and error codes, never headers or bodies. Counters are
plain dicts (cheap, lock-free on one event loop); a Prometheus exporter can read them later.
"""

from __future__ import annotations

import logging
import sys
from collections import Counter, deque
from dataclasses import asdict, dataclass
from typing import Any

import structlog

_log = structlog.get_logger("colonnade.upstream")


@dataclass(frozen=True, slots=True)
class AttemptRecord:
    connector: str
    operation: str
    attempt: int
    outcome: str
    """ok | error code (UPSTREAM_TIMEOUT, ...) of this attempt."""
    status: int | None
    latency_ms: float
    retry_in_s: float | None = None
    """Set when the pipeline decided to retry after this attempt: the delay it chose."""


class Telemetry:
    """Counters and the recent-attempts ring that tests and operators read."""

    def __init__(self, keep: int = 2048) -> None:
        self.recent: deque[AttemptRecord] = deque(maxlen=keep)
        self.counters: Counter[tuple[str, ...]] = Counter()

    def attempt(self, record: AttemptRecord) -> None:
        self.recent.append(record)
        self.counters[
            ("upstream_attempts", record.connector, record.operation, record.outcome)
        ] += 1
        if record.attempt > 1:
            self.counters[("upstream_retries", record.connector, record.operation)] += 1
        _log.info("upstream_call", **asdict(record))

    def count(self, *key: str, by: int = 1) -> None:
        self.counters[key] += by

    def total(self, name: str, *prefix: str) -> int:
        """Sum of a counter family, optionally filtered by leading labels."""
        n = len(prefix)
        return sum(v for k, v in self.counters.items() if k[0] == name and k[1 : 1 + n] == prefix)


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """structlog to stderr; JSON by default so a log shipper can index every field."""
    renderer: Any = (
        structlog.processors.JSONRenderer() if fmt == "json" else structlog.dev.ConsoleRenderer()
    )
    structlog.configure(
        processors=[
            structlog.contextvars.merge_contextvars,
            structlog.processors.add_log_level,
            structlog.processors.TimeStamper(fmt="iso", utc=True),
            *([structlog.processors.dict_tracebacks] if fmt == "json" else []),
            renderer,
        ],
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
