"""One access-log line and one set of metrics per GraphQL request, and its request id.

A pure ASGI middleware (not Starlette's BaseHTTPMiddleware, which would buffer the body and
break the context variable): it opens the request's ``RequestObservation``, binds the request
id into every log line written meanwhile (the upstream_call lines carry it too), returns it as
``X-Request-Id``, and when the response is done writes the ``graphql_request`` line. No query
text, variables or headers other than the request and client ids are logged: those are where
secrets and personal data travel.
"""

from __future__ import annotations

import re
import time
from typing import Any

import structlog
from opentelemetry.trace import Span, SpanKind
from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colonnade.observability import context
from colonnade.telemetry import Telemetry

_log = structlog.get_logger("colonnade.access")
_CLIENT = re.compile(r"^[A-Za-z0-9._@/-]{1,64}$")
_STATUS_CODES = {400: "BAD_REQUEST", 413: "PAYLOAD_TOO_LARGE"}


def client_of(headers: Headers) -> str | None:
    """A self-declared client name (Apollo's header or ours); logged, never a metric label."""
    for name in ("x-client-name", "apollographql-client-name"):
        value = headers.get(name)
        if value and _CLIENT.match(value):
            return value
    return None


class RequestObserver:
    def __init__(self, app: ASGIApp, telemetry: Telemetry, path: str = "/graphql") -> None:
        self.app = app
        self.telemetry = telemetry
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        headers = Headers(scope=scope)
        obs = context.RequestObservation(
            context.request_id_from(headers.get("x-request-id")), client=client_of(headers)
        )
        status = 500
        json_body = False

        async def send_with_id(message: Message) -> None:
            nonlocal status, json_body
            if message["type"] == "http.response.start":
                status = message["status"]
                json_body = "json" in Headers(raw=message["headers"]).get("content-type", "")
                MutableHeaders(scope=message)["X-Request-Id"] = obs.request_id
            await send(message)

        token = context.current.set(obs)
        started = time.perf_counter()
        tracing = self.telemetry.tracing
        try:
            with (
                structlog.contextvars.bound_contextvars(request_id=obs.request_id),
                tracing.span(
                    "graphql",
                    {"colonnade.request_id": obs.request_id},
                    kind=SpanKind.SERVER,
                    # The client's traceparent, if any (not even parsed when absent and unrecorded).
                    context=tracing.extract(headers)
                    if tracing.recording or "traceparent" in headers
                    else None,
                ) as span,
            ):
                try:
                    await self.app(scope, receive, send_with_id)
                finally:
                    self._finish(obs, status, json_body, time.perf_counter() - started, scope)
                    self._describe(span, obs, status)
        finally:
            context.current.reset(token)

    def _describe(self, span: Span, obs: context.RequestObservation, status: int) -> None:
        name = self.telemetry.operation_label(obs)
        span.update_name(f"{obs.operation_type} {name}")
        span.set_attribute("graphql.operation.type", obs.operation_type)
        span.set_attribute("graphql.operation.name", name)
        span.set_attribute("http.response.status_code", status)
        span.set_attribute("colonnade.upstream_calls", sum(obs.upstream_calls.values()))
        if obs.error_codes:
            span.set_attribute("colonnade.error_codes", sorted(set(obs.error_codes)))
            self.telemetry.tracing.failed(span, sorted(set(obs.error_codes))[0])

    def _finish(
        self,
        obs: context.RequestObservation,
        status: int,
        json_body: bool,
        duration_s: float,
        scope: Scope,
    ) -> None:
        if not obs.executed:
            if obs.error_codes:
                pass  # whoever ended it early said why (the drain gate cutting it at shutdown)
            elif status == 503:  # refused while draining for shutdown
                obs.error_codes.append("SERVICE_UNAVAILABLE")
            elif status >= 500:
                obs.error_codes.append("INTERNAL_SERVER_ERROR")
            elif status in _STATUS_CODES:
                obs.error_codes.append(_STATUS_CODES[status])
            elif json_body:
                obs.error_codes.append("GRAPHQL_PARSE_FAILED")  # refused before execution
            else:
                return  # the GraphiQL page, a CORS preflight: not an operation
        outcome = self.telemetry.graphql_request(obs, duration_s)
        fields: dict[str, Any] = {
            "request_id": obs.request_id,
            "method": scope.get("method"),
            "status": status,
            "operation_type": obs.operation_type,
            "operation_name": self.telemetry.operation_label(obs),
            "client": obs.client,
            "outcome": outcome,
            "duration_ms": round(duration_s * 1000, 2),
            "error_codes": sorted(set(obs.error_codes)),
            "upstream_calls": dict(obs.upstream_calls),
            "upstream_total": sum(obs.upstream_calls.values()),
        }
        _log.info("graphql_request", **fields)
