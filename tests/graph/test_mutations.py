"""Writes: the SOAP round trip with SAP's business errors, and idempotent payments."""

from __future__ import annotations

import asyncio

from colonnade.sandboxes import SandboxSet

CUSTOMER = "001000000000002AAA"  # SAP 0000100002, Stripe cus_00000000000002

CREATE_ORDER = """
mutation($input: CreateSalesOrderInput!) {
  createSalesOrder(input: $input) {
    number customerNumber status purchaseOrder
    netValue { amount currency }
    items { position material quantity netValue { amount } }
  }
}"""

CREATE_PAYMENT = """
mutation($input: CreatePaymentInput!) {
  createPayment(input: $input) { id status amount { amount currency } }
}"""

ORDERS_OF = """query($id: ID!) { customer(id: $id) { salesOrders { number } } }"""


def order_input(**extra: object) -> dict[str, object]:
    return {
        "customerId": CUSTOMER,
        "currency": "EUR",
        "purchaseOrder": "PO-4711",
        "lines": [
            {"material": "MAT-1001", "quantity": "2", "unitPrice": "10.50"},
            {"material": "MAT-1002", "quantity": "1.5", "unitPrice": "4"},
        ],
        **extra,
    }


async def test_soap_create_then_read_back(facade, providers: SandboxSet) -> None:
    before = len(providers.erp.orders_for("0000100002"))
    body = await facade.query(CREATE_ORDER, {"input": order_input()})
    assert "errors" not in body, body
    order = body["data"]["createSalesOrder"]
    assert order["customerNumber"] == "0000100002"
    assert order["status"] == "OPEN"
    assert order["purchaseOrder"] == "PO-4711"
    assert order["netValue"] == {"amount": "27.00", "currency": "EUR"}
    assert [i["material"] for i in order["items"]] == ["MAT-1001", "MAT-1002"]
    assert len(providers.erp.orders_for("0000100002")) == before + 1

    read = await facade.query(ORDERS_OF, {"id": CUSTOMER})
    assert order["number"] in [o["number"] for o in read["data"]["customer"]["salesOrders"]]


async def test_creating_an_order_invalidates_that_customers_cached_orders(
    facade, providers
) -> None:
    first = await facade.query(ORDERS_OF, {"id": CUSTOMER})
    cached = await facade.query(ORDERS_OF, {"id": CUSTOMER})
    assert cached == first
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1

    created = await facade.query(CREATE_ORDER, {"input": order_input()})
    after = await facade.query(ORDERS_OF, {"id": CUSTOMER})
    numbers = [o["number"] for o in after["data"]["customer"]["salesOrders"]]
    assert created["data"]["createSalesOrder"]["number"] in numbers


async def test_sap_business_error_becomes_upstream_rejected(facade, providers: SandboxSet) -> None:
    bad = order_input(lines=[{"material": "MAT-9999", "quantity": "1", "unitPrice": "1"}])
    body = await facade.query(CREATE_ORDER, {"input": bad})
    assert body["data"] == {"createSalesOrder": None}
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UPSTREAM_REJECTED"
    assert error["extensions"]["connector"] == "erp"
    assert "material MAT-9999 does not exist" in error["message"]
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1  # never retried


async def test_unknown_erp_customer_is_rejected_by_sap(facade, providers: SandboxSet) -> None:
    providers.crm.accounts[CUSTOMER]["SAP_Customer_Number__c"] = "0000999999"
    body = await facade.query(CREATE_ORDER, {"input": order_input()})
    error = body["errors"][0]
    assert error["extensions"]["code"] == "UPSTREAM_REJECTED"
    assert "0000999999 does not exist" in error["message"]


async def test_invalid_order_input_is_refused_before_any_call(
    facade, providers: SandboxSet
) -> None:
    bad = order_input(lines=[{"material": "MAT-1", "quantity": "0", "unitPrice": "1"}])
    body = await facade.query(CREATE_ORDER, {"input": bad})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert providers.erp.recorder.count("*") == 0


async def test_payment_with_the_same_key_twice_creates_one_payment(facade, providers) -> None:
    before = providers.payments.payment_intent_count()
    payment = {
        "customerId": CUSTOMER,
        "amount": "12.34",
        "currency": "eur",
        "idempotencyKey": "pay-1",
    }
    first = await facade.query(CREATE_PAYMENT, {"input": payment})
    second = await facade.query(CREATE_PAYMENT, {"input": payment})
    assert "errors" not in first, first
    assert first == second
    assert first["data"]["createPayment"]["amount"] == {"amount": "12.34", "currency": "EUR"}
    assert providers.payments.payment_intent_count() == before + 1
    calls = providers.payments.recorder.calls("payments.create_payment_intent")
    assert [c.headers.get("Idempotency-Key") for c in calls] == ["pay-1", "pay-1"]


async def test_concurrent_payments_with_one_key_create_one_payment(make_facade, providers) -> None:
    """Two replicas, five concurrent repeats each: in a replica the repeats share one call;
    across replicas Stripe answers 409 + Stripe-Should-Retry while the first is in flight,
    and the other replica retries until Stripe replays the first result."""
    patient = {
        "connectors": {
            "payments": {"retry": {"max_attempts": 8, "base_delay_s": 0.05, "max_delay_s": 0.5}}
        }
    }
    replicas = [await make_facade(**patient), await make_facade(**patient)]
    providers.payments.processing_delay_s = 0.3  # long enough for the replicas to overlap
    before = providers.payments.payment_intent_count()
    payment = {
        "customerId": CUSTOMER,
        "amount": "5",
        "currency": "EUR",
        "idempotencyKey": "pay-many",
    }
    bodies = await asyncio.gather(
        *(r.query(CREATE_PAYMENT, {"input": payment}) for r in replicas for _ in range(5))
    )
    assert all("errors" not in b for b in bodies), bodies
    assert len({b["data"]["createPayment"]["id"] for b in bodies}) == 1
    assert providers.payments.payment_intent_count() == before + 1
    statuses = [
        c.status for c in providers.payments.recorder.calls("payments.create_payment_intent")
    ]
    assert statuses.count(409) >= 1
    assert statuses.count(200) == 2  # the first, and the replay the other replica finally got


async def test_same_key_with_other_arguments_is_refused(facade, providers) -> None:
    payment = {"customerId": CUSTOMER, "amount": "1", "currency": "EUR", "idempotencyKey": "pay-2"}
    await facade.query(CREATE_PAYMENT, {"input": payment})
    body = await facade.query(CREATE_PAYMENT, {"input": {**payment, "amount": "2"}})
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_REJECTED"
    assert body["errors"][0]["extensions"]["connector"] == "payments"


async def test_payment_amount_with_too_many_decimals_is_bad_input(facade, providers) -> None:
    payment = {"customerId": CUSTOMER, "amount": "1.001", "currency": "EUR", "idempotencyKey": "k"}
    body = await facade.query(CREATE_PAYMENT, {"input": payment})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert providers.payments.recorder.count("payments.create_payment_intent") == 0
