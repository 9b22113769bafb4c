"""Subgraphs per domain: one process serves the orders, another the customers and payments;
a router joins them by the entity keys. Each is served for real (ASGI, sandboxes over HTTP)
and asked what a router asks it."""

from __future__ import annotations

from typing import Any

import pytest
from graphql import build_schema

from colonnade.errors import ConfigError
from colonnade.sandboxes import SandboxSet

ORDERS_OF = """query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Customer { id salesOrders { number customerNumber } } } }"""


def _accounts(providers: SandboxSet, n: int) -> list[dict[str, Any]]:
    return [a for a in providers.crm.accounts.values() if a["SAP_Customer_Number__c"]][:n]


async def _sdl(facade: Any) -> str:
    body = await facade.query("{ _service { sdl } }")
    sdl: str = body["data"]["_service"]["sdl"]
    return sdl


async def test_the_orders_subgraph_serves_customer_orders_from_the_routers_representation(
    make_facade, providers: SandboxSet
) -> None:
    orders = await make_facade(graph={"serve": ["erp"]})
    accounts = _accounts(providers, 100)
    reps = [
        {"__typename": "Customer", "id": a["Id"], "erpCustomerNumber": a["SAP_Customer_Number__c"]}
        for a in accounts
    ]
    reps.append({"__typename": "Customer", "id": "001000000000000XYZ", "erpCustomerNumber": None})
    body = await orders.query(ORDERS_OF, {"r": reps})

    assert "errors" not in body
    got = body["data"]["_entities"]
    for account, entity in zip(accounts, got, strict=False):
        expected = providers.erp.orders_for(account["SAP_Customer_Number__c"])
        assert entity["id"] == account["Id"]
        assert sorted(o["number"] for o in entity["salesOrders"]) == sorted(
            o.vbeln for o in expected
        )
    assert got[-1] == {"id": "001000000000000XYZ", "salesOrders": []}  # no ERP number: none
    # The representation carried everything: the CRM is not asked, the ERP once for all.
    assert (
        providers.crm.recorder.count("crm.query")
        + providers.crm.recorder.count("crm.sobject_collection")
        == 0
    )
    assert [c.batch_size for c in providers.erp.recorder.calls("erp.ZSD_SALESORDER_GETLIST")] == [
        100
    ]


async def test_each_domain_serves_only_its_own_fields(make_facade) -> None:
    orders = build_schema(
        await _sdl(await make_facade(graph={"serve": ["erp"]})), assume_valid_sdl=True
    )
    commerce = build_schema(
        await _sdl(await make_facade(graph={"serve": ["crm", "payments"]})), assume_valid_sdl=True
    )

    assert set(orders.query_type.fields) == {"_entities", "_service", "salesOrder"}
    assert set(orders.mutation_type.fields) == {"createSalesOrder"}
    assert set(orders.get_type("Customer").fields) == {"id", "erpCustomerNumber", "salesOrders"}
    assert "customer" in commerce.query_type.fields
    assert "salesOrder" not in commerce.query_type.fields
    assert "salesOrders" not in commerce.get_type("Customer").fields
    assert "payments" in commerce.get_type("Customer").fields
    assert commerce.subscription_type is not None
    assert set(commerce.mutation_type.fields) == {"createPayment"}


async def test_the_stub_says_what_it_needs_from_the_router(make_facade) -> None:
    sdl = await _sdl(await make_facade(graph={"serve": ["erp"]}))
    customer = sdl[sdl.index("type Customer") : sdl.index("}", sdl.index("type Customer"))]
    assert '@key(fields: "id")' in customer
    assert '@key(fields: "erpCustomerNumber")' not in customer  # needed, so external
    assert "erpCustomerNumber: String @external" in customer
    assert '@requires(fields: "erpCustomerNumber")' in customer


async def test_an_order_still_resolves_by_its_own_key_in_its_domain(
    make_facade, providers: SandboxSet
) -> None:
    orders = await make_facade(graph={"serve": ["erp"]})
    number = next(
        o.vbeln
        for a in _accounts(providers, 50)
        for o in providers.erp.orders_for(a["SAP_Customer_Number__c"])
    )
    body = await orders.query(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on SalesOrder { number } } }",
        {"r": [{"__typename": "SalesOrder", "number": number}]},
    )
    assert body == {"data": {"_entities": [{"number": number}]}}


async def test_serving_an_unknown_domain_is_a_config_error_naming_it(make_facade) -> None:
    with pytest.raises(ConfigError, match=r"'ERP'.*neither an installed connector"):
        await make_facade(graph={"serve": ["ERP"]})
