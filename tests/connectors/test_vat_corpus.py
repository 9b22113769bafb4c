"""The real VIES WSDL (from the corpus, never copied into the repo) against our sandbox: the
sandbox's stand-in WSDL describes the same service, the connector runs on the real one, and
every reply validates against its schema (skipped without ../shared/corpus)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import xmlschema
from lxml import etree

from colonnade.connectors.vat import PLUGIN
from colonnade.sandboxes import ServedSandbox
from colonnade.sandboxes.soap import SOAP_ENV
from colonnade.sandboxes.vat import VIES_NS, VIES_PATH, VatSandbox, standin_wsdl_path
from colonnade.soap import load_wsdl
from colonnade.testing import Harness, one

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wsdl"
REAL = CORPUS / "savon__vies_checkVatService.wsdl"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not REAL.is_file(), reason="../shared/corpus is not beside this clone"),
]
XSD = "http://www.w3.org/2001/XMLSchema"
REQUESTS = {
    "checkVat": "<countryCode>{c}</countryCode><vatNumber>{n}</vatNumber>",
    "checkVatApprox": "<countryCode>{c}</countryCode><vatNumber>{n}</vatNumber>"
    "<traderName>x</traderName><requesterCountryCode>DE</requesterCountryCode>"
    "<requesterVatNumber>100000001</requesterVatNumber>",
}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    """The types the real WSDL declares (its ``wsdl:types`` schema, imports none)."""
    [types] = etree.parse(str(REAL)).getroot().iter(f"{{{XSD}}}schema")
    return xmlschema.XMLSchema(etree.tostring(types).decode())


@pytest.fixture(scope="module")
def vies() -> Iterator[str]:
    with ServedSandbox(VatSandbox(20).app) as server:
        yield server.base_url


def call(base: str, operation: str, country: str, number: str) -> httpx.Response:
    body = REQUESTS[operation].format(c=country, n=number)
    envelope = (
        f'<s:Envelope xmlns:s="{SOAP_ENV}"><s:Body><v:{operation} xmlns:v="{VIES_NS}">'
        f"{body.replace('<', '<v:').replace('<v:/', '</v:')}</v:{operation}></s:Body></s:Envelope>"
    )
    return httpx.post(base + VIES_PATH, content=envelope, headers={"SOAPAction": '""'})


def _check_vat(wsdl: Path) -> dict[str, object]:
    """What a client sees of ``checkVat``: element names, namespace, style, action."""
    client = load_wsdl(wsdl)
    [service] = client.wsdl.services.values()
    [port] = service.ports.values()
    operation = port.binding._operations["checkVat"]
    return {
        "input": operation.input.body.qname,
        "input_fields": [name for name, _ in operation.input.body.type.elements],
        "output": operation.output.body.qname,
        "output_fields": [name for name, _ in operation.output.body.type.elements],
        "style": operation.style,
        "action": operation.soapaction,
        "path": httpx.URL(port.binding_options["address"]).path,
    }


def test_the_sandbox_s_stand_in_wsdl_describes_the_real_service() -> None:
    assert _check_vat(standin_wsdl_path()) == _check_vat(REAL)


async def test_the_connector_on_the_real_wsdl_checks_at_the_sandbox() -> None:
    async with Harness(PLUGIN, settings={"wsdl": str(REAL)}) as vat:
        registration = one(await vat.connector.registrations(["DE100000001"]))
    assert registration.valid
    assert registration.name == "Musterhandel GmbH"
    assert vat.sandbox.recorder.count("vat.checkVat.DE") == 1


@pytest.mark.parametrize("operation", sorted(REQUESTS))
@pytest.mark.parametrize(
    ("country", "number"), [("DE", "100000001"), ("DE", "999999999"), ("EL", "100000001")]
)
def test_every_reply_validates_against_the_wsdl(
    schema: xmlschema.XMLSchema, vies: str, operation: str, country: str, number: str
) -> None:
    response = call(vies, operation, country, number)
    assert response.status_code == 200
    [reply] = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body")
    assert etree.QName(reply).localname == f"{operation}Response"
    schema.validate(reply)  # raises, naming the element, on any departure


@pytest.mark.parametrize(
    ("country", "number", "faultstring"),
    [("XX", "100000001", "INVALID_INPUT"), ("DE", "", "INVALID_INPUT")],
)
def test_a_refusal_is_a_server_fault_with_the_code_as_faultstring(
    vies: str, country: str, number: str, faultstring: str
) -> None:
    response = call(vies, "checkVat", country, number)
    assert response.status_code == 500
    fault = etree.fromstring(response.content).find(f"{{{SOAP_ENV}}}Body/{{{SOAP_ENV}}}Fault")
    assert fault is not None
    assert (fault.findtext("faultcode"), fault.findtext("faultstring")) == (
        "soap-env:Server",
        faultstring,
    )
