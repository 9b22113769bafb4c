"""The roof stays up: a provider's failure, a record it sends that cannot be read, or drift in a
field a join depends on costs only the fields that depend on it — typed, never silent."""

from __future__ import annotations

from support import NESTED_QUERY

from colonnade.sandboxes import Fault, SandboxSet
from colonnade.state import BreakerState

CUSTOMER = "001000000000002AAA"


def poison_one_order(providers: SandboxSet) -> tuple[str, str]:
    """A sandbox order the facade cannot map (WAERK "XY" is no ISO 4217 code): what a bad
    write used to leave behind in the ERP. Returns (its number, its customer's number)."""
    order = next(iter(providers.erp.orders.values()))
    order.waerk = "XY"
    return order.vbeln, order.kunnr


async def test_an_unmappable_order_fails_only_its_customer_not_the_batch(
    facade, providers: SandboxSet
) -> None:
    number, kunnr = poison_one_order(providers)
    body = await facade.query(NESTED_QUERY, {"first": 100})
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert len(nodes) == 100
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1  # one batch of 100
    poisoned = [i for i, n in enumerate(nodes) if n["erpCustomerNumber"] == kunnr]
    assert len(poisoned) == 1, "the poisoned customer must be on the first page"
    [index] = poisoned
    assert nodes[index]["salesOrders"] is None
    others = [n for i, n in enumerate(nodes) if i != index]
    assert all(isinstance(n["salesOrders"], list) for n in others)
    assert sum(len(n["salesOrders"]) for n in others) > 100  # the neighbours kept their orders
    [error] = body["errors"]
    assert error["path"] == ["customers", "edges", index, "node", "salesOrders"]
    assert error["extensions"] == {"code": "UPSTREAM_CONTRACT_VIOLATION", "connector": "erp"}
    assert number in error["message"]
    erp = facade.connector("erp").pipeline.caller
    assert await erp.breaker("orders_by_customer").state() is BreakerState.CLOSED


async def test_an_unmappable_order_by_number_fails_alone(facade, providers: SandboxSet) -> None:
    number, _ = poison_one_order(providers)
    other = next(n for n in providers.erp.orders if n != number)
    body = await facade.query(
        f'{{ bad: salesOrder(number: "{number}") {{ number }} '
        f'good: salesOrder(number: "{other}") {{ number }} }}'
    )
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL") == 1  # one batch
    assert body["data"] == {"bad": None, "good": {"number": other}}
    [error] = body["errors"]
    assert error["path"] == ["bad"]
    assert error["extensions"]["code"] == "UPSTREAM_CONTRACT_VIOLATION"


async def test_a_persistent_crm_fault_costs_only_the_crm_fields(
    facade, providers: SandboxSet
) -> None:
    providers.crm.faults.add(Fault("status", match="crm.*", status=503))
    body = await facade.query(
        """{ customers(first: 3) { edges { node { name } } }
             salesOrder(number: "0000500001") { number }
             payment(id: "pi_000000000000000000000001") { id } }"""
    )
    assert body["data"] is not None
    assert body["data"]["customers"] is None
    assert body["data"]["salesOrder"] == {"number": "0000500001"}
    assert body["data"]["payment"] == {"id": "pi_000000000000000000000001"}
    assert {e["extensions"]["connector"] for e in body["errors"]} == {"crm"}
    assert [e["path"] for e in body["errors"]] == [["customers"]]


async def test_one_failed_mutation_does_not_hide_another_ones_result(
    facade, providers: SandboxSet
) -> None:
    providers.erp.faults.add(Fault("status", match="erp.ZSD_SALESORDER_CREATE", status=400))
    before = providers.payments.payment_intent_count()
    body = await facade.query(
        """mutation {
          pay: createPayment(input: {customerId: "001000000000002AAA", amount: "3",
                             currency: "EUR", idempotencyKey: "roof-1"}) { id }
          order: createSalesOrder(input: {customerId: "001000000000002AAA", currency: "EUR",
                 lines: [{material: "MAT-1001", quantity: "1", unitPrice: "1"}]}) { number }
        }"""
    )
    assert providers.payments.payment_intent_count() == before + 1
    assert body["data"]["pay"]["id"].startswith("pi_")  # the client learns the payment exists
    assert body["data"]["order"] is None
    assert [e["path"] for e in body["errors"]] == [["order"]]


