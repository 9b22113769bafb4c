"""``_entities``: a router's entity fetches cost what the graph's own list query costs."""

from __future__ import annotations

from typing import Any

from colonnade.sandboxes import SandboxSet

ENTITY_FIELDS = """
  id name erpCustomerNumber
  salesOrders { number date status netValue { amount currency } items { position material quantity } }
  payments { id status amount { amount currency } }
"""
ENTITIES = (
    "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer {"
    + ENTITY_FIELDS
    + "} } }"
)
PAGE = "query($first: Int!) { customers(first: $first) { edges { node {" + ENTITY_FIELDS + "} } } }"


def _counts(providers: SandboxSet) -> dict[str, Any]:
    erp = providers.erp.recorder.calls("erp.ZSD_SALESORDER_GETLIST")
    return {
        "crm": providers.crm.recorder.count("crm.query")
        + providers.crm.recorder.count("crm.sobject_collection"),
        "erp": [c.batch_size for c in erp],
        "payments": providers.payments.recorder.count("payments.*"),
    }


def _with_orders_and_payments(providers: SandboxSet) -> dict[str, Any]:
    return next(
        a
        for a in providers.crm.accounts.values()
        if a["SAP_Customer_Number__c"]
        and providers.erp.orders_for(a["SAP_Customer_Number__c"])
        and a["Stripe_Customer_Id__c"]
        and providers.payments.payment_intents_for(a["Stripe_Customer_Id__c"])
    )


def _reset(providers: SandboxSet) -> None:
    for provider in (providers.crm, providers.erp, providers.payments):
        provider.recorder.reset()


async def test_100_representations_cost_the_calls_of_a_100_customer_page(
    make_facade, providers: SandboxSet
) -> None:
    # Two facades, each with its own (empty) cache: the second must not profit from the first.
    page = await (await make_facade()).query(PAGE, {"first": 100})
    nodes = [e["node"] for e in page["data"]["customers"]["edges"]]
    page_calls = _counts(providers)
    _reset(providers)

    representations = [{"__typename": "Customer", "id": n["id"]} for n in nodes]
    body = await (await make_facade()).query(ENTITIES, {"r": representations})

    assert "errors" not in body
    assert body["data"]["_entities"] == nodes
    assert _counts(providers) == page_calls == {"crm": 1, "erp": [100], "payments": 100}


async def test_orders_and_payments_resolve_by_their_keys(facade, providers: SandboxSet) -> None:
    customer = _with_orders_and_payments(providers)
    order = providers.erp.orders_for(customer["SAP_Customer_Number__c"])[0]
    payment = providers.payments.payment_intents_for(customer["Stripe_Customer_Id__c"])[0]
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on SalesOrder { number customerNumber } ... on Payment { id status } } }"""
    body = await facade.query(
        query,
        {
            "r": [
                {"__typename": "SalesOrder", "number": order.vbeln},
                {"__typename": "Payment", "id": payment["id"]},
                {"__typename": "SalesOrder", "number": "9999999999"},
            ]
        },
    )
    assert "errors" not in body
    assert body["data"]["_entities"] == [
        {"number": order.vbeln, "customerNumber": customer["SAP_Customer_Number__c"]},
        {"id": payment["id"], "status": payment["status"].upper()},
        None,  # no such order: null, as salesOrder(number:) answers
    ]


async def test_each_malformed_representation_gets_its_own_error(facade) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }"
    good = {"__typename": "Customer", "id": "001000000000001AAA"}
    body = await facade.query(
        query,
        {
            "r": [
                {"id": "001000000000002AAA"},  # no __typename
                {"__typename": "Money", "amount": "1"},  # a value type, not an entity
                {"__typename": "Nope"},
                {"__typename": "Customer", "id": "nope"},
                {"__typename": "Customer"},  # no key at all
                {"__typename": "Payment", "x": "1"},  # without its key (found by the fuzzer)
                {"__typename": "Customer", "id": ["001000000000002AAA"]},
                {"__typename": "Customer", "id": 7},
                {**good, "extra": "ignored"},
            ]
        },
    )
    assert body["data"]["_entities"][:8] == [None] * 8
    assert body["data"]["_entities"][8] == {"id": good["id"]}
    errors = {tuple(e["path"]): e["extensions"]["code"] for e in body["errors"]}
    assert errors == {("_entities", i): "BAD_USER_INPUT" for i in range(8)}


async def test_too_many_representations_are_refused_before_any_call(
    facade, providers: SandboxSet
) -> None:
    query = "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }"
    reps = [{"__typename": "Customer", "id": f"001{i:012d}AAA"} for i in range(1001)]
    body = await facade.query(query, {"r": reps})
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert providers.crm.recorder.count("crm.sobject_collection") == 0


async def test_a_representation_needs_the_scope_its_root_field_needs(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(gateway={"anonymous": "on", "anonymous_scopes": ["orders:read"]})
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Customer { id } ... on SalesOrder { number } } }"""
    order = providers.erp.orders_for(
        _with_orders_and_payments(providers)["SAP_Customer_Number__c"]
    )[0]
    body = await facade.query(
        query,
        {
            "r": [
                {"__typename": "Customer", "id": "001000000000001AAA"},
                {"__typename": "SalesOrder", "number": order.vbeln},
            ]
        },
    )
    assert body["data"]["_entities"] == [None, {"number": order.vbeln}]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert providers.crm.recorder.count("crm.sobject_collection") == 0


