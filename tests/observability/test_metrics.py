"""/metrics from prometheus_client: what an ERP outage, a 429 and a named query leave there."""

from __future__ import annotations

from typing import Any

from support import metric

from colonnade.sandboxes import Fault, SandboxSet

BREAKER = {"min_calls": 4, "failure_ratio": 0.5, "window_s": 30, "break_s": 30}
NAMED = 'query OrdersOfOne { customer(id: "001000000000002AAA") { salesOrders { number } } }'


def order_query(n: int) -> str:
    return f'{{ salesOrder(number: "{500000 + n:010d}") {{ number }} }}'


async def scrape(facade: Any) -> str:
    response = await facade.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return str(response.text)


async def test_erp_outage_opens_the_breaker_gauge_and_counts_errors(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(connectors={"erp": {"breaker": BREAKER}})
    before = await scrape(facade)
    assert metric(before, "colonnade_breaker_state", connector="erp", state="closed") == 1
    assert metric(before, "colonnade_breaker_state", connector="erp", state="open") == 0
    providers.erp.faults.add(Fault("status", status=503))
    for n in range(4):
        body = await facade.query(order_query(n))
        assert body["errors"][0]["extensions"]["code"] in {"UPSTREAM_UNAVAILABLE", "CIRCUIT_OPEN"}
    text = await scrape(facade)
    assert metric(text, "colonnade_breaker_state", connector="erp", state="open") == 1
    assert metric(text, "colonnade_breaker_state", connector="erp", state="closed") == 0
    assert metric(text, "colonnade_breaker_transitions_total", connector="erp", to="open") == 1
    failed = metric(
        text,
        "colonnade_upstream_attempts_total",
        connector="erp",
        operation="orders_by_number",
        outcome="UPSTREAM_UNAVAILABLE",
    )
    assert failed is not None
    assert failed == providers.erp.recorder.count("*")  # every failed attempt, counted once
    assert (
        metric(
            text,
            "colonnade_upstream_attempt_duration_seconds_count",
            connector="erp",
            operation="orders_by_number",
            outcome="UPSTREAM_UNAVAILABLE",
        )
        == failed
    )
    assert metric(text, "colonnade_upstream_retries_total", connector="erp") >= 1  # type: ignore[operator]
    # The client side: requests and error codes per GraphQL operation.
    assert (
        metric(
            text,
            "colonnade_graphql_requests_total",
            operation_type="query",
            operation_name="anonymous",
            outcome="partial",
        )
        == 4
    )
    assert metric(text, "colonnade_graphql_errors_total", code="CIRCUIT_OPEN") >= 1  # type: ignore[operator]
    # Healthy connectors are untouched, and no call holds a bulkhead slot afterwards.
    assert metric(text, "colonnade_breaker_state", connector="crm", state="closed") == 1
    assert metric(text, "colonnade_bulkhead_in_flight", connector="erp") == 0
    assert metric(text, "colonnade_bulkhead_capacity", connector="erp") == 10


async def test_two_apps_keep_their_own_counts(make_facade, providers: SandboxSet) -> None:
    first = await make_facade()
    second = await make_facade()
    await first.query(NAMED)
    a, b = await scrape(first), await scrape(second)
    ok = {"connector": "erp", "operation": "orders_by_customer", "outcome": "ok"}
    assert metric(a, "colonnade_upstream_attempts_total", **ok) == 1
    assert metric(b, "colonnade_upstream_attempts_total", **ok) is None


async def test_operation_names_are_bounded(make_facade, providers: SandboxSet) -> None:
    facade = await make_facade()
    facade.runtime.telemetry._operation_names.cap = 2
    for name in ("First", "Second", "Third", "Fourth"):
        await facade.query(f"query {name} {{ __typename }}")
    await facade.query("{ __typename }")
    await facade.query("query { nope }")
    await facade.client.post("/graphql", json={"query": "{ broken"})
    text = await scrape(facade)
    requests = "colonnade_graphql_requests_total"
    assert metric(text, requests, operation_name="First", outcome="ok") == 1
    assert metric(text, requests, operation_name="Second", outcome="ok") == 1
    assert metric(text, requests, operation_name="other", outcome="ok") == 2
    assert metric(text, requests, operation_name="anonymous", outcome="ok") == 1
    assert metric(text, requests, operation_name="anonymous", outcome="partial") == 1
    assert metric(text, requests, operation_name="unknown", outcome="error") == 1
    assert metric(text, "colonnade_graphql_errors_total", code="GRAPHQL_VALIDATION_FAILED") == 1
    assert metric(text, "colonnade_graphql_errors_total", code="GRAPHQL_PARSE_FAILED") == 1
    assert metric(text, requests, operation_name="Third") is None


async def test_429s_and_quota_headroom_from_provider_headers(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(connectors={"payments": {"retry": {"max_attempts": 1}}})
    providers.payments.faults.add(
        Fault(
            "status",
            match="payments.*",
            status=429,
            times=1,
            headers={
                "X-RateLimit-Limit": "100",
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-Reset": "1",
            },
        )
    )
    await facade.query('{ customer(id: "001000000000002AAA") { payments { id } } }')
    text = await scrape(facade)
    assert (
        metric(text, "colonnade_upstream_rate_limited_responses_total", connector="payments") == 1
    )
    assert metric(text, "colonnade_rate_limit_limit", connector="payments") == 100
    assert metric(text, "colonnade_rate_limit_remaining", connector="payments") == 0
    # The CRM announces its daily API usage on every response (Sforce-Limit-Info).
    assert metric(text, "colonnade_rate_limit_limit", connector="crm") == providers.crm.api_limit
    assert metric(text, "colonnade_connector_api_version_info", connector="payments") == 1
