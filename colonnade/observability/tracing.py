"""OpenTelemetry traces: one tracer provider per app, exporting only when configured.

Configuration is OpenTelemetry's own: ``OTEL_TRACES_EXPORTER=otlp`` or an
``OTEL_EXPORTER_OTLP_(TRACES_)ENDPOINT`` turns the OTLP/HTTP exporter on (it reads the other
``OTEL_EXPORTER_OTLP_*`` variables itself), ``OTEL_SERVICE_NAME`` / ``OTEL_RESOURCE_ATTRIBUTES``
name the service, ``OTEL_SDK_DISABLED=true`` turns everything off. Without an exporter the
tracer is a no-op: spans cost nothing, yet a client's W3C ``traceparent`` still reaches the
providers (the no-op tracer carries the incoming span context through).

A provider per app rather than the global one: tests build many apps, each with its own
in-memory exporter, and a library should not claim process-wide state.
"""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Awaitable, Callable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import structlog
from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

_log = structlog.get_logger("colonnade.tracing")
_PROPAGATOR = TraceContextTextMapPropagator()
F = TypeVar("F", bound=Callable[..., Awaitable[Any]])
Attributes = Mapping[str, str | int | float | bool]


def otlp_configured(env: Mapping[str, str] = os.environ) -> bool:
    if env.get("OTEL_SDK_DISABLED", "").lower() == "true":
        return False
    exporter = env.get("OTEL_TRACES_EXPORTER", "").strip().lower()
    if exporter == "none":
        return False
    if exporter and exporter != "otlp":
        _log.warning("otel_exporter_unsupported", exporter=exporter, supported="otlp")
        return False
    return bool(
        exporter
        or env.get("OTEL_EXPORTER_OTLP_ENDPOINT")
        or env.get("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
    )


class Tracing:
    def __init__(self) -> None:
        named = os.environ.get("OTEL_SERVICE_NAME") or "service.name=" in os.environ.get(
            "OTEL_RESOURCE_ATTRIBUTES", ""
        )
        # Our default name only when the operator gave none (given attributes would win).
        self.provider = TracerProvider(
            resource=Resource.create({} if named else {"service.name": "colonnade"})
        )
        self._tracer: trace.Tracer = trace.NoOpTracer()
        if otlp_configured():
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            self.add_processor(BatchSpanProcessor(OTLPSpanExporter()))

    @property
    def recording(self) -> bool:
        return not isinstance(self._tracer, trace.NoOpTracer)

    def add_processor(self, processor: SpanProcessor) -> None:
        """Start recording into ``processor`` (an exporter's, or a test's in-memory one)."""
        self.provider.add_span_processor(processor)
        self._tracer = self.provider.get_tracer("colonnade")

    @contextmanager
    def span(
        self,
        name: str,
        attributes: Attributes | None = None,
        *,
        kind: SpanKind = SpanKind.INTERNAL,
        context: Context | None = None,
    ) -> Iterator[Span]:
        if not self.recording:
            # Nothing records: skip the tracer, but keep a client's span context current so
            # ``inject`` passes its traceparent on to the providers.
            if context is None:
                yield trace.INVALID_SPAN
                return
            token = otel_context.attach(context)
            try:
                yield trace.get_current_span(context)
            finally:
                otel_context.detach(token)
            return
        with self._tracer.start_as_current_span(
            name, context=context, kind=kind, attributes=attributes
        ) as span:
            yield span

    def step(self, name: str, attributes: Attributes, *, since_ns: int | None = None) -> None:
        """A pipeline step that already happened (a cache verdict, a wait that is over)."""
        if not self.recording:
            return
        self._tracer.start_span(name, attributes=attributes, start_time=since_ns).end()

    def waited(self, name: str, since_ns: int, attributes: Attributes) -> None:
        """A step worth a span only if it made the call wait (over a millisecond)."""
        if self.recording and time.time_ns() - since_ns > 1_000_000:
            self.step(name, attributes, since_ns=since_ns)

    @staticmethod
    def inject(headers: MutableMapping[str, str]) -> None:
        _PROPAGATOR.inject(headers)

    @staticmethod
    def extract(headers: Mapping[str, str]) -> Context:
        return _PROPAGATOR.extract(headers)

    @staticmethod
    def failed(span: Span, code: str) -> None:
        span.set_attribute("error.type", code)
        span.set_status(Status(StatusCode.ERROR, code))


def traced_batch(fn: F) -> F:
    """Decorates ``ConnectorPipeline.read_many``/``read_each``: one span per DataLoader batch."""

    @functools.wraps(fn)
    async def wrapper(self: Any, op: Any, keys: Any, *args: Any, **kwargs: Any) -> Any:
        tracing: Tracing = self.caller.telemetry.tracing
        if not tracing.recording:
            return await fn(self, op, keys, *args, **kwargs)
        attributes = {
            "colonnade.connector": op.connector,
            "colonnade.operation": op.name,
            "colonnade.batch.keys": len(keys),
        }
        with tracing.span(f"batch {op.connector}.{op.name}", attributes):
            return await fn(self, op, keys, *args, **kwargs)

    return cast(F, wrapper)