async def test_customers_resolve_by_their_erp_number_in_one_crm_query(
    facade, providers: SandboxSet
) -> None:
    accounts = [a for a in providers.crm.accounts.values() if a["SAP_Customer_Number__c"]][:100]
    reps = [
        {"__typename": "Customer", "erpCustomerNumber": a["SAP_Customer_Number__c"]}
        for a in accounts
    ]
    reps += [
        {"__typename": "Customer", "erpCustomerNumber": "0000000000"},  # nobody's: null
        {"__typename": "Customer", "erpCustomerNumber": "12"},  # not an ERP number
    ]
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Customer { id erpCustomerNumber } } }"""
    body = await facade.query(query, {"r": reps})

    got = body["data"]["_entities"]
    assert got[:100] == [
        {"id": a["Id"], "erpCustomerNumber": a["SAP_Customer_Number__c"]} for a in accounts
    ]
    assert got[100:] == [None, None]
    assert [(e["path"], e["extensions"]["code"]) for e in body["errors"]] == [
        (["_entities", 101], "BAD_USER_INPUT")
    ]
    assert providers.crm.recorder.count("crm.query") == 1
    assert providers.crm.recorder.count("crm.sobject_collection") == 0


async def test_entities_are_priced_by_how_many_representations_they_carry(
    make_facade, providers: SandboxSet
) -> None:
    """Without this, `_entities` cost nothing: 1,000 customers' payments (1,000 Stripe calls)
    passed a limit of 1,000 that `customers(first: 100) { payments }` does not."""
    facade = await make_facade(gateway={"max_cost": 150})
    query = """query($r: [_Any!]!) { _entities(representations: $r) {
        ... on Customer { id payments { id } } } }"""
    few = [{"__typename": "Customer", "id": a} for a in list(providers.crm.accounts)[:50]]
    many = [{"__typename": "Customer", "id": a} for a in list(providers.crm.accounts)[:200]]

    assert "errors" not in await facade.query(query, {"r": few})
    refused = await facade.query(query, {"r": many})
    assert refused["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert refused["errors"][0]["extensions"]["cost"] == 1 + 200
    providers.payments.recorder.reset()
    literal = ", ".join(f'{{__typename: "Customer", id: "{r["id"]}"}}' for r in many)
    body = await facade.query(
        f"{{ _entities(representations: [{literal}]) {{ ... on Customer {{ payments {{ id }} }} }} }}"
    )
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert providers.payments.recorder.count("payments.*") == 0