LINKS = """query($id: ID!) { customer(id: $id) {
  name erpCustomerNumber paymentCustomerId salesOrders { number } payments { id } } }"""


async def test_drift_in_a_join_field_is_a_contract_violation_not_an_empty_join(
    facade, providers: SandboxSet
) -> None:
    providers.crm.faults.add(Fault("rename_field", rename=("SAP_Customer_Number__c", "SAP_No__c")))
    body = await facade.query(LINKS, {"id": CUSTOMER})
    customer = body["data"]["customer"]
    assert customer["name"]  # the rest of the record is fine
    assert customer["paymentCustomerId"] == "cus_00000000000002"
    assert customer["payments"]  # the other join still answers
    assert customer["erpCustomerNumber"] is None
    assert customer["salesOrders"] is None  # never [] as if the customer had no orders
    paths = {tuple(e["path"]): e["extensions"] for e in body["errors"]}
    drift = {"code": "UPSTREAM_CONTRACT_VIOLATION", "connector": "crm"}
    assert paths == {
        ("customer", "erpCustomerNumber"): drift,
        ("customer", "salesOrders"): drift,
    }
    assert providers.erp.recorder.count("*") == 0


async def test_drift_in_a_join_field_on_a_page_is_typed_per_customer(
    facade, providers: SandboxSet
) -> None:
    providers.crm.faults.add(Fault("rename_field", rename=("Stripe_Customer_Id__c", "Stripe__c")))
    body = await facade.query(NESTED_QUERY, {"first": 3})
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert all(n["payments"] is None and isinstance(n["salesOrders"], list) for n in nodes)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"UPSTREAM_CONTRACT_VIOLATION"}
    assert len(body["errors"]) == 3
    assert providers.payments.recorder.count("*") == 0


async def test_a_join_field_present_and_null_is_simply_no_link(
    facade, providers: SandboxSet
) -> None:
    providers.crm.accounts[CUSTOMER]["SAP_Customer_Number__c"] = None
    body = await facade.query(LINKS, {"id": CUSTOMER})
    assert "errors" not in body, body
    assert body["data"]["customer"]["erpCustomerNumber"] is None
    assert body["data"]["customer"]["salesOrders"] == []


async def test_a_crm_record_that_breaks_the_contract_fails_only_its_own_id(
    facade, providers: SandboxSet
) -> None:
    other = "001000000000003AAA"
    providers.crm.accounts[CUSTOMER]["Name"] = None  # Name is required
    body = await facade.query(
        f'{{ bad: customer(id: "{CUSTOMER}") {{ name }} good: customer(id: "{other}") {{ name }} }}'
    )
    assert providers.crm.recorder.count("crm.sobject_collection") == 1  # one batch for both
    assert body["data"]["bad"] is None
    assert body["data"]["good"]["name"]
    [error] = body["errors"]
    assert error["path"] == ["bad"]
    assert error["extensions"] == {"code": "UPSTREAM_CONTRACT_VIOLATION", "connector": "crm"}


async def test_a_payment_that_cannot_be_mapped_is_a_contract_violation(
    facade, providers: SandboxSet
) -> None:
    pid = "pi_000000000000000000000001"
    providers.payments.payment_intents[pid]["status"] = "exploded"  # not a Stripe status
    body = await facade.query(f'{{ payment(id: "{pid}") {{ id }} }}')
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_CONTRACT_VIOLATION",
        "connector": "payments",
    }
