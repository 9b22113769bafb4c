"""The nested query of the foundation issue, with its exact upstream call counts."""

from __future__ import annotations

from support import NESTED_QUERY

from colonnade.sandboxes import SandboxSet


async def test_first_100_customers_with_orders_and_payments_cost_bounded_calls(
    facade, providers: SandboxSet
) -> None:
    body = await facade.query(NESTED_QUERY, {"first": 100})

    assert "errors" not in body
    edges = body["data"]["customers"]["edges"]
    assert len(edges) == 100
    assert body["data"]["customers"]["pageInfo"]["hasNextPage"] is True
    # One token, one SOQL page for the customers; one SOAP call for all their orders.
    assert providers.crm.recorder.count("crm.token") == 1
    assert providers.crm.recorder.count("crm.query") == 1
    assert providers.crm.recorder.count("crm.sobject_collection") == 0
    getlist = providers.erp.recorder.calls("erp.ZSD_SALESORDER_GETLIST")
    assert len(getlist) == 1
    assert getlist[0].batch_size == 100
    # Stripe has no "payments of many customers": one list call per customer, no more.
    with_payments = {e["node"]["id"] for e in edges}
    assert providers.payments.recorder.count("payments.list_payment_intents") == len(with_payments)
    assert providers.payments.recorder.count("payments.*") == 100


async def test_nested_data_matches_every_provider(facade, providers: SandboxSet) -> None:
    body = await facade.query(NESTED_QUERY, {"first": 100})
    for edge in body["data"]["customers"]["edges"]:
        node = edge["node"]
        orders = providers.erp.orders_for(node["erpCustomerNumber"])
        assert sorted(o["number"] for o in node["salesOrders"]) == sorted(o.vbeln for o in orders)
        stripe_id = providers.crm.accounts[node["id"]]["Stripe_Customer_Id__c"]
        expected = providers.payments.payment_intents_for(stripe_id)
        assert sorted(p["id"] for p in node["payments"]) == sorted(p["id"] for p in expected)


async def test_pagination_walks_every_customer_once_in_name_order(
    facade, providers: SandboxSet
) -> None:
    seen: list[tuple[str, str]] = []
    after = None
    query = """query($after: String) { customers(first: 30, after: $after) {
        edges { cursor node { id name } } pageInfo { hasNextPage endCursor } } }"""
    for _ in range(20):
        body = await facade.query(query, {"after": after})
        page = body["data"]["customers"]
        seen.extend((e["node"]["name"], e["node"]["id"]) for e in page["edges"])
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(seen) == 200
    assert len(set(seen)) == 200
    assert seen == sorted(seen)


async def test_lookups_by_id_are_batched_and_deduplicated(facade, providers: SandboxSet) -> None:
    ids = [f"001{i:012d}AAA" for i in (1, 2, 3, 2, 1)]
    query = (
        "{ "
        + " ".join(f'c{n}: customer(id: "{i}") {{ id name }}' for n, i in enumerate(ids))
        + " }"
    )
    body = await facade.query(query)
    assert "errors" not in body
    assert [body["data"][f"c{n}"]["id"] for n in range(5)] == ids
    calls = providers.crm.recorder.calls("crm.sobject_collection")
    assert len(calls) == 1
    assert calls[0].batch_size == 3


async def test_unknown_customer_is_null_without_error(facade) -> None:
    body = await facade.query('{ customer(id: "001000000009999AAA") { id } }')
    assert body == {"data": {"customer": None}}


async def test_malformed_customer_id_is_bad_user_input(facade, providers: SandboxSet) -> None:
    body = await facade.query(
        '{ a: customer(id: "nope") { id } b: customer(id: "001000000000001AAA") { id } }'
    )
    assert body["data"]["a"] is None
    assert body["data"]["b"] == {"id": "001000000000001AAA"}
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["path"] == ["a"]


async def test_sales_order_and_payment_lookups(facade, providers: SandboxSet) -> None:
    order = providers.erp.orders_for("0000100002")[0]
    payment = providers.payments.payment_intents_for("cus_00000000000002")[0]
    body = await facade.query(
        """query($o: ID!, $p: ID!) {
            salesOrder(number: $o) { number customerNumber netValue { amount currency } items { material } }
            payment(id: $p) { id amount { amount currency } status }
            missingOrder: salesOrder(number: "0000999999") { number }
            missingPayment: payment(id: "pi_nope") { id }
        }""",
        {"o": order.vbeln, "p": payment["id"]},
    )
    assert "errors" not in body, body
    assert body["data"]["salesOrder"]["number"] == order.vbeln
    assert body["data"]["salesOrder"]["netValue"]["amount"] == f"{order.netwr:.2f}"
    assert body["data"]["payment"]["id"] == payment["id"]
    assert body["data"]["missingOrder"] is None
    assert body["data"]["missingPayment"] is None
