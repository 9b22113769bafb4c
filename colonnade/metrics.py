"""``GET /metrics``: prometheus_client metrics, one registry per app.

A registry per ``Telemetry`` (not the process-global one) so several apps in one process — the
tests build dozens — never collide or share counts. Every label is bounded: connectors and
operations are declared in code, outcomes and error codes come from a closed taxonomy, GraphQL
operation names are capped (see ``OperationNames``), breaker keys are connector or
connector.operation.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from colonnade.errors import ErrorCode

if TYPE_CHECKING:
    from colonnade.telemetry import Telemetry

CONTENT_TYPE = CONTENT_TYPE_LATEST
LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
BREAKER_STATES = ("closed", "open", "half_open")
KNOWN_CODES = frozenset(
    {c.value for c in ErrorCode}
    | {"GRAPHQL_VALIDATION_FAILED", "GRAPHQL_PARSE_FAILED", "PAYLOAD_TOO_LARGE", "BAD_REQUEST"}
)
_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")


def bounded_code(code: object) -> str:
    text = str(code) if code else "INTERNAL_SERVER_ERROR"
    return text if text in KNOWN_CODES else "OTHER"


class OperationNames:
    """GraphQL operation names are chosen by clients: keep the first ``cap`` well-formed ones,
    collapse the rest to ``other``, a missing one to ``anonymous``, a malformed one (or a
    document that did not parse) to ``unknown``."""

    def __init__(self, cap: int = 200) -> None:
        self.cap = cap
        self._seen: set[str] = set()

    def label(self, name: str | None, *, parsed: bool = True) -> str:
        if not parsed:
            return "unknown"
        if not name:
            return "anonymous"
        if not _NAME.match(name):
            return "unknown"
        if name in self._seen:
            return name
        if len(self._seen) >= self.cap:
            return "other"
        self._seen.add(name)
        return name


class Metrics:
    """Every metric family Colonnade exports, registered in its own registry."""

    def __init__(self) -> None:
        r = self.registry = CollectorRegistry(auto_describe=True)
        # Names kept from the hand-written exporter (README, dashboards).
        self.upstream_attempts = Counter(
            "colonnade_upstream_attempts",
            "Upstream attempts by outcome (ok or the error code).",
            ("connector", "operation", "outcome"),
            registry=r,
        )
        self.upstream_retries = Counter(
            "colonnade_upstream_retries",
            "Attempts that were retries.",
            ("connector", "operation"),
            registry=r,
        )
        self.cache_events = Counter(
            "colonnade_cache_events",
            "Cache lookups per tier: hit, miss, stale, stale_if_error, last_known_good.",
            ("connector", "tier", "outcome"),
            registry=r,
        )
        self.cache_bypassed = Counter(
            "colonnade_cache_bypassed",
            "Cache reads or writes skipped because shared state was unavailable.",
            ("reason",),
            registry=r,
        )
        self.retry_budget_exhausted = Counter(
            "colonnade_retry_budget_exhausted",
            "Retries refused by the retry budget.",
            ("connector",),
            registry=r,
        )
        # New families.
        self.upstream_duration = Histogram(
            "colonnade_upstream_attempt_duration_seconds",
            "Duration of one upstream attempt, by outcome.",
            ("connector", "operation", "outcome"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.upstream_429 = Counter(
            "colonnade_upstream_rate_limited_responses",
            "HTTP 429 responses received from the provider.",
            ("connector",),
            registry=r,
        )
        self.rate_limit_remaining = Gauge(
            "colonnade_rate_limit_remaining",
            "Requests left in the provider's window, as its last response headers said.",
            ("connector", "limit"),
            registry=r,
        )
        self.rate_limit_limit = Gauge(
            "colonnade_rate_limit_limit",
            "Size of the provider's window, as its last response headers said.",
            ("connector", "limit"),
            registry=r,
        )
        self.breaker_state = Gauge(
            "colonnade_breaker_state",
            "1 for the breaker's current state (closed, open, half_open), 0 for the others.",
            ("connector", "breaker", "state"),
            registry=r,
        )
        self.breaker_transitions = Counter(
            "colonnade_breaker_transitions",
            "Breaker state changes seen by this process, by the state entered.",
            ("connector", "breaker", "to"),
            registry=r,
        )
        self.bulkhead_in_flight = Gauge(
            "colonnade_bulkhead_in_flight",
            "Upstream calls holding a bulkhead slot now.",
            ("connector",),
            registry=r,
        )
        self.bulkhead_capacity = Gauge(
            "colonnade_bulkhead_capacity",
            "Bulkhead slots (bulkhead.max_concurrent).",
            ("connector",),
            registry=r,
        )
        self.credential_refreshes = Counter(
            "colonnade_credential_refreshes",
            "Credential (token) fetches, by outcome.",
            ("connector", "outcome"),
            registry=r,
        )
        self.graphql_requests = Counter(
            "colonnade_graphql_requests",
            "GraphQL requests by operation and outcome (ok, partial, error).",
            ("operation_type", "operation_name", "outcome"),
            registry=r,
        )
        self.graphql_duration = Histogram(
            "colonnade_graphql_request_duration_seconds",
            "Duration of a GraphQL request, from first byte to response.",
            ("operation_type", "operation_name"),
            buckets=LATENCY_BUCKETS,
            registry=r,
        )
        self.graphql_errors = Counter(
            "colonnade_graphql_errors",
            "Errors in GraphQL responses by extensions.code.",
            ("operation_type", "operation_name", "code"),
            registry=r,
        )
        self.api_version = Gauge(
            "colonnade_connector_api_version_info",
            "The provider API version each connector speaks (value 1).",
            ("connector", "version"),
            registry=r,
        )
        self.deprecation_notices = Counter(
            "colonnade_deprecation_notices",
            "Provider responses announcing Deprecation or Sunset (RFC 9745, RFC 8594).",
            ("connector", "kind"),
            registry=r,
        )
        self.sunset_timestamp = Gauge(
            "colonnade_connector_sunset_timestamp_seconds",
            "The Sunset date a provider announced (Unix time).",
            ("connector",),
            registry=r,
        )
        self.webhooks = Counter(
            "colonnade_webhooks",
            "Webhook deliveries: stored, duplicate, refused, invalid, too_large, slow, "
            "unavailable.",
            ("source", "outcome"),
            registry=r,
        )
        self.events_handled = Counter(
            "colonnade_events_handled",
            "Stored events handed to their handler: done, retry, dead_letter.",
            ("source", "outcome"),
            registry=r,
        )
        self.families: dict[str, Counter] = {
            "upstream_attempts": self.upstream_attempts,
            "upstream_retries": self.upstream_retries,
            "cache": self.cache_events,
            "cache_bypassed": self.cache_bypassed,
            "retry_budget_exhausted": self.retry_budget_exhausted,
            "webhooks": self.webhooks,
            "events_handled": self.events_handled,
        }

    def render(self) -> bytes:
        return generate_latest(self.registry)


def render(telemetry: Telemetry) -> bytes:
    return telemetry.metrics.render()
