"""A fault table or SOAP settings that cannot work fail at start-up, saying why; the sandbox
control API injects every SOAP fault shape."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from lxml import etree

from colonnade.connectors.erp.settings import ErpSettings
from colonnade.errors import ConfigError, ErrorCode, UpstreamResponseTooLarge, UpstreamTimeout
from colonnade.sandboxes import SandboxSet, ServedSandbox
from colonnade.soap_faults import FaultRule, SoapFault
from colonnade.soap_settings import SoapSettings


@pytest.mark.parametrize(
    ("rule", "why"),
    [
        ({"error": ErrorCode.CIRCUIT_OPEN}, "cannot be CIRCUIT_OPEN"),
        ({"error": UpstreamResponseTooLarge}, "upstream error class"),
        ({"error": ValueError}, "upstream error class"),
        ({"error": UpstreamTimeout, "faultstring_regex": "("}, "does not compile"),
        ({"error": UpstreamTimeout, "detail": "a[", "detail_code": "x"}, "not a valid XPath"),
        ({"error": UpstreamTimeout, "detail_code": "x"}, "need detail"),
        ({"error": UpstreamTimeout, "faultstring": "A", "faultstring_regex": "A"}, "not both"),
    ],
)
def test_a_rule_that_cannot_work_is_refused_when_declared(rule: dict[str, Any], why: str) -> None:
    with pytest.raises(ConfigError, match=why):
        FaultRule(**rule)


def test_matchers_combine_and_a_bare_rule_catches_all() -> None:
    fault = SoapFault("Server.Busy", "MS_UNAVAILABLE")
    assert (
        FaultRule(UpstreamTimeout, faultcode="soap-env:Server").match(fault) == "soap:Server.Busy"
    )
    assert (
        FaultRule(UpstreamTimeout, faultcode="Server", faultstring="MS_UNAVAILABLE").match(fault)
        == "MS_UNAVAILABLE"
    )
    assert (
        FaultRule(UpstreamTimeout, faultcode="Client", faultstring="MS_UNAVAILABLE").match(fault)
        is None
    )
    assert FaultRule(UpstreamTimeout, faultcode="Serv").match(fault) is None  # not a prefix
    assert FaultRule(UpstreamTimeout).match(fault) == "soap:Server.Busy"
    assert (
        FaultRule(UpstreamTimeout, faultcode="Busy").match(
            SoapFault("Receiver", "x", subcodes=("Busy",))
        )
        == "soap:Receiver"
    )


def test_erp_settings_keep_the_old_fields_and_defaults() -> None:
    """An ERP table written for the settings class that lived in colonnade.config still loads."""
    old_table = {
        "base_url": "https://sap.example",
        "service_path": "/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder",
        "wsdl_url_map": {},
        "username": "COLONNADE",
        "password": "x",
        "idempotency_ttl_s": 86_400.0,
    }
    new = ErpSettings.model_validate(old_table)
    assert isinstance(new, SoapSettings)
    assert new.wsdl.name == "zsd_salesorder.wsdl"
    assert new.service_path == old_table["service_path"]
    assert new.idempotency_ttl_s == 86_400.0


def _post_fault(base_url: str, **fault: Any) -> httpx.Response:
    with httpx.Client(base_url=base_url) as client:
        added = client.post("/__sandbox/faults", json={"provider": "erp", **fault})
        assert added.status_code == 201
        return client.post(
            "/erp/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder"
        )


def test_the_control_api_injects_faultcode_faultstring_and_detail(
    providers: SandboxSet, providers_server: ServedSandbox
) -> None:
    r = _post_fault(
        providers_server.base_url,
        kind="soap_fault",
        faultcode="Client.Auth",
        faultstring="E42: nope",
        detail={"errorCode": "E42", "{urn:x}where": "here"},
        times=1,
    )
    assert r.status_code == 500
    root = etree.fromstring(r.content)
    assert root.findtext(".//faultcode") == "soap-env:Client.Auth"
    assert root.findtext(".//faultstring") == "E42: nope"
    assert root.findtext(".//detail/errorCode") == "E42"
    assert root.findtext(".//detail/{urn:x}where") == "here"


def test_a_plain_soap_fault_keeps_the_provider_s_own_shape(
    providers: SandboxSet, providers_server: ServedSandbox
) -> None:
    r = _post_fault(providers_server.base_url, kind="soap_fault", times=1)
    root = etree.fromstring(r.content)
    assert root.findtext(".//faultcode") == "soap-env:Server"
    assert root.findtext(".//faultstring") == "Internal error in RFC handler"
    assert "RFC_ERROR_SYSTEM_FAILURE" in "".join(root.find(".//detail").itertext())
