"""Colonnade's one error tree, translated at the boundary.

Resolvers and clients never see an ``httpx``, ``zeep`` or ``redis`` exception: connectors and
the pipeline raise these, and the GraphQL layer turns them into ``extensions.code`` from the
closed taxonomy of the design brief. Every message here is safe to show a client: it never carries a
credential or a raw provider body.

    ColonnadeError
    ├── UpstreamError                  a provider call failed        (extensions.connector set)
    │   ├── UpstreamUnavailable        5xx, reset, refused           UPSTREAM_UNAVAILABLE
    │   ├── UpstreamTimeout            attempt timeout or deadline   UPSTREAM_TIMEOUT
    │   ├── UpstreamRateLimited        429 or our own bucket/queue   UPSTREAM_RATE_LIMITED
    │   ├── UpstreamRejected           provider refused a valid call UPSTREAM_REJECTED
    │   ├── UpstreamContractViolation  body broke the declared model UPSTREAM_CONTRACT_VIOLATION
    │   │   └── UpstreamResponseTooLarge   body above the size cap   UPSTREAM_CONTRACT_VIOLATION
    │   ├── UpstreamUnauthenticated    our credentials were refused  UPSTREAM_UNAVAILABLE (ops)
    │   ├── UpstreamOutcomeUnknown     a write may have been applied UPSTREAM_OUTCOME_UNKNOWN
    │   ├── CircuitOpen                breaker open, no call made    CIRCUIT_OPEN
    │   └── UpstreamNotFound           the thing does not exist      NOT_FOUND
    ├── BadUserInput                   the client's arguments        BAD_USER_INPUT
    ├── ConnectorUnavailable           connector disabled/unconfigured CONNECTOR_UNAVAILABLE
    ├── GatewayError                   the inbound gateway refused   (see colonnade.gateway)
    │   ├── Unauthenticated            no/invalid credentials        UNAUTHENTICATED (401)
    │   ├── Forbidden                  a scope is missing            FORBIDDEN
    │   ├── CostLimitExceeded          static cost above the limit   COST_LIMIT_EXCEEDED
    │   ├── ClientRateLimited          this client is over its rate  RATE_LIMITED (429)
    │   └── PersistedQueryError        APQ / trusted documents       PERSISTED_QUERY_*
    ├── ConfigError                    start-up configuration        (never reaches a client)
    └── StateUnavailable               shared state (Redis) failed   (callers degrade: bypass)
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorCode(StrEnum):
    UPSTREAM_UNAVAILABLE = "UPSTREAM_UNAVAILABLE"
    UPSTREAM_TIMEOUT = "UPSTREAM_TIMEOUT"
    UPSTREAM_RATE_LIMITED = "UPSTREAM_RATE_LIMITED"
    UPSTREAM_REJECTED = "UPSTREAM_REJECTED"
    UPSTREAM_CONTRACT_VIOLATION = "UPSTREAM_CONTRACT_VIOLATION"
    UPSTREAM_OUTCOME_UNKNOWN = "UPSTREAM_OUTCOME_UNKNOWN"
    CIRCUIT_OPEN = "CIRCUIT_OPEN"
    NOT_FOUND = "NOT_FOUND"
    BAD_USER_INPUT = "BAD_USER_INPUT"
    UNAUTHENTICATED = "UNAUTHENTICATED"
    FORBIDDEN = "FORBIDDEN"
    COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"
    RATE_LIMITED = "RATE_LIMITED"
    PERSISTED_QUERY_NOT_FOUND = "PERSISTED_QUERY_NOT_FOUND"
    PERSISTED_QUERY_NOT_IN_LIST = "PERSISTED_QUERY_NOT_IN_LIST"
    CSRF_PREVENTED = "CSRF_PREVENTED"
    INTERNAL = "INTERNAL_SERVER_ERROR"
    # Request-level codes (the HTTP edge and the document, before any resolver runs):
    BAD_REQUEST = "BAD_REQUEST"
    """Malformed HTTP request: body, parameters, content type or method (status says which)."""
    GRAPHQL_PARSE_FAILED = "GRAPHQL_PARSE_FAILED"
    GRAPHQL_VALIDATION_FAILED = "GRAPHQL_VALIDATION_FAILED"
    """The document does not fit the schema, a variable does not fit its type, a limit."""
    PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE"
    REQUEST_TIMEOUT = "REQUEST_TIMEOUT"
    """The client sent its request too slowly (headers or body)."""
    SERVICE_UNAVAILABLE = "SERVICE_UNAVAILABLE"
    """This process is at its connection limit (server.max_connections): retry shortly."""
    CONNECTOR_UNAVAILABLE = "CONNECTOR_UNAVAILABLE"
    """The field's connector is disabled or not configured on this deployment."""


class ColonnadeError(Exception):
    """Base of everything Colonnade raises on purpose."""

    code: ErrorCode = ErrorCode.INTERNAL

    def __init__(self, message: str, **extensions: Any) -> None:
        super().__init__(message)
        self.message = message
        self.extensions: dict[str, Any] = {k: v for k, v in extensions.items() if v is not None}

    def as_extensions(self) -> dict[str, Any]:
        return {"code": self.code.value, **self.extensions}


