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


MAX_FIELD_CHARS = 2_000
"""A longer string field is cut to this with a marker: a client's 1 MB input stays out of logs."""
MAX_ITEMS = 50
MAX_LINE_CHARS = 16_000
"""A rendered line longer than this (after field caps) is replaced by a short notice."""


def _cap(value: Any, depth: int = 0) -> Any:
    if isinstance(value, str) and len(value) > MAX_FIELD_CHARS:
        return f"{value[:MAX_FIELD_CHARS]}…[truncated {len(value) - MAX_FIELD_CHARS} chars]"
    if depth >= 8:
        return value if isinstance(value, str | int | float | bool | None) else "…[nested]"
    if isinstance(value, dict):
        return {k: _cap(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list | tuple):
        items = [_cap(v, depth + 1) for v in value[:MAX_ITEMS]]
        if len(value) > MAX_ITEMS:
            items.append(f"…[{len(value) - MAX_ITEMS} more items]")
        return items
    return value


def cap_fields(_: Any, __: str, event_dict: dict[str, Any]) -> dict[str, Any]:
    """structlog processor: truncate long strings and long lists anywhere in the event."""
    return {k: _cap(v) for k, v in event_dict.items()}


class CappedJSONRenderer:
    """JSON, one line, never longer than ``MAX_LINE_CHARS``."""

    def __init__(self) -> None:
        self._json = structlog.processors.JSONRenderer()

    def __call__(self, logger: Any, name: str, event_dict: dict[str, Any]) -> str:
        line = str(self._json(logger, name, event_dict))
        if len(line) <= MAX_LINE_CHARS:
            return line
        notice: dict[str, Any] = {
            k: event_dict[k] for k in ("timestamp", "level", "event") if k in event_dict
        }
        notice["truncated"] = f"log line of {len(line)} chars dropped (limit {MAX_LINE_CHARS})"
        return str(self._json(logger, name, notice))


def logging_processors(fmt: str = "json") -> list[Any]:
    """Tracebacks never carry frame locals (a user's input or a secret would land in the log),
    and fields and lines are capped in size."""
    common: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    if fmt == "json":
        tracebacks = structlog.processors.ExceptionRenderer(
            structlog.tracebacks.ExceptionDictTransformer(show_locals=False, max_frames=20)
        )
        return [*common, tracebacks, cap_fields, CappedJSONRenderer()]
    console = structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    return [*common, cap_fields, console]


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """structlog to stderr; JSON by default so a log shipper can index every field."""
    structlog.configure(
        processors=logging_processors(fmt),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
