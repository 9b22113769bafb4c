"""The fault table against the ERP sandbox over loopback HTTP: every route (faultcode, a code
in the faultstring, a code in detail), retried or not (counted at the sandbox), and whether
the breaker counts it."""

from __future__ import annotations

from typing import Any

import pytest
from soap_kit import soap_connector
from support import Credentials

from colonnade.errors import (
    CircuitOpen,
    ErrorCode,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox
from colonnade.sandboxes.erp import SERVICE_PATH, WSDL_PATH
from colonnade.soap import SoapConnector
from colonnade.soap_faults import FaultRule, SoapFault

LIST = Operation("tabled", "orders")
SANDBOX_OP = "erp.ZSD_SALESORDER_GETLIST"
DETAIL_NS = "urn:example:faults"


class TabledErp(SoapConnector):
    """The ERP's WSDL with a provider's worth of odd faults declared."""

    name = "tabled"
    operations = (LIST,)
    fault_table = (
        FaultRule(UpstreamRejected, faultstring="INVALID_INPUT"),
        FaultRule(
            ErrorCode.UPSTREAM_UNAVAILABLE,
            faultstring_regex=r"^(?P<code>MS_[A-Z_]+)$",
            counts_for_breaker=False,  # one member state down: not this provider failing
        ),
        FaultRule(UpstreamRateLimited, detail="errorCode", detail_code="BUSY"),
        FaultRule(
            UpstreamRejected,
            detail="e:problem/e:code",
            namespaces={"e": DETAIL_NS},
            detail_code="E_AUTH",
        ),
        FaultRule(UpstreamTimeout, faultcode="Server.Timeout"),
        FaultRule(UpstreamUnavailable, faultcode="Client.Transient", retryable=True),
    )

    async def orders(self) -> dict[str, Any]:
        async def attempt(a: Attempt) -> dict[str, Any]:
            items = {"item": ["0000100001"]}
            return await self.invoke(a, LIST, "ZSD_SALESORDER_GETLIST", IT_CUSTOMERS=items)

        return await self.pipeline.caller.call(LIST, attempt, idempotent=True)


@pytest.fixture
def erp_settings(providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials):
    return {
        "base_url": f"{providers_server.base_url}/erp",
        "wsdl": WSDL_PATH,
        "service_path": SERVICE_PATH,
        "username": creds.erp_user,
        "password": creds.erp_password,
    }


ROUTES = [
    # (injected fault, error, provider_code, retryable, counted, calls the sandbox sees)
    pytest.param(
        {"faultstring": "INVALID_INPUT"}, UpstreamRejected, "INVALID_INPUT", False, False, 1,
        id="faultstring-exact-overrides-soap-server",
    ),
    pytest.param(
        {"faultstring": "MS_UNAVAILABLE"}, UpstreamUnavailable, "MS_UNAVAILABLE", True, False, 3,
        id="faultstring-regex",
    ),
    pytest.param(
        {"detail": {"errorCode": "BUSY"}}, UpstreamRateLimited, "BUSY", True, False, 3,
        id="detail-element-name",
    ),
    pytest.param(
        {"faultcode": "Client", "detail": {f"{{{DETAIL_NS}}}problem": "", }},
        UpstreamRejected, "soap:Client", False, False, 1,
        id="detail-xpath-no-code-falls-through-to-client-default",
    ),
    pytest.param(
        {"faultcode": "Server.Timeout"}, UpstreamTimeout, "soap:Server.Timeout", True, True, 3,
        id="faultcode-subcode",
    ),
    pytest.param(
        {"faultcode": "Client.Transient"}, UpstreamUnavailable, "soap:Client.Transient",
        True, True, 3,
        id="faultcode-a-retryable-client-fault",
    ),
    pytest.param(
        {"faultcode": "Client", "faultstring": "bad"}, UpstreamRejected, "soap:Client",
        False, False, 1,
        id="default-client",
    ),
    pytest.param(
        {"faultstring": "something broke"}, UpstreamUnavailable, "soap:Server", True, True, 3,
        id="default-server",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("fault", "error", "code", "retryable", "counted", "calls"), ROUTES)
async def test_each_route_decides_the_error_the_retry_and_the_breaker(
    providers: SandboxSet,
    erp_settings: dict[str, Any],
    fault: dict[str, Any],
    error: type[UpstreamError],
    code: str,
    retryable: bool,
    counted: bool,
    calls: int,
) -> None:
    providers.erp.faults.add(Fault("soap_fault", match=SANDBOX_OP, **fault))
    async with soap_connector(TabledErp, **erp_settings) as erp:
        with pytest.raises(UpstreamError) as raised:
            await erp.orders()
    assert type(raised.value) is error
    assert raised.value.provider_code == code
    assert raised.value.retryable is retryable
    assert raised.value.counts_as_failure is counted
    assert raised.value.status == 500
    assert providers.erp.recorder.count(SANDBOX_OP) == calls


async def test_a_namespaced_detail_code_found_by_xpath(
    providers: SandboxSet, erp_settings: dict[str, Any]
) -> None:
    """``<detail><e:problem><e:code>E_AUTH</e:code></e:problem></detail>``: SAP/WCF style."""
    providers.erp.faults.add(
        Fault("soap_fault", match=SANDBOX_OP, detail={f"{{{DETAIL_NS}}}problem": "E_AUTH"})
    )
    # The sandbox writes one level; the rule's XPath wants problem/code: no match, default.
    async with soap_connector(TabledErp, **erp_settings) as erp:
        with pytest.raises(UpstreamUnavailable):
            await erp.orders()
    providers.reset()
    providers.erp.password = erp_settings["password"]

    class Nested(TabledErp):
        fault_table = (
            FaultRule(
                UpstreamRejected,
                detail="string(e:problem)",
                namespaces={"e": DETAIL_NS},
                detail_code="E_AUTH",
            ),
        )

    providers.erp.faults.add(
        Fault("soap_fault", match=SANDBOX_OP, detail={f"{{{DETAIL_NS}}}problem": "E_AUTH"})
    )
    async with soap_connector(Nested, **erp_settings) as erp:
        with pytest.raises(UpstreamRejected) as raised:
            await erp.orders()
    assert raised.value.provider_code == "E_AUTH"
    assert providers.erp.recorder.count(SANDBOX_OP) == 1


async def test_first_match_wins(providers: SandboxSet, erp_settings: dict[str, Any]) -> None:
    class Ordered(TabledErp):
        fault_table = (
            FaultRule(UpstreamTimeout, faultstring="INVALID_INPUT", retryable=False),
            *TabledErp.fault_table,
        )

    providers.erp.faults.add(Fault("soap_fault", match=SANDBOX_OP, faultstring="INVALID_INPUT"))
    async with soap_connector(Ordered, **erp_settings) as erp:
        with pytest.raises(UpstreamTimeout):
            await erp.orders()
    assert providers.erp.recorder.count(SANDBOX_OP) == 1


BREAKER = {"min_calls": 3, "failure_ratio": 0.5, "window_s": 30.0, "break_s": 30.0}


async def test_a_fault_the_table_does_not_count_never_opens_the_breaker(
    providers: SandboxSet, erp_settings: dict[str, Any]
) -> None:
    providers.erp.faults.add(Fault("soap_fault", match=SANDBOX_OP, faultstring="MS_UNAVAILABLE"))
    async with soap_connector(
        TabledErp, **erp_settings, breaker=BREAKER, retry={"max_attempts": 1}
    ) as erp:
        for _ in range(10):
            with pytest.raises(UpstreamUnavailable):
                await erp.orders()
    assert providers.erp.recorder.count(SANDBOX_OP) == 10  # every call reached the provider


async def test_the_same_fault_counted_opens_the_breaker(
    providers: SandboxSet, erp_settings: dict[str, Any]
) -> None:
    """The contrast: what makes the previous test pass is the table's flag, not luck."""
    providers.erp.faults.add(Fault("soap_fault", match=SANDBOX_OP, faultstring="MS_UNAVAILABLE"))

    class Counted(TabledErp):
        fault_table = (FaultRule(UpstreamUnavailable, faultstring="MS_UNAVAILABLE"),)

    async with soap_connector(
        Counted, **erp_settings, breaker=BREAKER, retry={"max_attempts": 1}
    ) as erp:
        outcomes = []
        for _ in range(10):
            try:
                await erp.orders()
            except UpstreamError as err:
                outcomes.append(type(err))
    assert CircuitOpen in outcomes
    assert providers.erp.recorder.count(SANDBOX_OP) < 10


async def test_a_write_is_not_retried_after_a_retryable_fault(
    providers: SandboxSet, erp_settings: dict[str, Any]
) -> None:
    """Retryable says "worth another try"; an unkeyed write that reached the provider still
    is not sent twice (the pipeline's rule, unchanged by the table)."""
    providers.erp.faults.add(Fault("soap_fault", match=SANDBOX_OP, faultstring="MS_UNAVAILABLE"))
    async with soap_connector(TabledErp, **erp_settings) as erp:

        async def attempt(a: Attempt) -> dict[str, Any]:
            items = {"item": ["0000100001"]}
            return await erp.invoke(a, LIST, "ZSD_SALESORDER_GETLIST", IT_CUSTOMERS=items)

        with pytest.raises(UpstreamUnavailable) as raised:
            await erp.pipeline.caller.call(LIST, attempt, idempotent=False)
    assert raised.value.retryable
    assert providers.erp.recorder.count(SANDBOX_OP) == 1


async def test_a_hook_classifies_what_no_table_describes(
    providers: SandboxSet, erp_settings: dict[str, Any]
) -> None:
    """A provider that writes an HTTP-like status into its faultstring ("status=429; ...")."""

    class Odd(TabledErp):
        def classify_fault(self, fault: SoapFault) -> tuple[FaultRule, str]:
            status, _, _ = fault.faultstring.partition(";")
            if status == "status=429":
                return FaultRule(UpstreamRateLimited), "429"
            return super().classify_fault(fault)

    providers.erp.faults.add(
        Fault("soap_fault", match=SANDBOX_OP, faultstring="status=429; slow down", times=1)
    )
    async with soap_connector(Odd, **erp_settings) as erp:
        assert await erp.orders()  # retried once, then answered
        providers.erp.faults.add(
            Fault("soap_fault", match=SANDBOX_OP, faultstring="status=429; slow down")
        )
        with pytest.raises(UpstreamRateLimited) as raised:
            await erp.orders()
    assert raised.value.provider_code == "429"
    assert raised.value.counts_as_failure is False
    assert providers.erp.recorder.count(SANDBOX_OP) == 2 + 3