class UpstreamError(ColonnadeError):
    """A call to a provider failed. ``retryable`` and ``counts_as_failure`` drive the pipeline."""

    code = ErrorCode.UPSTREAM_UNAVAILABLE
    retryable: bool = True
    counts_as_failure: bool = True
    """Whether the circuit breaker counts it: the provider's fault, not the client's."""

    def __init__(
        self,
        message: str,
        *,
        connector: str,
        operation: str | None = None,
        status: int | None = None,
        retry_after_s: float | None = None,
        provider_code: str | None = None,
        retryable: bool | None = None,
        counts_as_failure: bool | None = None,
        request_sent: bool = True,
        **extensions: Any,
    ) -> None:
        super().__init__(message, connector=connector, **extensions)
        self.connector = connector
        self.operation = operation
        self.status = status
        self.retry_after_s = retry_after_s
        self.provider_code = provider_code
        self.request_sent = request_sent
        """False when the provider never saw the request: even an unkeyed write may retry."""
        self.attempts_sent = int(request_sent)
        """After the retry loop: how many attempts may have reached the provider."""
        if retryable is not None:
            self.retryable = retryable
        if counts_as_failure is not None:  # per instance: a provider's code may differ
            self.counts_as_failure = counts_as_failure


class UpstreamUnavailable(UpstreamError):
    code = ErrorCode.UPSTREAM_UNAVAILABLE


class UpstreamTimeout(UpstreamError):
    code = ErrorCode.UPSTREAM_TIMEOUT


class UpstreamRateLimited(UpstreamError):
    code = ErrorCode.UPSTREAM_RATE_LIMITED
    counts_as_failure = False


class UpstreamRejected(UpstreamError):
    """The provider refused the request (a 4xx or a business error): retrying will not help."""

    code = ErrorCode.UPSTREAM_REJECTED
    retryable = False
    counts_as_failure = False


class UpstreamNotFound(UpstreamRejected):
    code = ErrorCode.NOT_FOUND


class UpstreamContractViolation(UpstreamError):
    """The provider answered, but not in the shape its contract declares (schema drift)."""

    code = ErrorCode.UPSTREAM_CONTRACT_VIOLATION
    retryable = False


class UpstreamResponseTooLarge(UpstreamContractViolation):
    """The provider's body exceeded ``max_response_bytes``; reading stopped there.

    Not retried (the same request gets the same reply) and counted by the breaker: a provider
    that keeps sending oversized replies is broken, and an open breaker stops us downloading
    them again and again. ``bytes_read`` says how much was read before refusing (0 when the
    declared Content-Length alone was enough)."""

    def __init__(self, message: str, *, limit: int, bytes_read: int, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.limit = limit
        self.bytes_read = bytes_read


class UpstreamUnauthenticated(UpstreamError):
    """Colonnade's own credentials were refused even after a refresh: an operator problem.

    Shown to clients as UPSTREAM_UNAVAILABLE: a client can do nothing about our credentials,
    and UNAUTHENTICATED would wrongly tell it to log in again.
    """

    code = ErrorCode.UPSTREAM_UNAVAILABLE
    retryable = False


class UpstreamOutcomeUnknown(UpstreamError):
    """A write reached (or may have reached) the provider and its answer was lost.

    Distinct from UPSTREAM_UNAVAILABLE ("not applied, safe to send again"): a blind retry of
    this one may apply the write twice. Raised after the pipeline's own retries, never retried.
    """

    code = ErrorCode.UPSTREAM_OUTCOME_UNKNOWN
    retryable = False


class CircuitOpen(UpstreamError):
    code = ErrorCode.CIRCUIT_OPEN
    retryable = False
    counts_as_failure = False


class BadUserInput(ColonnadeError):
    code = ErrorCode.BAD_USER_INPUT


class ConnectorUnavailable(ColonnadeError):
    """The deployment has this connector disabled or unconfigured (an operator's choice, see
    ``graph.unavailable_fields``): not a provider failure, so no breaker or retry is involved."""

    code = ErrorCode.CONNECTOR_UNAVAILABLE


class GatewayError(ColonnadeError):
    """The inbound gateway refused the request; ``status`` is the HTTP answer when it is
    refused before GraphQL runs (a field-level refusal is a GraphQL error in a 200)."""

    status: int = 400


class Unauthenticated(GatewayError):
    code = ErrorCode.UNAUTHENTICATED
    status = 401


class Forbidden(GatewayError):
    code = ErrorCode.FORBIDDEN
    status = 403


class CostLimitExceeded(GatewayError):
    code = ErrorCode.COST_LIMIT_EXCEEDED


class ClientRateLimited(GatewayError):
    code = ErrorCode.RATE_LIMITED
    status = 429


class PersistedQueryNotFound(GatewayError):
    code = ErrorCode.PERSISTED_QUERY_NOT_FOUND
    status = 200  # Apollo clients read the code from a 200 and resend with the document


class PersistedQueryNotInList(GatewayError):
    code = ErrorCode.PERSISTED_QUERY_NOT_IN_LIST


class CsrfPrevented(GatewayError):
    code = ErrorCode.CSRF_PREVENTED


class ConfigError(ColonnadeError):
    """Configuration is wrong; the message names the key, the bad value and how to fix it."""


class StateUnavailable(ColonnadeError):
    """The shared state backend failed; callers bypass it (cache) or fall back to per-process
    state (breakers, rate limits)."""
