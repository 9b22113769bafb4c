"""Every port and binding of a WSDL is reachable, not only zeep's default one: PayPal's two
bindings (25 + 32 operations) and VIES over loopback HTTP, then the whole corpus offline."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import zeep.xsd
from soap_kit import soap_connector
from soap_sandboxes import VIES_PATH, EchoSoapSandbox, ViesSandbox
from wsdl_corpus import CORPUS, entries, entry, needs_corpus

from colonnade.errors import ConfigError, UpstreamRejected
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.sandboxes import ServedSandbox
from colonnade.soap import SoapConnector, load_wsdl
from colonnade.soap_ports import SoapPort, binding_port, wsdl_ports

pytestmark = needs_corpus
CALL = Operation("corpus", "call")
PAYPAL = "wsdltophp__paypal_PayPalSvc/PayPalSvc.wsdl"
VIES = CORPUS / "savon__vies_checkVatService.wsdl"


class Corpus(SoapConnector):
    name = "corpus"
    operations = (CALL,)


def skip_args(port: SoapPort, operation: str) -> dict[str, Any]:
    """Every top-level part of the input skipped: a minimal body, still the right element."""
    body = port.binding.get(operation).input.body
    elements = body.type.elements if body is not None and hasattr(body.type, "elements") else []
    return {name: zeep.xsd.SkipValue for name, _ in elements}


@pytest.fixture(scope="module")
def echo() -> Iterator[tuple[EchoSoapSandbox, ServedSandbox]]:
    sandbox = EchoSoapSandbox()
    with ServedSandbox(sandbox.app) as server:
        yield sandbox, server


def zeep_default_operations(wsdl: Path, url_map: dict[str, Path]) -> set[str]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        client = load_wsdl(wsdl, url_map)
    try:
        return set(client.service._binding.all()) if client.wsdl.services else set()
    except TypeError:  # zeep's default cannot bind a port without soap:address at all
        return set()


async def test_paypal_every_operation_of_both_bindings_reaches_the_wire(
    echo: tuple[EchoSoapSandbox, ServedSandbox],
) -> None:
    sandbox, server = echo
    sandbox.reset()
    wsdl, url_map = entry(PAYPAL)
    bound = {o for b in load_wsdl(wsdl).wsdl.bindings.values() for o in b.all()}
    assert len(bound) == 57
    assert len(zeep_default_operations(wsdl, url_map)) == 25  # before: 32 out of reach
    paths = {"PayPalAPIAA": "/aa/2.0/"}  # the AA port lives on another host at PayPal
    async with soap_connector(Corpus, base_url=server.base_url, wsdl=wsdl, port_paths=paths) as c:
        reachable = c.reachable_operations()
        assert {o for _, o in reachable} == bound
        assert len(reachable) == 57
        for port_name, operation in sorted(reachable):
            port = c.ports[port_name]
            with pytest.raises(UpstreamRejected) as echoed:  # the echo's soap:Client answer
                await c.invoke_on(port, Attempt(1), CALL, operation, **skip_args(port, operation))
            assert f"echo: {operation}Req at {port.path}" in echoed.value.message
        # ``invoke`` finds the one port binding an operation the default port lacks.
        args = skip_args(c.port_for("DoCapture"), "DoCapture")
        with pytest.raises(UpstreamRejected, match=r"at /aa/2\.0/"):
            await c.invoke(Attempt(1), CALL, "DoCapture", **args)
    calls = sandbox.recorder.calls("echo.*")
    assert len({c.operation for c in calls}) == 57
    assert {c.path for c in calls} == {"/2.0/", "/aa/2.0/"}


async def test_ports_are_chosen_by_name_and_unknown_ones_refused(
    echo: tuple[EchoSoapSandbox, ServedSandbox],
) -> None:
    _, server = echo
    wsdl, _ = entry(PAYPAL)
    async with soap_connector(
        Corpus, base_url=server.base_url, wsdl=wsdl, service="PayPalAPIInterfaceService",
        port="PayPalAPIAA",
    ) as c:  # fmt: skip
        assert c.default_port.name == "PayPalAPIInterfaceService/PayPalAPIAA"
        assert len(c.default_port.operations) == 32
        assert c.port(port="PayPalAPI").name == "PayPalAPIInterfaceService/PayPalAPI"
        with pytest.raises(ConfigError, match="PayPalAPIInterfaceService/PayPalAPI"):
            c.port(port="NoSuchPort")
        with pytest.raises(ConfigError, match="not bound on any port"):
            c.port_for("NoSuchOperation")
    with pytest.raises(ConfigError, match="port_paths names 'Nope'"):
        async with soap_connector(
            Corpus, base_url=server.base_url, wsdl=wsdl, port_paths={"Nope": "/x"}
        ):
            pass


async def test_a_binding_spoken_at_an_address_of_our_choosing(
    echo: tuple[EchoSoapSandbox, ServedSandbox],
) -> None:
    sandbox, server = echo
    sandbox.reset()
    wsdl, _ = entry(PAYPAL)
    async with soap_connector(
        Corpus, base_url=server.base_url, wsdl=wsdl, binding="PayPalAPIAASoapBinding",
        service_path="/elsewhere",
    ) as c:  # fmt: skip
        assert c.default_port.name == "binding:{urn:ebay:api:PayPalAPI}PayPalAPIAASoapBinding"
        port = c.default_port
        with pytest.raises(UpstreamRejected, match="at /elsewhere"):
            await c.invoke(Attempt(1), CALL, "DoCapture", **skip_args(port, "DoCapture"))
        other = c.bind("{urn:ebay:api:PayPalAPI}PayPalAPISoapBinding", "/third")
        with pytest.raises(UpstreamRejected, match="at /third"):
            await c.invoke_on(
                other, Attempt(1), CALL, "RefundTransaction",
                **skip_args(other, "RefundTransaction"),
            )  # fmt: skip
        with pytest.raises(ConfigError, match="not in the WSDL"):
            c.bind("NoSuchBinding", "/x")


@pytest.fixture(scope="module")
def vies() -> Iterator[tuple[ViesSandbox, ServedSandbox]]:
    sandbox = ViesSandbox()
    with ServedSandbox(sandbox.app) as server:
        yield sandbox, server


async def test_vies_both_operations_round_trip(vies: tuple[ViesSandbox, ServedSandbox]) -> None:
    sandbox, server = vies
    sandbox.reset()
    assert zeep_default_operations(VIES, {}) == {"checkVat", "checkVatApprox"}
    async with soap_connector(Corpus, base_url=server.base_url, wsdl=VIES) as c:
        assert c.default_port.path == VIES_PATH  # the soap:address path, under base_url
        assert len(c.reachable_operations()) == 2
        checked = await c.invoke(
            Attempt(1), CALL, "checkVat", countryCode="DE", vatNumber="811907980"
        )
        approx = await c.invoke(
            Attempt(1), CALL, "checkVatApprox", countryCode="DE", vatNumber="811907980"
        )
    assert checked["valid"] is True
    assert checked["name"] == "Example GmbH"
    assert approx["traderName"] == "Example GmbH"
    assert sandbox.recorder.count("vies.checkVat") == 1
    assert sandbox.recorder.count("vies.checkVatApprox") == 1


def test_every_corpus_port_binds_every_operation_it_declares() -> None:
    """Offline, the whole corpus: every operation a service's SOAP port binds is one the
    connector can address (``wsdl_ports``, what ``SoapConnector.ports`` is built from)."""
    totals = {"reachable": 0, "default": 0}
    for wsdl, url_map in entries():
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                client = load_wsdl(wsdl, url_map)
        except ConfigError:
            continue  # test_wsdl_corpus says which cannot load and why
        ports = wsdl_ports(client, {})
        declared = {
            (f"{s}/{p}", o)
            for s, service in client.wsdl.services.items()
            for p, port in service.ports.items()
            if type(port.binding).__name__.startswith("Soap")
            for o in port.binding.all()
        }
        reachable = {(p.name, o) for p in ports.values() for o in p.operations}
        assert reachable == declared, wsdl
        for name, operation in reachable:
            assert ports[name].binding.get(operation).name == operation
        # A binding no service declares (portaplusapi, NumberManagement) is spoken at a path.
        by_binding = {
            o
            for qname, binding in client.wsdl.bindings.items()
            if type(binding).__name__.startswith("Soap")
            for o in binding_port(client, qname, "/").operations
        }
        assert {o for _, o in reachable} <= by_binding
        default = len(zeep_default_operations(wsdl, url_map))
        print(
            f"{wsdl.relative_to(CORPUS)}: {len(reachable)} (port, operation) reachable, "
            f"{len(by_binding)} operations by binding, zeep default {default}"
        )
        totals["reachable"] += len(reachable)
        totals["default"] += default
    print(totals)
    assert totals["reachable"] > totals["default"]


async def test_a_soap12_port_speaks_soap12_and_its_faults_are_read(
    echo: tuple[EchoSoapSandbox, ServedSandbox],
) -> None:
    """Interhome declares each operation on a SOAP 1.1 and a SOAP 1.2 port."""
    sandbox, server = echo
    sandbox.reset()
    wsdl = CORPUS / "savon3__interhome.wsdl"
    async with soap_connector(Corpus, base_url=server.base_url, wsdl=wsdl) as c:
        ports = {p.soap12: p for p in c.ports.values()}
        assert set(ports) == {False, True}
        operation = sorted(ports[True].operations & ports[False].operations)[0]
        for soap12, port in ports.items():
            with pytest.raises(UpstreamRejected) as refused:
                await c.invoke_on(port, Attempt(1), CALL, operation, **skip_args(port, operation))
            assert refused.value.provider_code == ("soap:Sender" if soap12 else "soap:Client")
            assert refused.value.retryable is False
            said = refused.value.message
            assert ("application/soap+xml" in said and "action=" in said) is soap12
            assert ("text/xml" in said) is not soap12


async def test_a_fault_inside_a_200_is_classified_like_any_other(
    echo: tuple[EchoSoapSandbox, ServedSandbox],
) -> None:
    sandbox, server = echo
    sandbox.reset()
    sandbox.fault_status = 200
    wsdl, _ = entry(PAYPAL)
    async with soap_connector(Corpus, base_url=server.base_url, wsdl=wsdl) as c:
        port = c.port_for("RefundTransaction")
        with pytest.raises(UpstreamRejected) as refused:
            await c.invoke(
                Attempt(1), CALL, "RefundTransaction", **skip_args(port, "RefundTransaction")
            )
    assert refused.value.status == 200
    assert refused.value.provider_code == "soap:Client"
    assert sandbox.recorder.count("echo.RefundTransactionReq") == 1
