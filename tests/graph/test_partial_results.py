"""One provider fails, the rest of the graph answers: null plus a typed error for that field."""

from __future__ import annotations

import json

from support import NESTED_QUERY

from colonnade.sandboxes import Fault, SandboxSet

Q = """{ customer(id: "001000000000002AAA") { name salesOrders { number } payments { id } } }"""


async def test_erp_down_leaves_customers_and_payments_intact(facade, providers: SandboxSet) -> None:
    providers.erp.faults.add(Fault("status", status=503))
    body = await facade.query(Q)
    customer = body["data"]["customer"]
    assert customer["name"]
    assert customer["payments"]
    assert customer["salesOrders"] is None
    [error] = body["errors"]
    assert error["path"] == ["customer", "salesOrders"]
    assert error["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "connector": "erp"}


async def test_nested_query_with_payments_down_keeps_orders(facade, providers: SandboxSet) -> None:
    providers.payments.faults.add(
        Fault("status", match="payments.list_payment_intents", status=500)
    )
    body = await facade.query(NESTED_QUERY, {"first": 5})
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert all(n["payments"] is None for n in nodes)
    assert all(isinstance(n["salesOrders"], list) for n in nodes)
    # 5 customers x 3 attempts of failures trip the payments breaker part-way: both are right.
    assert {e["extensions"]["code"] for e in body["errors"]} <= {
        "UPSTREAM_UNAVAILABLE",
        "CIRCUIT_OPEN",
    }
    assert {e["extensions"]["connector"] for e in body["errors"]} == {"payments"}
    assert len(body["errors"]) == 5


async def test_provider_details_never_reach_the_client(
    facade, providers: SandboxSet, creds
) -> None:
    providers.erp.faults.add(Fault("soap_fault"))
    providers.payments.faults.add(Fault("malformed"))
    body = await facade.query(Q)
    text = json.dumps(body)
    assert "Traceback" not in text
    assert "RFC handler" not in text  # the SOAP faultstring stays with us
    assert creds.api_key not in text
    assert creds.erp_password not in text
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"UPSTREAM_UNAVAILABLE", "UPSTREAM_CONTRACT_VIOLATION"}


async def test_an_error_inside_a_200_is_an_error(facade, providers: SandboxSet) -> None:
    providers.erp.faults.add(Fault("error_in_200"))
    providers.crm.faults.add(Fault("error_in_200", match="crm.sobject_collection"))
    body = await facade.query(Q)
    assert body["data"]["customer"] is None
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "connector": "crm"}
    body = await facade.query('{ salesOrder(number: "0000500002") { number } }')
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "connector": "erp"}


async def test_a_renamed_field_is_a_contract_violation(facade, providers: SandboxSet) -> None:
    providers.crm.faults.add(Fault("rename_field", rename=("Name", "AccountName")))
    providers.erp.faults.add(Fault("rename_field", rename=("NETWR", "NET_VALUE")))
    body = await facade.query(Q)
    assert body["data"]["customer"] is None
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_CONTRACT_VIOLATION"
    body = await facade.query('{ salesOrder(number: "0000500002") { number } }')
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_CONTRACT_VIOLATION",
        "connector": "erp",
    }
