"""What a caller of a subgraph port (or a confused router) can do with representations: the
review's findings, each a test. A stub trusts its representation for data, never for rights."""

from __future__ import annotations

from typing import Any

from colonnade.sandboxes import SandboxSet

CUSTOMER_ORDERS = """query($r: [_Any!]!) { _entities(representations: $r) {
    ... on Customer { id salesOrders { number } } } }"""


def _numbers(providers: SandboxSet, n: int) -> list[dict[str, Any]]:
    return [a for a in providers.crm.accounts.values() if a["SAP_Customer_Number__c"]][:n]


async def _sdl(facade: Any) -> str:
    body = await facade.query("{ _service { sdl } }")
    sdl: str = body["data"]["_service"]["sdl"]
    return sdl


def _type(sdl: str, name: str) -> str:
    start = sdl.index(f"type {name} ")
    return sdl[start : sdl.index("}", start)]


async def test_a_stub_asks_for_the_owners_scope(make_facade, providers: SandboxSet) -> None:
    """orders:read alone does not read a customer's orders by naming the customer: the
    whole graph wants customers:read for a Customer, and so does its stub."""
    account = _numbers(providers, 1)[0]
    rep = {"__typename": "Customer", "id": account["Id"]}
    rep["erpCustomerNumber"] = account["SAP_Customer_Number__c"]
    scoped = {"anonymous": "on", "anonymous_scopes": ["orders:read"]}
    orders = await make_facade(graph={"serve": ["erp"]}, gateway=scoped)

    body = await orders.query(CUSTOMER_ORDERS, {"r": [rep]})

    assert body["data"]["_entities"] == [None]
    assert [e["extensions"]["code"] for e in body["errors"]] == ["FORBIDDEN"]
    assert providers.erp.recorder.count("erp.*") == 0
    assert '@requiresScopes(scopes: [["customers:read"]])' in _type(await _sdl(orders), "Customer")


async def test_a_stub_has_one_key_so_no_plan_hops_through_it(make_facade) -> None:
    """With both of Customer's keys, the payments stub told the query planner it could turn
    an ERP number into an id: it cannot (it only echoes what it is given)."""
    payments = await make_facade(graph={"serve": ["payments"]})
    customer = _type(await _sdl(payments), "Customer")
    assert customer.count("@key(") == 1
    assert '@key(fields: "id")' in customer


async def test_one_bad_key_value_fails_alone(make_facade, providers: SandboxSet) -> None:
    orders = await make_facade(graph={"serve": ["erp"]})
    good = _numbers(providers, 2)
    reps: list[dict[str, Any]] = [
        {"__typename": "Customer", "id": a["Id"], "erpCustomerNumber": a["SAP_Customer_Number__c"]}
        for a in good
    ]
    reps.insert(1, {"__typename": "Customer", "id": "x", "erpCustomerNumber": "00001\u0000"})
    reps.insert(2, {"__typename": "Customer", "id": "y", "erpCustomerNumber": True})

    body = await orders.query(CUSTOMER_ORDERS, {"r": reps})

    got = body["data"]["_entities"]
    assert got[1] == {"id": "x", "salesOrders": None}  # the number fails its own field
    assert got[2] is None
    for account, entity in ((good[0], got[0]), (good[1], got[3])):
        expected = providers.erp.orders_for(account["SAP_Customer_Number__c"])
        assert sorted(o["number"] for o in entity["salesOrders"]) == sorted(
            o.vbeln for o in expected
        )
    codes = sorted((tuple(e["path"]), e["extensions"]["code"]) for e in body["errors"])
    assert codes == [
        (("_entities", 1, "salesOrders"), "BAD_USER_INPUT"),
        (("_entities", 2), "BAD_USER_INPUT"),
    ]


async def test_a_number_sent_as_a_number_fails_alone_in_the_whole_graph(
    facade, providers: SandboxSet
) -> None:
    good = _numbers(providers, 1)[0]
    reps = [
        {"__typename": "Customer", "erpCustomerNumber": 100002},  # becomes "100002": malformed
        {"__typename": "Customer", "erpCustomerNumber": 1.5},
        {"__typename": "Customer", "erpCustomerNumber": good["SAP_Customer_Number__c"]},
    ]
    body = await facade.query(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { id } } }",
        {"r": reps},
    )
    assert body["data"]["_entities"] == [None, None, {"id": good["Id"]}]
    assert sorted(e["path"][1] for e in body["errors"]) == [0, 1]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}


async def test_a_stubs_batched_field_is_priced_per_entity(
    make_facade, providers: SandboxSet, providers_server: Any
) -> None:
    """A stub's representations name arbitrary addresses: 300 of them are 300 geocodes, not
    one batch (the geocoder's shared budget, a client's cost budget)."""
    geocoder = {"nominatim": {"base_url": f"{providers_server.base_url}/nominatim"}}
    geocoding = await make_facade(
        graph={"serve": ["geocoding"]}, gateway={"max_cost": 50}, connectors=geocoder
    )
    reps = [
        {"__typename": "Customer", "id": f"c{i}", "city": f"Town {i}", "country": "DE"}
        for i in range(300)
    ]
    body = await geocoding.query(
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on Customer { location { displayName } } } }",
        {"r": reps},
    )
    assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED"
    assert providers.nominatim.recorder.count() == 0


async def test_a_default_value_is_priced_as_what_it_asks(
    make_facade, providers: SandboxSet
) -> None:
    """A variable left out takes its default: priced as such, not as one item (or the
    assumed page size)."""
    facade = await make_facade(gateway={"max_cost": 60})
    page = "query($n: Int! = 100) { customers(first: $n) { edges { node { payments { id } } } } }"
    reps = ", ".join(f'{{__typename: "Customer", id: "001{i:012d}AAA"}}' for i in range(100))
    entities = f"query($r: [_Any!]! = [{reps}]) {{ _entities(representations: $r) {{ ... on Customer {{ payments {{ id }} }} }} }}"
    for query in (page, entities):
        body = await facade.query(query)
        assert body["errors"][0]["extensions"]["code"] == "COST_LIMIT_EXCEEDED", query[:40]
    assert providers.payments.recorder.count() == 0
