"""Retries: as told by Retry-After, never for a client error, only for safe writes, bounded."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from colonnade.pipeline import resilient
from colonnade.sandboxes import Fault

CUSTOMER = '{ customer(id: "001000000000002AAA") { name } }'
ORDERS = '{ salesOrder(number: "0000500002") { number } }'


def retry_delays(facade, connector: str) -> list[float | None]:
    return [r.retry_in_s for r in facade.runtime.telemetry.recent if r.connector == connector]


async def test_429_with_retry_after_seconds_waits_as_told_then_succeeds(facade, providers) -> None:
    providers.crm.faults.add(
        Fault("status", match="crm.sobject_collection", status=429, retry_after="1", times=1)
    )
    body = await facade.query(CUSTOMER)
    assert body["data"]["customer"]["name"]
    assert providers.crm.recorder.count("crm.sobject_collection") == 2
    assert retry_delays(facade, "crm")[-2:] == [1.0, None]  # the wait chosen: what it was told


async def test_retry_after_as_http_date_is_honoured(facade, providers) -> None:
    when = format_datetime(datetime.now(UTC) + timedelta(seconds=2), usegmt=True)
    providers.erp.faults.add(Fault("status", status=503, retry_after=when, times=1))
    body = await facade.query(ORDERS)
    assert body["data"]["salesOrder"]["number"] == "0000500002"
    [delay] = [d for d in retry_delays(facade, "erp") if d is not None]
    # The date is 1-2 s ahead (one-second resolution), less the first attempt's time; our own
    # backoff is capped at 0.05 s, so a date that was not understood shows up at or below that.
    assert 0.05 < delay <= 2.0


async def test_retry_after_beyond_the_cap_fails_fast(make_facade, providers) -> None:
    facade = await make_facade(connectors={"crm": {"retry": {"max_retry_after_s": 5}}})
    providers.crm.faults.add(
        Fault("status", match="crm.sobject_collection", status=429, retry_after="3600")
    )
    body = await facade.query(CUSTOMER)
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_RATE_LIMITED", "connector": "crm"}
    assert providers.crm.recorder.count("crm.sobject_collection") == 1


async def test_backoff_grows_exponentially_up_to_the_cap(
    make_facade, providers, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Full jitter draws from [0, cap]; pinned to the top, the cap per attempt shows."""
    monkeypatch.setattr(resilient.random, "uniform", lambda low, high: high)
    retry = {"base_delay_s": 0.01, "max_delay_s": 0.04, "max_attempts": 5, "budget_min_per_s": 10}
    facade = await make_facade(connectors={"erp": {"retry": retry}})
    providers.erp.faults.add(Fault("status", status=503, times=4))
    body = await facade.query(ORDERS)
    assert body["data"]["salesOrder"]["number"] == "0000500002"
    delays = [d for d in retry_delays(facade, "erp") if d is not None]
    assert delays == [0.01, 0.02, 0.04, 0.04]  # base * 2^(n-1), capped at max_delay_s


async def test_5xx_is_retried_with_backoff(facade, providers) -> None:
    providers.erp.faults.add(Fault("status", status=503, times=2))
    body = await facade.query(ORDERS)
    assert body["data"]["salesOrder"]["number"] == "0000500002"
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL") == 3
    delays = [d for d in retry_delays(facade, "erp") if d is not None]
    assert len(delays) == 2
    assert all(0 <= d <= 0.05 for d in delays)  # full jitter under the configured cap


async def test_a_connection_reset_is_retried_for_a_read(facade, providers) -> None:
    providers.payments.faults.add(Fault("reset", match="payments.get_payment_intent", times=1))
    body = await facade.query('{ payment(id: "pi_000000000000000000000001") { id } }')
    assert body["data"]["payment"]["id"] == "pi_000000000000000000000001"
    assert providers.payments.recorder.count("payments.get_payment_intent") == 2


async def test_400_and_404_are_not_retried(facade, providers) -> None:
    providers.crm.faults.add(Fault("status", match="crm.sobject_collection", status=400))
    body = await facade.query(CUSTOMER)
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_REJECTED"
    assert providers.crm.recorder.count("crm.sobject_collection") == 1

    providers.crm.faults.clear()
    providers.crm.faults.add(Fault("status", match="crm.query", status=404))
    body = await facade.query("{ customers(first: 2) { edges { cursor } } }")
    assert body["errors"][0]["extensions"]["code"] == "NOT_FOUND"
    assert providers.crm.recorder.count("crm.query") == 1


async def test_stripe_should_retry_false_stops_a_retry(facade, providers) -> None:
    providers.payments.faults.add(
        Fault(
            "status",
            match="payments.get_payment_intent",
            status=500,
            headers={"Stripe-Should-Retry": "false"},
        )
    )
    body = await facade.query('{ payment(id: "pi_000000000000000000000001") { id } }')
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert providers.payments.recorder.count("payments.get_payment_intent") == 1


async def test_an_unkeyed_write_is_retried_only_after_checking_it_did_not_commit(
    facade, providers
) -> None:
    """A create without a client key gets a derived one (see test_unknown_outcome): each retry
    first asks SAP whether an earlier attempt committed. A 5xx after sending leaves the outcome
    unknown, and the client is told so rather than "unavailable"."""
    providers.erp.faults.add(Fault("status", match="erp.ZSD_SALESORDER_CREATE", status=503))
    before = providers.erp.order_count()
    body = await facade.query(
        """mutation { createSalesOrder(input: {customerId: "001000000000002AAA", currency: "EUR",
            lines: [{material: "MAT-1001", quantity: "1", unitPrice: "1"}]}) { number } }"""
    )
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_OUTCOME_UNKNOWN"
    creates = providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE")
    assert creates == 3  # max_attempts
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == creates - 1
    assert providers.erp.order_count() == before


async def test_the_retry_budget_keeps_an_outage_from_multiplying_load(
    make_facade, providers
) -> None:
    facade = await make_facade(
        connectors={
            "payments": {
                "breaker": {"enabled": False},
                "retry": {"budget_ratio": 0.1, "budget_min_per_s": 0},
            }
        }
    )
    providers.payments.faults.add(Fault("status", match="payments.get_payment_intent", status=503))
    for n in range(50):
        await facade.query(f'{{ payment(id: "pi_{n:024d}") {{ id }} }}')
    calls = providers.payments.recorder.count("payments.get_payment_intent")
    # Without a budget: 50 x 3 attempts = 150. With it: 50 first attempts + 10 % of them.
    assert 50 < calls <= 50 + 5
    assert facade.runtime.telemetry.total("retry_budget_exhausted", "payments") > 0
