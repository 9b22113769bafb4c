"""A client's own bad input is BAD_USER_INPUT before any call, and never counts against a
provider: no breaker opens for everyone because one client sent garbage."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from colonnade.errors import UpstreamRejected
from colonnade.sandboxes import SandboxSet
from colonnade.state import BreakerState

CUSTOMER = "001000000000002AAA"
BREAKER = {"min_calls": 4, "failure_ratio": 0.5, "window_s": 30, "break_s": 5}

CREATE_PAYMENT = """
mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id } }"""
CREATE_ORDER = """
mutation($input: CreateSalesOrderInput!) { createSalesOrder(input: $input) { number } }"""


OVERFLOWING_NUMBER = "<the JSON number 1e999>"


async def raw_query(facade: Any, query: str, variables: dict[str, Any] | None = None) -> Any:
    """JSON with ``\\uXXXX`` escapes, so lone surrogates travel as a real client sends them."""
    body = json.dumps({"query": query, "variables": variables or {}})
    body = body.replace(f'"{OVERFLOWING_NUMBER}"', "1e999")  # json.dumps would write Infinity
    response = await facade.client.post(
        "/graphql", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 200, response.text
    return response.json()


def codes(body: dict[str, Any]) -> list[str]:
    return [e["extensions"]["code"] for e in body.get("errors", [])]


async def breaker_states(facade: Any) -> dict[str, BreakerState]:
    states = {}
    for name in ("crm", "erp", "payments"):
        caller = facade.connector(name).pipeline.caller
        for op in ("orders_by_number", "account_page", "create_payment", "accounts_by_id"):
            states[f"{name}.{op}"] = await caller.breaker(op).state()
    return states


@pytest.fixture
async def facade(make_facade):
    every = {"breaker": BREAKER, "retry": {"max_attempts": 1}}
    return await make_facade(connectors={"crm": every, "erp": every, "payments": every})


def cursor_of(name: str, id_: str) -> str:
    raw = json.dumps([name, id_]).encode()  # ensure_ascii: a lone surrogate stays \\ud800
    return base64.urlsafe_b64encode(raw).decode()


HOSTILE = [
    ('{ salesOrder(number: "\\u0001") { number } }', None),
    ('{ salesOrder(number: "%s") { number } }' % ("9" * 5000), None),
    ("query($c: String) { customers(after: $c) { edges { cursor } } }", {"c": "\ud800"}),
    (
        "query($c: String) { customers(after: $c) { edges { cursor } } }",
        {"c": cursor_of("\ud800", "001000000000002AAA")},
    ),
    (
        "query($c: String) { customers(after: $c) { edges { cursor } } }",
        {"c": cursor_of("Acme", "x' OR Name != '")},
    ),
    (
        CREATE_PAYMENT,
        {
            "input": {
                "customerId": CUSTOMER,
                "amount": "1",
                "currency": "EUR",
                "idempotencyKey": "İ-1",
            }
        },
    ),
    (
        CREATE_ORDER,
        {
            "input": {
                "customerId": CUSTOMER,
                "currency": "EUR",
                "idempotencyKey": "k\n",
                "lines": [{"material": "MAT-1001", "quantity": "1", "unitPrice": "1"}],
            }
        },
    ),
]


@pytest.mark.parametrize(("query", "variables"), HOSTILE)
async def test_hostile_arguments_are_bad_user_input_before_any_call(
    facade, providers: SandboxSet, query: str, variables: dict[str, Any] | None
) -> None:
    for _ in range(10):
        body = await raw_query(facade, query, variables)
        assert codes(body) == ["BAD_USER_INPUT"], body
        assert "must" in body["errors"][0]["message"] or "cursor" in body["errors"][0]["message"]
    assert providers.erp.recorder.count("*") == 0
    assert providers.payments.recorder.count("*") == 0
    assert providers.crm.recorder.count("crm.query*") == 0
    assert set((await breaker_states(facade)).values()) == {BreakerState.CLOSED}
    # ...and every other client is still served.
    ok = await facade.query('{ salesOrder(number: "0000500001") { number } }')
    assert "errors" not in ok, ok


async def test_a_value_zeep_cannot_encode_gives_the_breaker_no_verdict(
    facade, providers: SandboxSet
) -> None:
    """Bypass the resolvers' checks: a value lxml cannot write fails inside the attempt,
    before anything is sent. That is not the provider's fault, so ten of them must leave the
    breaker closed."""
    erp = facade.connector("erp")
    for _ in range(10):
        answers = await erp.orders_by_number(["\x01"])
        refused = answers["\x01"]
        assert isinstance(refused, UpstreamRejected)  # lxml refuses the control character
        assert not refused.request_sent
    assert providers.erp.recorder.count("*") == 0
    assert await erp.pipeline.caller.breaker("orders_by_number").state() is BreakerState.CLOSED
    ok = await facade.query('{ salesOrder(number: "0000500001") { number } }')
    assert "errors" not in ok, ok


def payment(**extra: Any) -> dict[str, Any]:
    return {
        "customerId": CUSTOMER,
        "amount": "1",
        "currency": "EUR",
        "idempotencyKey": "k-1",
    } | extra


def order(line: dict[str, Any] | None = None, **extra: Any) -> dict[str, Any]:
    item = {"material": "MAT-1001", "quantity": "1", "unitPrice": "1"} | (line or {})
    return {"customerId": CUSTOMER, "currency": "EUR", "lines": [item]} | extra


BAD_WRITES = [
    (CREATE_PAYMENT, payment(amount="NaN")),
    (CREATE_PAYMENT, payment(amount="-Infinity")),
    (CREATE_PAYMENT, payment(amount="Infinity")),
    (CREATE_PAYMENT, payment(amount="1e9999999")),
    (CREATE_PAYMENT, payment(amount=OVERFLOWING_NUMBER)),  # valid JSON, too big for a float
    (CREATE_PAYMENT, payment(amount="9" * 5000)),
    (CREATE_PAYMENT, payment(amount="0")),
    (CREATE_PAYMENT, payment(amount="-5")),
    (CREATE_PAYMENT, payment(amount="1.000001")),
    (CREATE_PAYMENT, payment(currency="XY")),
    (CREATE_PAYMENT, payment(currency="€€€")),
    (CREATE_PAYMENT, payment(description="a\x00b")),
    (CREATE_PAYMENT, payment(description="x" * 5000)),
    (CREATE_PAYMENT, payment(idempotencyKey="x" * 256)),
    (CREATE_PAYMENT, payment(idempotencyKey="")),
    (CREATE_PAYMENT, payment(customerId="\ud800" * 15)),
    (CREATE_ORDER, order(currency="XY")),
    (CREATE_ORDER, order(currency="ABC")),  # three letters, but not ISO 4217
    (CREATE_ORDER, order({"quantity": "NaN"})),
    (CREATE_ORDER, order({"quantity": "1e9999999"})),
    (CREATE_ORDER, order({"quantity": "0"})),
    (CREATE_ORDER, order({"quantity": "1.0001"})),
    (CREATE_ORDER, order({"unitPrice": "-1"})),
    (CREATE_ORDER, order({"unitPrice": "Infinity"})),
    (CREATE_ORDER, order({"unitPrice": "1.001"})),
    (CREATE_ORDER, order({"unitPrice": "9" * 5000})),
    (CREATE_ORDER, order({"quantity": "9999999999", "unitPrice": "99999999999"})),
    (CREATE_ORDER, order({"material": "MAT\u0001"})),
    (CREATE_ORDER, order({"material": "M" * 41})),
    (CREATE_ORDER, order({"material": " "})),
    (CREATE_ORDER, order(purchaseOrder="PO\u0007")),
    (CREATE_ORDER, order(purchaseOrder="P" * 36)),
    (CREATE_ORDER, order(lines=[])),
    (CREATE_ORDER, order(lines=[{"material": "M", "quantity": "1", "unitPrice": "1"}] * 101)),
]


@pytest.mark.parametrize(("mutation", "data"), BAD_WRITES)
async def test_bad_write_input_is_refused_before_anything_is_sent(
    facade, providers: SandboxSet, mutation: str, data: dict[str, Any]
) -> None:
    body = await raw_query(facade, mutation, {"input": data})
    assert codes(body) == ["BAD_USER_INPUT"], body
    assert providers.erp.recorder.count("*") == 0
    assert providers.payments.recorder.count("*") == 0
    assert set((await breaker_states(facade)).values()) == {BreakerState.CLOSED}


async def test_an_order_in_a_currency_that_does_not_exist_never_reaches_the_erp(
    facade, providers: SandboxSet
) -> None:
    before = providers.erp.order_count()
    body = await facade.query(CREATE_ORDER, {"input": order(currency="XY")})
    assert codes(body) == ["BAD_USER_INPUT"]
    assert "ISO 4217" in body["errors"][0]["message"]
    assert providers.erp.order_count() == before
    read = await facade.query(
        "query($id: ID!) { customer(id: $id) { salesOrders { number } } }", {"id": CUSTOMER}
    )
    assert "errors" not in read, read


async def test_hostile_arguments_over_get_are_bad_user_input_too(
    facade, providers: SandboxSet
) -> None:
    for _ in range(10):
        response = await facade.client.get(
            "/graphql", params={"query": '{ salesOrder(number: "\\u0001") { number } }'}
        )
        assert response.status_code == 200, response.text
        assert codes(response.json()) == ["BAD_USER_INPUT"]
    assert providers.erp.recorder.count("*") == 0
    assert set((await breaker_states(facade)).values()) == {BreakerState.CLOSED}


async def test_a_cursor_issued_for_any_stored_name_still_pages(facade, providers) -> None:
    """Cursors echo the CRM's own data: a name with a tab in it is still a good cursor."""
    providers.crm.accounts[CUSTOMER]["Name"] = "Aaa\tFirst Customer"
    first = await facade.query("{ customers(first: 1) { pageInfo { endCursor } } }")
    cursor = first["data"]["customers"]["pageInfo"]["endCursor"]
    body = await facade.query(
        "query($c: String) { customers(first: 1, after: $c) { edges { node { id } } } }",
        {"c": cursor},
    )
    assert "errors" not in body, body
    assert body["data"]["customers"]["edges"][0]["node"]["id"] != CUSTOMER
