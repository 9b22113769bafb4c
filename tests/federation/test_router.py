"""Through a real router (Hive Gateway) across Colonnade's subgraphs and the loyalty team's:
the right data, partial data with codes intact when a provider fails, stale labels, refusals."""

from __future__ import annotations

import asyncio
import copy
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from federated import SUBGRAPHS, Stack, clean_env, federated, hive_gateway_version
from support import Credentials

from colonnade.federation.compose import config_sdl
from colonnade.sandboxes import SandboxSet, ServedSandbox
from colonnade.sandboxes.faults import Fault

pytestmark = pytest.mark.processes

SPANNING = """
query Spanning($first: Int!) {
  customers(first: $first) { edges { node {
    id name erpCustomerNumber
    loyalty { tier points memberSince }
    salesOrders { number status netValue { amount currency } }
    payments { id status amount { amount currency } }
  } } }
}
"""
WITHOUT_LOYALTY = SPANNING.replace("loyalty { tier points memberSince }", "")
ONE = """
query One($id: ID!) {
  customer(id: $id) { id name loyalty { tier points } salesOrders { number } payments { id } }
}
"""
LOYALTY = "query($id: ID!) { loyaltyAccount(customerId: $id) { tier points memberSince } }"


@pytest.fixture(scope="module")
def stack(
    providers_server: ServedSandbox, creds: Credentials, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    with federated(providers_server.base_url, creds, tmp_path_factory.mktemp("fed")) as running:
        yield running


def _customers(providers: SandboxSet, count: int) -> list[str]:
    """Customers with orders and payments (so a failing provider has something to fail)."""
    found = [
        a["Id"]
        for a in providers.crm.accounts.values()
        if a["SAP_Customer_Number__c"]
        and providers.erp.orders_for(a["SAP_Customer_Number__c"])
        and a["Stripe_Customer_Id__c"]
        and providers.payments.payment_intents_for(a["Stripe_Customer_Id__c"])
    ]
    return sorted(found)[:count]


def _without_service(error: dict[str, Any]) -> dict[str, Any]:
    """An error as Colonnade sent it: the router adds only ``extensions.serviceName``."""
    out = copy.deepcopy(error)
    out.pop("locations", None)
    out.get("extensions", {}).pop("serviceName", None)
    return out


def test_composition_of_the_running_subgraphs_has_no_errors(stack: Stack) -> None:
    assert "error [" not in stack.compose_stderr
    assert "composed 3 subgraph(s)" in stack.compose_stderr
    supergraph = stack.supergraph.read_text()
    for graph in ("COMMERCE", "ERP", "LOYALTY"):
        assert f"{graph} @join__graph" in supergraph
    assert hive_gateway_version() == "2.15.1"  # the router the README and bench name


@pytest.mark.parametrize("name", ["commerce", "erp"])
def test_the_sdl_exported_from_a_config_is_the_sdl_it_serves(stack: Stack, name: str) -> None:
    """CI composes from the configs; the router routes to the running processes: the two
    must be one graph."""
    exported = config_sdl(SUBGRAPHS / f"{name}.toml", env=clean_env())
    served = stack.query(stack.subgraphs[name], "{ _service { sdl } }")["data"]["_service"]["sdl"]
    assert served.strip() == exported.strip()


def test_a_query_spanning_colonnade_and_loyalty_equals_the_direct_answers(
    stack: Stack, providers: SandboxSet
) -> None:
    before_loyalty = stack.loyalty_calls()
    before_erp = len(providers.erp.recorder.calls("erp.ZSD_SALESORDER_GETLIST"))
    routed = stack.query(stack.router, SPANNING, {"first": 5})
    assert "errors" not in routed, routed
    nodes = [e["node"] for e in routed["data"]["customers"]["edges"]]
    assert len(nodes) == 5
    calls = stack.loyalty_calls()
    getlists = providers.erp.recorder.calls("erp.ZSD_SALESORDER_GETLIST")[before_erp:]

    direct = stack.query(stack.direct, WITHOUT_LOYALTY, {"first": 5})
    assert "errors" not in direct, direct
    expected = [dict(e["node"]) for e in direct["data"]["customers"]["edges"]]
    for node in expected:
        own = stack.query(stack.subgraphs["loyalty"], LOYALTY, {"id": node["id"]}, key=None)
        node["loyalty"] = own["data"]["loyaltyAccount"]
        assert node["loyalty"] is not None
    assert nodes == expected

    # The router batched: one _entities call to loyalty for the five customers, with the
    # client's key forwarded; one ERP GETLIST (through the ERP subgraph's _entities).
    assert calls["operations"] - before_loyalty["operations"] == 1
    assert calls["representations"] - before_loyalty["representations"] == 5
    assert calls["withCredentials"] - before_loyalty["withCredentials"] == 1
    assert [c.batch_size for c in getlists] == [5]


def test_loyalty_answers_a_customer_it_does_not_know_with_null(stack: Stack) -> None:
    routed = stack.query(stack.router, ONE, {"id": "003000000000001AAA"})
    # A contact id, not an account: the CRM has no such customer, loyalty no such member.
    assert routed["data"]["customer"] is None
    member = stack.query(
        stack.router, '{ loyaltyMember(customerId: "nope") { id } loyaltyTiers { tier } }'
    )
    assert member["data"]["loyaltyMember"] is None
    assert member["data"]["loyaltyTiers"][0] == {"tier": "BRONZE"}


def test_a_member_from_loyalty_is_completed_by_colonnade(
    stack: Stack, providers: SandboxSet
) -> None:
    """The other direction: loyalty's root field returns a Customer reference, and the router
    asks Colonnade's _entities for the rest."""
    customer = _customers(providers, 1)[0]
    query = "query($id: ID!) { loyaltyMember(customerId: $id) { id name salesOrders { number } loyalty { tier } } }"
    routed = stack.query(stack.router, query, {"id": customer})
    assert "errors" not in routed, routed
    without_loyalty = ONE.replace("loyalty { tier points }", "")
    direct = stack.query(stack.direct, without_loyalty, {"id": customer})["data"]["customer"]
    member = routed["data"]["loyaltyMember"]
    assert (member["id"], member["name"], member["salesOrders"]) == (
        customer,
        direct["name"],
        direct["salesOrders"],
    )


@pytest.mark.parametrize(
    ("provider", "field", "connector"),
    [("payments", "payments", "payments"), ("erp", "salesOrders", "erp")],
)
def test_a_failing_provider_gives_partial_data_with_its_code_through_the_router(
    stack: Stack, providers: SandboxSet, provider: str, field: str, connector: str
) -> None:
    customer = _customers(providers, 40)[-1 if provider == "payments" else -2]  # never cached
    providers.providers[provider].faults.add(Fault(kind="status", status=503))
    try:
        routed = stack.query(stack.router, ONE, {"id": customer})
        direct = stack.query(
            stack.direct, ONE.replace("loyalty { tier points }", ""), {"id": customer}
        )
    finally:
        providers.clear_faults()
    data = routed["data"]["customer"]
    assert data[field] is None
    assert data["name"] == direct["data"]["customer"]["name"]
    assert data["loyalty"] is not None  # the other subgraph still answers
    (error,) = routed["errors"]
    assert error["path"] == ["customer", field]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["connector"] == connector
    assert error["extensions"]["serviceName"] == ("commerce" if provider == "payments" else "erp")
    assert [_without_service(e) for e in routed["errors"]] == [
        _without_service(e) for e in direct["errors"]
    ]


@pytest.mark.parametrize(("provider", "field"), [("payments", "payments"), ("erp", "salesOrders")])
def test_stale_labels_survive_the_router_at_the_clients_paths(
    stack: Stack, providers: SandboxSet, provider: str, field: str
) -> None:
    """Served from cache while the provider fails: labelled in extensions.colonnade.stale, at
    the client's path (aliases included), as Colonnade labels it when asked directly."""
    ids = (
        _customers(providers, 30)[10:12]
        if provider == "payments"
        else _customers(providers, 30)[12:14]
    )
    query = (
        "query($a: ID!, $b: ID!) { first: customer(id: $a) { name " + field + " { __typename } }"
        " second: customer(id: $b) { loyalty { tier } " + field + " { __typename } } }"
    )
    direct_query = query.replace("loyalty { tier } ", "")
    variables = {"a": ids[0], "b": ids[1]}
    warm = stack.query(stack.router, query, variables)
    assert "errors" not in warm, warm
    assert "extensions" not in warm, warm
    stack.query(stack.direct, direct_query, variables)
    providers.providers[provider].faults.add(Fault(kind="status", status=503))
    try:
        time.sleep(1.2)  # past the short tier's 1 s freshness (colonnade_env)
        routed = stack.query(stack.router, query, variables)
        direct = stack.query(stack.direct, direct_query, variables)
    finally:
        providers.clear_faults()
    assert "errors" not in routed, routed
    assert routed["data"]["first"][field] == warm["data"]["first"][field]

    def labels(body: dict[str, Any]) -> list[tuple[Any, ...]]:
        stale = body["extensions"]["colonnade"]["stale"]
        return sorted((tuple(s["path"]), s["connector"], s["reason"], s.get("code")) for s in stale)

    assert labels(routed) == labels(direct)
    assert {p[0] for p in labels(routed)} == {("first", field), ("second", field)}


async def test_concurrent_identical_queries_with_different_keys_are_not_shared(
    stack: Stack, providers: SandboxSet
) -> None:
    """Hive Gateway deduplicates identical in-flight subgraph requests; the forwarded
    credentials are part of what makes two requests identical, so a refused caller never gets
    the answer fetched for an accepted one (ERP slowed so the four are in flight together)."""
    customer = _customers(providers, 50)[-5]  # not cached by another test
    providers.erp.faults.add(Fault(kind="latency", latency_s=0.5))
    keys = [stack.api_key, "col_not-a-key", stack.api_key, None]

    async def ask(client: httpx.AsyncClient, key: str | None) -> dict[str, Any]:
        headers = {} if key is None else {"x-api-key": key}
        payload = {"query": ONE, "variables": {"id": customer}}
        body: dict[str, Any] = (
            await client.post(stack.router, json=payload, headers=headers)
        ).json()
        return body

    try:
        async with httpx.AsyncClient(timeout=30) as client:
            answers = await asyncio.gather(*(ask(client, key) for key in keys))
    finally:
        providers.clear_faults()
    for key, body in zip(keys, answers, strict=True):
        if key == stack.api_key:
            assert body["data"]["customer"]["salesOrders"], body
        else:
            assert body["data"]["customer"] is None, body
            assert body["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


def test_without_credentials_the_router_passes_on_colonnades_refusal(
    stack: Stack, providers: SandboxSet
) -> None:
    before = stack.loyalty_calls()
    for key in (None, "col_not-a-key"):
        body = stack.query(stack.router, SPANNING, {"first": 5}, key=key)
        assert body["data"] == {"customers": None}
        (error,) = body["errors"]
        assert error["extensions"]["code"] == "UNAUTHENTICATED"
        assert error["path"] == ["customers"]
        assert "Traceback" not in str(body)
    # Refused before any provider call, so the router had no entities to ask loyalty for.
    assert stack.loyalty_calls()["operations"] == before["operations"]
    assert providers.crm.recorder.count("crm.query") == 0
