"""Where everything the engine observes is recorded: logs, Prometheus metrics, recent history.

Every attempt the pipeline makes ends in ``Telemetry.attempt``: one log line (connector,
operation, attempt, status, outcome, latency) and metric updates. Provider responses pass their
headers through ``Telemetry.response`` (rate-limit headroom, deprecation notices); breakers
report the state they saw. Nothing here receives a credential: callers pass status codes, error
codes and the response headers that carry no secret, never request headers or bodies.
``counters`` keeps the plain in-process counts tests read; ``metrics`` is the app's own
prometheus_client registry (see colonnade/metrics.py).
"""

from __future__ import annotations

import logging
import sys
import time
from collections import Counter, deque
from collections.abc import Iterator, Mapping, MutableMapping, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

import structlog
from opentelemetry.trace import SpanKind

from colonnade.errors import ColonnadeError
from colonnade.metrics import BREAKER_STATES, Metrics, OperationNames
from colonnade.observability import context
from colonnade.observability.timeline import Timeline
from colonnade.observability.tracing import Tracing
from colonnade.observability.versions import ConnectorVersion, Notice, notice_from
from colonnade.pipeline.ratelimit_headers import QuotaHint

_log = structlog.get_logger("colonnade.upstream")
_versions_log = structlog.get_logger("colonnade.versions")
CREDENTIAL_OPERATION = "token"
"""The operation name credential fetches are recorded under (colonnade.auth.oauth2)."""


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


@dataclass(slots=True)
class ErrorSeen:
    at: float
    connector: str
    operation: str
    code: str
    status: int | None


