"""The ERP connector on the SOAP SDK: SAP's generic fault read through its fault table, and
its new settings class (``ErpSettings(SoapSettings)``) accepted beside the old one."""

from __future__ import annotations

import pytest
from soap_kit import FAST_RETRY
from support import Credentials

from colonnade.config import Settings
from colonnade.connectors.erp.connector import ErpConnector
from colonnade.connectors.erp.settings import ErpSettings
from colonnade.errors import (
    ConfigError,
    UpstreamError,
    UpstreamRejected,
    UpstreamUnauthenticated,
    UpstreamUnavailable,
)
from colonnade.pipeline.core import Fetched
from colonnade.runtime import Runtime
from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox
from colonnade.sandboxes.soap import SAP_RT
from colonnade.state import MemoryBackend

GETDETAIL = "erp.ZSD_SALESORDER_GETDETAIL"
ORDER = "0000500002"


@pytest.fixture
async def erp(providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials):
    settings = ErpSettings(
        base_url=f"{providers_server.base_url}/erp",
        username=creds.erp_user,
        password=creds.erp_password,
        retry=FAST_RETRY,
    )
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    connector = ErpConnector(settings, runtime)
    yield connector
    await connector.aclose()
    await runtime.aclose()


async def test_reads_with_the_new_settings_class(erp: ErpConnector) -> None:
    answer = (await erp.orders_by_number([ORDER]))[ORDER]
    assert isinstance(answer, Fetched)
    assert answer.value is not None
    assert answer.value.number == ORDER


@pytest.mark.parametrize(
    ("text", "error", "calls"),
    [
        ("RFC_ERROR_LOGON_FAILURE: user locked", UpstreamUnauthenticated, 1),
        ("RFC_ERROR_APPLICATION_EXCEPTION: NOT_FOUND", UpstreamRejected, 1),
        ("RFC_ERROR_COMMUNICATION_FAILURE: gateway", UpstreamUnavailable, 3),
    ],
)
async def test_sap_s_rfc_error_class_in_detail_decides(
    erp: ErpConnector,
    providers: SandboxSet,
    text: str,
    error: type[UpstreamError],
    calls: int,
) -> None:
    providers.erp.faults.add(
        Fault("soap_fault", match=GETDETAIL, detail={f"{{{SAP_RT}}}Text": text})
    )
    answer = (await erp.orders_by_number([ORDER]))[ORDER]
    assert type(answer) is error
    assert answer.provider_code == text.split(":")[0]
    assert providers.erp.recorder.count(GETDETAIL) == calls


async def test_the_sandbox_s_own_fault_is_a_system_failure_retried(
    erp: ErpConnector, providers: SandboxSet
) -> None:
    providers.erp.faults.add(Fault("soap_fault", match=GETDETAIL, times=1))
    answer = (await erp.orders_by_number([ORDER]))[ORDER]
    assert isinstance(answer, Fetched)
    assert providers.erp.recorder.count(GETDETAIL) == 2
    providers.erp.faults.add(Fault("soap_fault", match=GETDETAIL))
    failed = (await erp.orders_by_number(["0000500003"]))["0000500003"]
    assert isinstance(failed, UpstreamUnavailable)
    assert failed.provider_code == "RFC_ERROR_SYSTEM_FAILURE"


def test_a_missing_user_is_refused_at_start(providers_server: ServedSandbox) -> None:
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    with pytest.raises(ConfigError, match=r"connectors\.erp\.username"):
        ErpConnector(ErpSettings(base_url=providers_server.base_url), runtime)
