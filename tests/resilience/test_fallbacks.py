"""Declared fallbacks: what a field shows when its provider fails, and the response says so."""

from __future__ import annotations

import asyncio

from colonnade.sandboxes import Fault, SandboxSet

PAYMENTS = '{ customer(id: "001000000000002AAA") { payments { id } } }'


async def test_last_known_good_payments_when_stripe_fails(
    make_facade, providers: SandboxSet
) -> None:
    # "short" made tiny so the entry is past stale-if-error and only last-known-good remains.
    facade = await make_facade(cache={"tiers": {"short": {"ttl_s": 0.05}}})
    warm = await facade.query(PAYMENTS)
    await asyncio.sleep(0.1)
    providers.payments.faults.add(
        Fault("status", match="payments.list_payment_intents", status=503)
    )

    body = await facade.query(PAYMENTS)

    assert "errors" not in body
    assert body["data"] == warm["data"]
    [label] = body["extensions"]["colonnade"]["stale"]
    assert label["path"] == ["customer", "payments"]
    assert label["reason"] == "last_known_good"
    assert label["code"] == "UPSTREAM_UNAVAILABLE"
    assert label["connector"] == "payments"


async def test_no_last_known_good_gives_the_declared_message(facade, providers: SandboxSet) -> None:
    providers.payments.faults.add(
        Fault("status", match="payments.list_payment_intents", status=503)
    )
    body = await facade.query(PAYMENTS)
    assert body["data"]["customer"]["payments"] is None
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["fallback"] == {
        "kind": "message",
        "message": "Payment history is temporarily unavailable.",
    }


async def test_a_default_value_is_labelled(facade, providers: SandboxSet) -> None:
    """totalCount declares a default (null, no error): the page loads, the count fails."""
    assert "errors" not in await facade.query("{ customers(first: 1) { edges { cursor } } }")
    providers.crm.faults.add(Fault("status", match="crm.query", status=503))
    # The page is cached ("short" tier); the count is another SOQL call, which now fails.
    body = await facade.query("{ customers(first: 1) { edges { cursor } totalCount } }")
    assert "errors" not in body
    assert body["data"]["customers"]["totalCount"] is None
    assert len(body["data"]["customers"]["edges"]) == 1
    [fallback] = body["extensions"]["colonnade"]["fallbacks"]
    assert fallback == {
        "path": ["customers", "totalCount"],
        "connector": "crm",
        "kind": "default",
        "code": "UPSTREAM_UNAVAILABLE",
    }
