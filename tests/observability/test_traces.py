"""Traces: the span tree of a nested query, and a retry span with its delay under an ERP fault."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from colonnade.sandboxes import Fault, SandboxSet

NESTED = "query Nested { customers(first: 2) { edges { node { name salesOrders { number } payments { id } } } } }"
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"
CLIENT_SPAN = "00f067aa0ba902b7"


@pytest.fixture
async def traced(make_facade) -> tuple[Any, InMemorySpanExporter]:
    facade = await make_facade(connectors={"erp": {"retry": {"max_attempts": 3}}})
    exporter = InMemorySpanExporter()
    facade.runtime.telemetry.tracing.add_processor(SimpleSpanProcessor(exporter))
    return facade, exporter


def by_name(spans: tuple[ReadableSpan, ...], name: str) -> list[ReadableSpan]:
    return [s for s in spans if s.name == name]


def parent_of(span: ReadableSpan) -> int | None:
    return span.parent.span_id if span.parent is not None else None


def tree(spans: tuple[ReadableSpan, ...]) -> dict[str, list[str]]:
    names = {s.context.span_id: s.name for s in spans}
    out: dict[str, list[str]] = {}
    for s in spans:
        out.setdefault(names.get(parent_of(s) or 0, "<client>"), []).append(s.name)
    return {k: sorted(v) for k, v in out.items()}


async def test_nested_query_span_tree_with_a_retried_erp_call(
    traced, providers: SandboxSet
) -> None:
    facade, exporter = traced
    providers.erp.faults.add(Fault("status", status=503, times=1))
    response = await facade.client.post(
        "/graphql",
        json={"query": NESTED},
        headers={"traceparent": f"00-{TRACE_ID}-{CLIENT_SPAN}-01"},
    )
    assert response.status_code == 200
    assert "errors" not in response.json()
    spans = exporter.get_finished_spans()
    assert tree(spans) == {
        "<client>": ["query Nested"],
        "query Nested": [
            "batch erp.orders_by_customer",
            "batch payments.payments_by_customer",
            "cache miss",  # the customer page (a single read, not a batch)
            "crm account_page",
        ],
        "crm account_page": ["breaker ok"],
        "batch erp.orders_by_customer": [
            "cache miss",
            "erp orders_by_customer",
            "erp orders_by_customer",
            "retry wait",
        ],
        "erp orders_by_customer": ["breaker failure", "breaker ok"],
        "batch payments.payments_by_customer": [
            "cache miss",
            "cache miss",
            "payments payments_by_customer",
            "payments payments_by_customer",
        ],
        "payments payments_by_customer": ["breaker ok", "breaker ok"],
    }
    assert {format(s.context.trace_id, "032x") for s in spans} == {TRACE_ID}  # one trace

    [root] = by_name(spans, "query Nested")
    assert format(parent_of(root) or 0, "016x") == CLIENT_SPAN  # accepted from the client
    assert root.attributes["graphql.operation.name"] == "Nested"
    assert root.attributes["colonnade.upstream_calls"] == sum(
        p.recorder.count("*") for p in (providers.crm, providers.erp, providers.payments)
    )

    # One span per DataLoader batch, children of the request.
    [orders] = by_name(spans, "batch erp.orders_by_customer")
    [payments] = by_name(spans, "batch payments.payments_by_customer")
    assert parent_of(orders) == parent_of(payments) == root.context.span_id
    assert orders.attributes["colonnade.batch.keys"] == 2
    # Cache misses recorded as steps of the batch.
    assert any(s.name == "cache miss" and parent_of(s) == orders.context.span_id for s in spans)

    # The ERP call: attempt 1 failed (503), a retry wait with its delay, attempt 2 ok.
    attempts = sorted(
        by_name(spans, "erp orders_by_customer"), key=lambda s: s.attributes["colonnade.attempt"]
    )
    assert [a.attributes["colonnade.attempt"] for a in attempts] == [1, 2]
    assert attempts[0].attributes["error.type"] == "UPSTREAM_UNAVAILABLE"
    assert attempts[0].attributes["http.response.status_code"] == 503
    assert "error.type" not in attempts[1].attributes
    assert attempts[1].attributes["http.response.status_code"] == 200
    [wait] = by_name(spans, "retry wait")
    chosen = [r.retry_in_s for r in facade.runtime.telemetry.recent if r.retry_in_s is not None]
    assert len(chosen) == 1
    assert wait.attributes["colonnade.retry.delay_s"] == pytest.approx(chosen[0], abs=1e-4)
    assert wait.attributes["error.type"] == "UPSTREAM_UNAVAILABLE"
    assert wait.start_time >= attempts[0].end_time
    assert wait.end_time <= attempts[1].start_time
    # The breaker's verdict on each attempt, inside it.
    verdicts = {parent_of(s): s.name for s in spans if s.name.startswith("breaker ")}
    assert verdicts[attempts[0].context.span_id] == "breaker failure"
    assert verdicts[attempts[1].context.span_id] == "breaker ok"

    # The provider saw the attempt's span as parent (W3C traceparent on the outbound request).
    sent = [c.headers["traceparent"] for c in providers.erp.recorder.calls()]
    assert sent == [f"00-{TRACE_ID}-{format(a.context.span_id, '016x')}-01" for a in attempts]


async def test_without_an_exporter_the_client_trace_still_reaches_providers(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade()
    assert not facade.runtime.telemetry.tracing.recording
    await facade.client.post(
        "/graphql",
        json={"query": NESTED},
        headers={"traceparent": f"00-{TRACE_ID}-{CLIENT_SPAN}-01"},
    )
    calls = providers.erp.recorder.calls() + providers.payments.recorder.calls()
    assert calls
    assert {c.headers["traceparent"] for c in calls} == {f"00-{TRACE_ID}-{CLIENT_SPAN}-01"}


async def test_coalesced_callers_get_a_span(traced, providers: SandboxSet) -> None:
    facade, exporter = traced
    providers.erp.faults.add(Fault("latency", latency_s=0.2, times=1))
    q = '{ customer(id: "001000000000002AAA") { salesOrders { number } } }'
    await asyncio.gather(facade.query(q), facade.query(q))
    spans = exporter.get_finished_spans()
    assert len(by_name(spans, "erp orders_by_customer")) == 1
    assert by_name(spans, "coalesced")


def test_otlp_export_is_off_unless_configured() -> None:
    from colonnade.observability.tracing import otlp_configured

    assert not otlp_configured({})
    assert otlp_configured({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://127.0.0.1:4318"})
    assert otlp_configured({"OTEL_TRACES_EXPORTER": "otlp"})
    assert not otlp_configured({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "x"})
    assert not otlp_configured({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"})


async def test_spans_reach_an_otlp_collector_on_loopback(
    make_facade, providers: SandboxSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A real OTLP/HTTP export, to a stand-in collector on 127.0.0.1."""
    import threading
    from http.server import BaseHTTPRequestHandler, HTTPServer

    received: list[tuple[str, bytes]] = []

    class Collector(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((self.path, body))
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = HTTPServer(("127.0.0.1", 0), Collector)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", f"http://127.0.0.1:{server.server_port}")
        monkeypatch.setenv("OTEL_SERVICE_NAME", "colonnade-test")
        facade = await make_facade()
        tracing = facade.runtime.telemetry.tracing
        assert tracing.recording
        await facade.query("query Exported { customers(first: 1) { edges { node { name } } } }")
        await asyncio.to_thread(tracing.provider.force_flush)
    finally:
        server.shutdown()
        server.server_close()
    assert received
    assert {path for path, _ in received} == {"/v1/traces"}
    body = b"".join(b for _, b in received)
    assert b"query Exported" in body
    assert b"colonnade-test" in body