class Telemetry:
    """Counters, metrics and the recent-attempts ring that tests and operators read."""

    def __init__(self, keep: int = 2048) -> None:
        self.recent: deque[AttemptRecord] = deque(maxlen=keep)
        self.recent_errors: deque[ErrorSeen] = deque(maxlen=200)
        self.counters: Counter[tuple[str, ...]] = Counter()
        self.metrics = Metrics()
        self.versions: dict[str, ConnectorVersion] = {}
        self.breakers: dict[str, tuple[str, str]] = {}  # breaker key → (connector, state)
        self.quota: dict[tuple[str, str], tuple[float, float]] = {}  # → (remaining, limit)
        self._operation_names = OperationNames()
        self.tracing = Tracing()
        self._children: dict[tuple[str, ...], Any] = {}  # label lookups, once per label set
        self.timeline = Timeline()

    # ------------------------------------------------------------ upstream attempts
    def attempt(self, record: AttemptRecord) -> None:
        m = self.metrics
        self.recent.append(record)
        self.timeline.add(record.connector, record.outcome, record.latency_ms)
        self.counters[
            ("upstream_attempts", record.connector, record.operation, record.outcome)
        ] += 1
        m.upstream_attempts.labels(record.connector, record.operation, record.outcome).inc()
        m.upstream_duration.labels(record.connector, record.operation, record.outcome).observe(
            record.latency_ms / 1000
        )
        if record.attempt > 1:
            self.counters[("upstream_retries", record.connector, record.operation)] += 1
            m.upstream_retries.labels(record.connector, record.operation).inc()
        if record.operation == CREDENTIAL_OPERATION:
            m.credential_refreshes.labels(record.connector, record.outcome).inc()
        if record.outcome != "ok":
            self.recent_errors.append(
                ErrorSeen(
                    time.time(), record.connector, record.operation, record.outcome, record.status
                )
            )
        obs = context.observation()
        if obs is not None and record.outcome != "CIRCUIT_OPEN":
            obs.upstream_calls[record.connector] += 1
        _log.info("upstream_call", **asdict(record))

    def response(
        self,
        connector: str,
        status: int,
        headers: Mapping[str, str],
        hints: Sequence[QuotaHint],
    ) -> None:
        """What a provider's response headers tell: 429s, quota headroom (``hints``, parsed
        once by the caller, which also feeds them to the limiter), deprecation."""
        m = self.metrics
        if status == 429:
            m.upstream_429.labels(connector).inc()
        for hint in hints:
            self.quota[(connector, hint.name)] = (hint.remaining, hint.limit)
            m.rate_limit_remaining.labels(connector, hint.name).set(hint.remaining)
            m.rate_limit_limit.labels(connector, hint.name).set(hint.limit)
        notice = notice_from(headers)
        if notice:
            self._notice(connector, notice)

    # ------------------------------------------------------------ connectors and breakers
    def register_connector(self, name: str, api_version: str, bulkhead: int) -> None:
        self.versions.setdefault(name, ConnectorVersion(name, api_version))
        self.metrics.api_version.labels(name, api_version).set(1)
        self.metrics.bulkhead_capacity.labels(name).set(bulkhead)
        self.metrics.bulkhead_in_flight.labels(name).set(0)

    def breaker_seen(
        self, connector: str, key: str, state: str, *, verdict: str | None = None
    ) -> None:
        """A breaker's state as this process saw it (its own verdicts, or another replica's
        through shared state); a change is a transition. ``verdict`` (refused, probe, ok,
        failure) is what the breaker decided for this call: a span of its own."""
        key = key.removeprefix("cb:")
        previous = self.breakers.get(key)
        if verdict is not None:
            self.tracing.step(
                f"breaker {verdict}",
                {"colonnade.connector": connector, "colonnade.breaker": key, "state": state},
            )
        if previous is not None and previous[1] == state:
            return
        self.breakers[key] = (connector, state)
        for s in BREAKER_STATES:
            self.metrics.breaker_state.labels(connector, key, s).set(1 if s == state else 0)
        if previous is not None:
            self.metrics.breaker_transitions.labels(connector, key, state).inc()

    def outbound(self, headers: MutableMapping[str, str]) -> None:
        """Headers every provider request carries: the request id (and the trace context)."""
        obs = context.observation()
        if obs is not None:
            headers["X-Request-Id"] = obs.request_id
        self.tracing.inject(headers)

    @contextmanager
    def attempt_span(self, connector: str, operation: str, attempt: Any) -> Iterator[None]:
        """The span of one upstream attempt (kind CLIENT): current while the request is sent,
        so its ``traceparent`` names it; status and outcome are set when it ends."""
        if not self.tracing.recording:
            yield
            return
        attributes = {
            "colonnade.connector": connector,
            "colonnade.operation": operation,
            "colonnade.attempt": attempt.number,
        }
        with self.tracing.span(
            f"{connector} {operation}", attributes, kind=SpanKind.CLIENT
        ) as span:
            try:
                yield
            except ColonnadeError as err:
                self.tracing.failed(span, err.code.value)
                raise
            finally:
                if attempt.status is not None:
                    span.set_attribute("http.response.status_code", attempt.status)

    def coalesced(self, connector: str, operation: str, keys: int) -> None:
        """Callers that joined a call already in flight instead of making their own."""
        if keys:
            self.tracing.step(
                "coalesced",
                {
                    "colonnade.connector": connector,
                    "colonnade.operation": operation,
                    "colonnade.keys": keys,
                },
            )

    def in_flight(self, connector: str, delta: int) -> None:
        self.metrics.bulkhead_in_flight.labels(connector).inc(delta)

    # ------------------------------------------------------------ GraphQL requests
    def operation_label(self, obs: context.RequestObservation) -> str:
        return self._operation_names.label(obs.operation_name, parsed=obs.parsed)

    def graphql_request(self, obs: context.RequestObservation, duration_s: float) -> str:
        """Count one finished request; returns its outcome (ok, partial or error)."""
        m = self.metrics
        name = self.operation_label(obs)
        outcome = "ok" if not obs.error_codes else ("error" if not obs.parsed else "partial")
        m.graphql_requests.labels(obs.operation_type, name, outcome).inc()
        m.graphql_duration.labels(obs.operation_type, name).observe(duration_s)
        for code in obs.error_codes:
            m.graphql_errors.labels(obs.operation_type, name, code).inc()
        return outcome

    # ------------------------------------------------------------ generic counters
    def count(self, *key: str, by: int = 1) -> None:
        self.counters[key] += by
        child = self._children.get(key)
        if child is None:
            family = self.metrics.families.get(key[0])
            if family is not None:
                child = self._children[key] = family.labels(*key[1:])
        if child is not None:
            child.inc(by)
        if key[0] == "cache" and by:
            connector, tier, outcome = key[1:4]
            self.tracing.step(
                f"cache {outcome}",
                {"colonnade.connector": connector, "colonnade.cache.tier": tier, "keys": by},
            )
        if key[0] == "retry_budget_exhausted":
            self.recent_errors.append(
                ErrorSeen(time.time(), key[1], "*", "RETRY_BUDGET_EXHAUSTED", None)
            )

    def total(self, name: str, *prefix: str) -> int:
        """Sum of a counter family, optionally filtered by leading labels."""
        n = len(prefix)
        return sum(v for k, v in self.counters.items() if k[0] == name and k[1 : 1 + n] == prefix)

    def _notice(self, connector: str, notice: Notice) -> None:
        version = self.versions.setdefault(connector, ConnectorVersion(connector, "unknown"))
        m = self.metrics
        if notice.deprecation is not None:
            m.deprecation_notices.labels(connector, "deprecation").inc()
        if notice.sunset is not None:
            m.deprecation_notices.labels(connector, "sunset").inc()
            m.sunset_timestamp.labels(connector).set(notice.sunset)
        if notice != version.notice:
            version.notice = notice
            version.notice_seen_at = time.time()
            _versions_log.warning("provider_deprecation_notice", **version.as_dict())


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


QUIET_LIBRARY_LOGGERS = ("httpx", "httpcore")
"""Their INFO lines print every request URL, query string included: an API key sent as a
query parameter (``ApiKey(query=...)``) would land in the log. Colonnade logs its own calls."""


def configure_logging(level: str = "info", fmt: str = "json") -> None:
    """structlog to stderr; JSON by default so a log shipper can index every field."""
    for name in QUIET_LIBRARY_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    structlog.configure(
        processors=logging_processors(fmt),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level.upper())),
        logger_factory=structlog.PrintLoggerFactory(file=sys.stderr),
        cache_logger_on_first_use=True,
    )
