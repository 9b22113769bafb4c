"""Writes whose outcome is unknown: the client can tell "not applied" (UPSTREAM_UNAVAILABLE)
from "may have been applied" (UPSTREAM_OUTCOME_UNKNOWN), and the safe path is the easy one — a
create sent without an idempotency key gets one derived server-side, so a retry finds the first
order instead of making a second. The sandbox counts the orders it holds."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest
from support import REDIS_URL, RedisProxy, facade_env, free_port, order_input, served_facade

import colonnade.connectors.erp.connector as erp_connector
from colonnade.sandboxes import Fault, SandboxSet

CREATE_ORDER = """
mutation($input: CreateSalesOrderInput!) {
  createSalesOrder(input: $input) { number purchaseOrder }
}"""
CREATE_PAYMENT = """
mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }"""
LOST = Fault("drop_after_commit", match="erp.ZSD_SALESORDER_CREATE", times=1)


def code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or [{}]
    return errors[0].get("extensions", {}).get("code")


async def test_an_unkeyed_create_whose_answer_is_lost_is_one_order_over_http(
    providers: SandboxSet, providers_server, creds
) -> None:
    """A real server process, no retries of its own: the client sees OUTCOME_UNKNOWN (not
    UNAVAILABLE), repeats the same create without a key, and gets the first order back."""
    env = facade_env(
        providers_server.base_url, creds, COLONNADE_CONNECTORS__ERP__RETRY__MAX_ATTEMPTS="1"
    )
    data = order_input(purchaseOrder="PO-LOST-1")
    assert "idempotencyKey" not in data
    before = providers.erp.order_count()
    providers.erp.faults.add(Fault(**{**LOST.__dict__}))
    with served_facade(env) as base:
        async with httpx.AsyncClient(timeout=30) as http:

            async def create() -> dict[str, Any]:
                r = await http.post(
                    f"{base}/graphql", json={"query": CREATE_ORDER, "variables": {"input": data}}
                )
                assert r.status_code == 200, r.text
                return dict(r.json())

            lost = await create()
            assert code(lost) == "UPSTREAM_OUTCOME_UNKNOWN", lost
            assert "may have applied" in lost["errors"][0]["message"]
            assert providers.erp.order_count() == before + 1  # committed all the same

            again = await create()
            assert "errors" not in again, again
            assert again["data"]["createSalesOrder"]["purchaseOrder"] == "PO-LOST-1"
    assert providers.erp.order_count() == before + 1  # exactly one order
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1  # found, not resent


async def test_an_unkeyed_create_is_retried_safely_inside_the_facade(
    facade, providers: SandboxSet
) -> None:
    before = providers.erp.order_count()
    providers.erp.faults.add(Fault(**{**LOST.__dict__}))
    body = await facade.query(CREATE_ORDER, {"input": order_input(purchaseOrder="PO-LOST-2")})
    assert "errors" not in body, body
    assert providers.erp.order_count() == before + 1
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") >= 1  # reconciled


async def test_concurrent_identical_unkeyed_creates_are_one_order(
    facade, providers: SandboxSet
) -> None:
    before = providers.erp.order_count()
    data = order_input(purchaseOrder="PO-TWICE")
    bodies = await asyncio.gather(*(facade.query(CREATE_ORDER, {"input": data}) for _ in range(5)))
    assert all("errors" not in b for b in bodies), bodies
    assert len({b["data"]["createSalesOrder"]["number"] for b in bodies}) == 1
    assert providers.erp.order_count() == before + 1
    # "1.0" and "1" are the same quantity: the same order.
    same = order_input(purchaseOrder="PO-TWICE")
    same["lines"][0]["quantity"] = "1.000"
    again = await facade.query(CREATE_ORDER, {"input": same})
    assert again == bodies[0]
    assert providers.erp.order_count() == before + 1


async def test_an_identical_order_after_the_window_is_a_new_order(
    facade, providers: SandboxSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(erp_connector, "DERIVED_KEY_WINDOW_S", 0.05)
    before = providers.erp.order_count()
    data = order_input(purchaseOrder="PO-LATER")
    first = await facade.query(CREATE_ORDER, {"input": data})
    await asyncio.sleep(0.2)  # let the remembered key expire (a TTL, not a timing assertion)
    second = await facade.query(CREATE_ORDER, {"input": data})
    assert "errors" not in first
    assert "errors" not in second
    assert (
        first["data"]["createSalesOrder"]["number"] != second["data"]["createSalesOrder"]["number"]
    )
    assert providers.erp.order_count() == before + 2


async def test_a_write_that_never_left_is_unavailable_not_unknown(
    make_facade, providers: SandboxSet
) -> None:
    closed = f"http://127.0.0.1:{free_port()}/erp"  # nothing listens: refused, never sent
    facade = await make_facade(connectors={"erp": {"base_url": closed}})
    body = await facade.query(CREATE_ORDER, {"input": order_input()})
    assert code(body) == "UPSTREAM_UNAVAILABLE", body


async def test_a_lost_payment_answer_is_outcome_unknown_and_the_same_key_replays(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(connectors={"payments": {"retry": {"max_attempts": 1}}})
    providers.payments.faults.add(
        Fault("drop_after_commit", match="payments.create_payment_intent", times=1)
    )
    before = providers.payments.payment_intent_count()
    data = {
        "customerId": "001000000000002AAA",
        "amount": "7",
        "currency": "EUR",
        "idempotencyKey": "lost-pay-1",
    }
    lost = await facade.query(CREATE_PAYMENT, {"input": data})
    assert code(lost) == "UPSTREAM_OUTCOME_UNKNOWN", lost
    assert "same idempotencyKey" in lost["errors"][0]["message"]
    again = await facade.query(CREATE_PAYMENT, {"input": data})
    assert "errors" not in again, again
    assert providers.payments.payment_intent_count() == before + 1


@pytest.mark.redis
async def test_without_shared_state_an_unkeyed_lost_answer_is_outcome_unknown(
    make_facade, providers: SandboxSet
) -> None:
    """No memory to derive a key from: the create goes unkeyed, as it always did, and a lost
    answer says "may have been applied" — never "unavailable", which invites a duplicate."""
    from support import redis_prefix

    port = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    proxy = RedisProxy("127.0.0.1", port)
    await proxy.start()
    try:
        async with redis_prefix() as prefix:
            url = f"redis://127.0.0.1:{proxy.port}/{REDIS_URL.rsplit('/', 1)[1]}"
            facade = await make_facade(
                backend="redis",
                prefix=prefix,
                url=url,
                connectors={"erp": {"retry": {"max_attempts": 1}}},
            )
            await proxy.stop()
            before = providers.erp.order_count()
            providers.erp.faults.add(Fault(**{**LOST.__dict__}))
            body = await facade.query(CREATE_ORDER, {"input": order_input()})
            assert code(body) == "UPSTREAM_OUTCOME_UNKNOWN", body
            assert providers.erp.order_count() == before + 1
    finally:
        await proxy.stop()
