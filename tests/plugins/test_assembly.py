"""The composition root: a connector disabled or never configured costs its own fields only,
as the operator chooses (absent from the schema, or answering CONNECTOR_UNAVAILABLE)."""

from __future__ import annotations

from typing import Any

from support import Facade

CUSTOMER_WITH_ORDERS = '{ customer(id: "001000000000002AAA") { name salesOrders { number } } }'


async def test_a_disabled_connector_s_fields_are_absent(make_facade: Any) -> None:
    facade: Facade = await make_facade(connectors={"erp": {"enabled": False}})
    sdl = facade.app.state.services  # built without the ERP
    assert "erp" not in sdl.names
    assert sdl.unavailable["erp"] == "disabled (connectors.erp.enabled = false)"

    body = await facade.query(CUSTOMER_WITH_ORDERS)
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert "salesOrders" in error["message"]
    # Everything else still answers: the CRM, payments, and fields joining them.
    body = await facade.query('{ customer(id: "001000000000002AAA") { name payments { id } } }')
    assert "errors" not in body
    assert body["data"]["customer"]["name"]


async def test_in_error_mode_the_fields_stay_and_answer_a_typed_error(
    make_facade: Any,
) -> None:
    facade = await make_facade(
        connectors={"erp": {"enabled": False}}, graph={"unavailable_fields": "error"}
    )
    body = await facade.query(
        '{ customer(id: "001000000000002AAA") { name salesOrders { number } }'
        ' salesOrder(number: "0000004711") { number } }'
    )
    assert body["data"]["customer"]["name"]
    assert body["data"]["customer"]["salesOrders"] is None
    codes = {e["extensions"]["code"] for e in body["errors"]}
    assert codes == {"CONNECTOR_UNAVAILABLE"}
    assert all("erp" in e["message"] and "disabled" in e["message"] for e in body["errors"])


async def test_an_unconfigured_connector_does_not_fail_start_up(make_facade: Any) -> None:
    facade = await make_facade(connectors={"payments": {"base_url": None}})
    unavailable = facade.app.state.services.unavailable
    assert unavailable["payments"] == "not configured (connectors.payments.base_url is not set)"
    assert {"crm", "erp"}.isdisjoint(unavailable)
    ready = await facade.client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"  # off is the operator's choice, not a degradation
    assert ready.json()["connectors"]["payments"] == {
        "status": "off",
        "reason": "not configured (connectors.payments.base_url is not set)",
    }
    body = await facade.query('{ customer(id: "001000000000002AAA") { name } }')
    assert body == {"data": {"customer": {"name": body["data"]["customer"]["name"]}}}
