"""The ``[connectors.<name>]`` table an SAP owner writes for the ERP's WSDL, read as TOML and
served against the ERP sandbox: the example in the docs is this one, so it cannot rot."""

from __future__ import annotations

import tomllib
from typing import Any

import pytest
from kit import FAST_RETRY
from support import Credentials

from colonnade.config import Settings
from colonnade.errors import ConfigError, UpstreamRejected, UpstreamUnauthenticated
from colonnade.fetched import Fetched
from colonnade.runtime import Runtime
from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox
from colonnade.sandboxes.soap import SAP_RT
from colonnade.state import MemoryBackend
from colonnade.wsdl_import.connector import WsdlConnector
from colonnade.wsdl_import.settings import WsdlSettings

EXAMPLE = r"""
[connectors.sap]
base_url = "https://sap.example.com"     # the WSDL's soap:address path is kept under it
wsdl = "erp/zsd_salesorder.wsdl"         # from the working directory, else the contracts dir
username = "COLONNADE"                   # HTTP Basic, as SAP's SOAP runtime wants
# password: COLONNADE_CONNECTORS__SAP__PASSWORD, or password_file = "/run/secrets/sap"
query = ["ZSD_SALESORDER_GETLIST", "ZSD_SALESORDER_GETDETAIL"]   # GETLIST is no verb it knows
read_tier = "short"
cache_tiers = { ZSD_SALESORDER_GETDETAIL = "standard" }
# wsse_username = "..."; wsse_password_file = "/run/secrets/wsse"; wsse_digest = true
# soap_header_files = { "AuthHeader.Token" = "/run/secrets/token" }

[connectors.sap.batch]
ZSD_SALESORDER_GETDETAIL = { keys = "IT_ORDERS.item", match = "ET_ORDERS.item.VBELN" }
ZSD_SALESORDER_GETLIST = { keys = "IT_CUSTOMERS.item", match = "ET_ORDERS.item.KUNNR" }

[connectors.sap.return_log]             # BAPIRET2: an E/A message in a 200 is an error
path = "RETURN.item"
ignore = ["V1/302"]                      # "not in the database": GETDETAIL's answer, not a failure

[[connectors.sap.faults]]               # SAP's generic fault: the RFC error class in detail
detail = "Text"
detail_regex = '^(?P<code>RFC_ERROR_LOGON\w*)'
error = "unauthenticated"

[[connectors.sap.faults]]
detail = "Text"
detail_regex = '^(?P<code>RFC_ERROR_APPLICATION\w*)'
error = "rejected"
"""


def example(server: ServedSandbox, creds: Credentials) -> dict[str, Any]:
    table: dict[str, Any] = tomllib.loads(EXAMPLE)["connectors"]["sap"]
    assert table["username"] == creds.erp_user  # the sandbox's user is SAP's usual one
    return {**table, "base_url": server.base_url, "password": creds.erp_password}


def test_the_platform_can_build_the_settings_class_without_a_table() -> None:
    assert WsdlSettings().wsdl is None  # every plugin's settings are built once with no table


async def test_the_example_table_serves_the_erp(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> None:
    settings = WsdlSettings(**example(providers_server, creds), retry=FAST_RETRY)
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    sap = WsdlConnector(settings, runtime, name="sap")
    try:
        detail = await sap.read_keys("ZSD_SALESORDER_GETDETAIL", ["0000500001", "0000500002"])
        assert all(isinstance(v, Fetched) and len(v.value) == 1 for v in detail.values())
        getdetail = "erp.ZSD_SALESORDER_GETDETAIL"
        for text, error in (
            ("RFC_ERROR_LOGON_FAILURE: user locked", UpstreamUnauthenticated),
            ("RFC_ERROR_APPLICATION_EXCEPTION: NOT_FOUND", UpstreamRejected),
        ):
            providers.erp.faults.add(
                Fault("soap_fault", match=getdetail, detail={f"{{{SAP_RT}}}Text": text}, times=1)
            )
            answer = (await sap.read_keys("ZSD_SALESORDER_GETDETAIL", ["0000500003"]))["0000500003"]
            assert type(answer) is error
            assert answer.provider_code == text.split(":")[0]
            providers.erp.faults.clear()
        assert providers.erp.recorder.count(getdetail) == 3  # neither refusal was retried
        tiers = {op.name: sap.pipeline._tier(op) for op in sap.operations}
        assert {name: t.name if t else None for name, t in tiers.items()} == {
            "ZSD_SALESORDER_GETLIST": "short",
            "ZSD_SALESORDER_GETDETAIL": "standard",  # cache_tiers overrides read_tier
            "ZSD_SALESORDER_CREATE": None,
        }
    finally:
        await sap.aclose()
        await runtime.aclose()


async def test_a_table_without_a_wsdl_is_refused_naming_the_key(
    providers_server: ServedSandbox,
) -> None:
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    with pytest.raises(ConfigError, match=r"connectors\.sap\.wsdl is not set"):
        WsdlConnector(WsdlSettings(base_url=providers_server.base_url), runtime, name="sap")
    await runtime.aclose()


def test_header_secrets_stay_out_of_the_settings_repr() -> None:
    settings = WsdlSettings(
        wsdl="x.wsdl", soap_headers={"Session": "hush-hush"}, wsse_password="also-hush"
    )
    assert "hush" not in repr(settings)
    assert "hush" not in str(settings.model_dump())
