"""A hostile or broken SOAP provider gets a typed error, fast, with nothing expanded."""

from __future__ import annotations

import asyncio

import pytest

from colonnade.connectors.erp.connector import ORDERS_BY_NUMBER
from colonnade.errors import UpstreamRejected
from colonnade.pipeline.resilient import Attempt
from colonnade.sandboxes import Fault, SandboxSet

ORDER = '{ salesOrder(number: "0000500002") { number } }'


async def test_an_xml_bomb_in_a_200_is_a_contract_violation(facade, providers: SandboxSet) -> None:
    providers.erp.faults.add(Fault("xml_bomb"))
    body = await asyncio.wait_for(facade.query(ORDER), timeout=15)  # hang guard only
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_CONTRACT_VIOLATION",
        "connector": "erp",
    }
    assert "lol" not in body["errors"][0]["message"]
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL") == 1  # not retried


async def test_a_truncated_soap_response_is_retried_then_answered(
    facade, providers: SandboxSet
) -> None:
    providers.erp.faults.add(Fault("truncate", times=1))
    body = await facade.query(ORDER)
    assert body["data"]["salesOrder"]["number"] == "0000500002"
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL") == 2


async def test_a_malformed_soap_response_is_a_contract_violation(
    facade, providers: SandboxSet
) -> None:
    providers.erp.faults.add(Fault("malformed"))
    body = await facade.query(ORDER)
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_CONTRACT_VIOLATION",
        "connector": "erp",
    }


async def test_a_soap_client_fault_is_the_caller_s_fault(facade, providers: SandboxSet) -> None:
    """A request the service refuses as malformed: the caller's fault, not the provider's."""
    erp = facade.connector("erp")
    request = erp.http.build_request(
        "POST",
        erp.settings.service_path,
        content=b"<not-soap/>",
        headers={"Content-Type": "text/xml"},
    )
    with pytest.raises(UpstreamRejected) as rejected:
        await erp.send(Attempt(1), ORDERS_BY_NUMBER, request)
    assert rejected.value.provider_code == "soap:Client"
    assert rejected.value.counts_as_failure is False
