"""``Query.vatNumber`` end to end: GraphQL over the facade, the VAT connector, the shared
sandbox set's VIES over loopback HTTP."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from colonnade.sandboxes import SandboxSet, ServedSandbox

QUERY = "query($n: String!) { vatNumber(number: $n) { countryCode vatNumber valid name address requestDate } }"


@pytest.fixture
async def facade(make_facade: Any, providers_server: ServedSandbox, providers: SandboxSet) -> Any:
    base = providers_server.base_url
    table = {**providers.vat.connector_settings(), "base_url": f"{base}/vat"}
    return await make_facade(connectors={"vat": {**table, "retry": {"max_attempts": 2}}})


async def test_a_registered_number(facade: Any, providers: SandboxSet) -> None:
    body = await facade.query(QUERY, {"n": "DE 100 000 001"})
    assert "errors" not in body
    answer = body["data"]["vatNumber"]
    assert answer.pop("requestDate")
    assert answer == {
        "countryCode": "DE",
        "vatNumber": "100000001",
        "valid": True,
        "name": "Musterhandel GmbH",
        "address": "Hauptstrasse 1\n10115 Berlin",
    }
    assert providers.vat.recorder.count("vat.checkVat.DE") == 1


async def test_an_unregistered_number_is_valid_false_not_an_error(facade: Any) -> None:
    body = await facade.query(QUERY, {"n": "FR29999999999"})
    assert "errors" not in body
    assert body["data"]["vatNumber"]["valid"] is False
    assert body["data"]["vatNumber"]["name"] is None


async def test_a_malformed_number_is_bad_user_input_and_never_sent(
    facade: Any, providers: SandboxSet
) -> None:
    body = await facade.query(QUERY, {"n": "DE12"})
    assert body["data"] == {"vatNumber": None}
    [error] = body["errors"]
    assert error["extensions"] == {"code": "BAD_USER_INPUT"}
    assert error["path"] == ["vatNumber"]
    assert providers.vat.recorder.calls() == []


@pytest.mark.parametrize(
    ("vies", "code"),
    [
        ("INVALID_INPUT", "BAD_USER_INPUT"),
        ("MS_UNAVAILABLE", "UPSTREAM_UNAVAILABLE"),
        ("TIMEOUT", "UPSTREAM_TIMEOUT"),
        ("MS_MAX_CONCURRENT_REQ", "UPSTREAM_RATE_LIMITED"),
        ("SERVICE_UNAVAILABLE", "UPSTREAM_UNAVAILABLE"),
    ],
)
async def test_a_fault_is_a_null_field_with_its_code(
    facade: Any, providers: SandboxSet, vies: str, code: str
) -> None:
    providers.vat.fail(vies, "DE")
    body = await facade.query(
        '{ de: vatNumber(number: "DE100000001") { valid } fr: vatNumber(number: "FR10100000001") { valid } }'
    )
    assert body["data"] == {"de": None, "fr": {"valid": True}}  # one member state's fault
    [error] = body["errors"]
    assert error["path"] == ["de"]
    assert error["extensions"] == {"code": code, "connector": "vat", "viesCode": vies}


async def test_the_field_is_described(facade: Any) -> None:
    body = await facade.query(
        '{ __type(name: "VatRegistration") { description fields { name description } } }'
    )
    described = body["data"]["__type"]
    assert described["description"]
    assert {f["name"] for f in described["fields"]} == {
        "countryCode", "vatNumber", "valid", "name", "address", "requestDate",
    }  # fmt: skip
    assert all(f["description"] for f in described["fields"])


async def test_a_member_state_fault_through_the_sandbox_control_api(
    facade: Any, providers_server: ServedSandbox, providers: SandboxSet
) -> None:
    fault = {"provider": "vat", "kind": "soap_fault", "match": "vat.*.FR"}
    async with httpx.AsyncClient(base_url=providers_server.base_url) as control:
        added = await control.post("/__sandbox/faults", json={**fault, "faultstring": "TIMEOUT"})
    assert added.status_code == 201
    body = await facade.query(QUERY, {"n": "FR10100000001"})
    assert body["data"] == {"vatNumber": None}
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_TIMEOUT"
    assert providers.vat.recorder.count("vat.checkVat.FR") == 2  # retried once (max_attempts 2)


async def test_readiness_lists_vies_s_breaker_and_each_member_state_s(facade: Any) -> None:
    await facade.query(QUERY, {"n": "DE100000001"})
    ready = (await facade.client.get("/readyz")).json()["connectors"]["vat"]
    assert ready["wsdl"] == "loaded"
    assert ready["breakers"] == {"cb:vat.member_state:DE": "closed", "cb:vat": "closed"}
