"""VIES sends every fault as ``soap:Server`` with the code as the whole faultstring: only a
table routing on the faultstring tells a bad VAT number (the caller's) from a member state
being down (worth retrying, and not VIES's failure)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from soap_kit import soap_connector
from soap_sandboxes import ViesSandbox
from wsdl_corpus import CORPUS, needs_corpus

from colonnade.errors import (
    CircuitOpen,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.sandboxes import Fault, ServedSandbox
from colonnade.soap import SoapConnector
from colonnade.soap_faults import FaultRule

pytestmark = needs_corpus
CHECK = Operation("vies", "check_vat")
BREAKER = {"min_calls": 3, "failure_ratio": 0.5, "window_s": 30.0, "break_s": 30.0}


class Vies(SoapConnector):
    """The codes VIES documents in its WSDL, each with its meaning."""

    name = "vies"
    operations = (CHECK,)
    fault_table = (
        FaultRule(UpstreamRejected, faultstring="INVALID_INPUT"),
        FaultRule(UpstreamRejected, faultstring="INVALID_REQUESTER_INFO"),
        FaultRule(UpstreamUnavailable, faultstring="SERVICE_UNAVAILABLE"),
        # One member state's register is down: retry, but VIES itself is fine.
        FaultRule(UpstreamUnavailable, faultstring="MS_UNAVAILABLE", counts_for_breaker=False),
        FaultRule(UpstreamTimeout, faultstring="TIMEOUT", counts_for_breaker=False),
        FaultRule(UpstreamRateLimited, faultstring_regex=r"^(?P<code>\w*MAX_CONCURRENT_REQ)$"),
        FaultRule(UpstreamRateLimited, faultstring="SERVER_BUSY"),
    )

    async def check(self, country: str, number: str) -> dict[str, Any]:
        async def attempt(a: Attempt) -> dict[str, Any]:
            return await self.invoke(a, CHECK, "checkVat", countryCode=country, vatNumber=number)

        return await self.pipeline.caller.call(CHECK, attempt, idempotent=True)


@pytest.fixture(scope="module")
def served() -> Iterator[tuple[ViesSandbox, ServedSandbox]]:
    sandbox = ViesSandbox()
    with ServedSandbox(sandbox.app) as server:
        yield sandbox, server


@pytest.fixture
def vies(served: tuple[ViesSandbox, ServedSandbox]) -> ViesSandbox:
    served[0].reset()
    return served[0]


def settings(served: tuple[ViesSandbox, ServedSandbox]) -> dict[str, Any]:
    return {"base_url": served[1].base_url, "wsdl": CORPUS / "savon__vies_checkVatService.wsdl"}


async def test_an_invalid_number_is_the_caller_s_fault_though_sent_as_server(
    vies: ViesSandbox, served: tuple[ViesSandbox, ServedSandbox]
) -> None:
    async with soap_connector(Vies, **settings(served)) as c:
        with pytest.raises(UpstreamRejected) as raised:
            await c.check("germany", "811907980")  # the sandbox's own INVALID_INPUT
    assert raised.value.provider_code == "INVALID_INPUT"
    assert vies.recorder.count("vies.checkVat") == 1


async def test_without_the_table_the_same_fault_is_retried_as_a_server_fault(
    vies: ViesSandbox, served: tuple[ViesSandbox, ServedSandbox]
) -> None:
    class Untabled(Vies):
        fault_table = ()

    async with soap_connector(Untabled, **settings(served)) as c:
        with pytest.raises(UpstreamUnavailable) as raised:
            await c.check("germany", "811907980")
    assert raised.value.provider_code == "soap:Server"
    assert vies.recorder.count("vies.checkVat") == 3


@pytest.mark.parametrize(
    ("code", "error", "counted"),
    [
        ("MS_UNAVAILABLE", UpstreamUnavailable, False),
        ("TIMEOUT", UpstreamTimeout, False),
        ("SERVICE_UNAVAILABLE", UpstreamUnavailable, True),
        ("MS_MAX_CONCURRENT_REQ", UpstreamRateLimited, False),
        ("GLOBAL_MAX_CONCURRENT_REQ", UpstreamRateLimited, False),
    ],
)
async def test_a_transient_code_is_retried_then_answered(
    vies: ViesSandbox,
    served: tuple[ViesSandbox, ServedSandbox],
    code: str,
    error: type[UpstreamError],
    counted: bool,
) -> None:
    vies.faults.add(Fault("soap_fault", faultstring=code, times=2))
    async with soap_connector(Vies, **settings(served)) as c:
        answer = await c.check("DE", "811907980")
    assert answer["valid"] is True
    assert vies.recorder.count("vies.checkVat") == 3
    vies.faults.add(Fault("soap_fault", faultstring=code))
    async with soap_connector(Vies, **settings(served), retry={"max_attempts": 1}) as c:
        with pytest.raises(UpstreamError) as raised:
            await c.check("DE", "811907980")
    assert type(raised.value) is error
    assert raised.value.provider_code == code
    assert raised.value.counts_as_failure is counted


async def test_a_member_state_outage_never_opens_the_breaker_but_vies_down_does(
    vies: ViesSandbox, served: tuple[ViesSandbox, ServedSandbox]
) -> None:
    vies.faults.add(Fault("soap_fault", faultstring="MS_UNAVAILABLE"))
    async with soap_connector(
        Vies, **settings(served), breaker=BREAKER, retry={"max_attempts": 1}
    ) as c:
        for _ in range(8):
            with pytest.raises(UpstreamUnavailable):
                await c.check("DE", "811907980")
        vies.faults.clear()
        vies.faults.add(Fault("soap_fault", faultstring="SERVICE_UNAVAILABLE"))
        seen: list[type[UpstreamError]] = []
        # Not counted means "the provider answered": the 8 above are successes in the
        # breaker's window, so it takes more than 8 real failures to pass half of it.
        for _ in range(16):
            try:
                await c.check("DE", "811907980")
            except UpstreamError as err:
                seen.append(type(err))
    assert seen[0] is UpstreamUnavailable
    assert CircuitOpen in seen
