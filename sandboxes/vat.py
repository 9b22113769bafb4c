"""EU VIES-shaped VAT number checks: SOAP 1.1 ``checkVat`` and ``checkVatApprox`` as VIES's
WSDL declares them, faults the way VIES sends them.

The EU's WSDL is theirs (its terms forbid copying it), so it is not in this repository: an
operator saves it and points ``connectors.vat.wsdl`` at it. The sandbox describes itself with
``STANDIN_WSDL``, written here for ``checkVat`` (what the connector calls), which it hands to
the connector it serves (``connector_settings``) and serves at ``…/checkVatService?wsdl``;
``tests/connectors/test_vat_corpus.py`` holds it to the real one (same namespace, operation,
elements) and runs the connector on the real one against this sandbox.

Registrations are deterministic: a few demo traders (``DEMO``) plus every seed customer based
in DE, FR or NL (``vat_number_of``); any other well-formed number is answered ``valid=false``
— and no number whose national part starts with 9 is ever registered. Like VIES, a malformed
request is an ``INVALID_INPUT`` fault, every fault is ``soap:Server`` with the code as the
whole faultstring, and undisclosed names and addresses are ``---``.

Each check is recorded as ``vat.<operation>.<member state>`` (``vat.checkVat.DE``), so the
fault surface injects a VIES code per member state: ``Fault("soap_fault", match="vat.*.DE",
faultstring="MS_UNAVAILABLE")``, or ``sandbox.fail("MS_UNAVAILABLE", "DE")``.
"""

from __future__ import annotations

import hashlib
import re
import tempfile
import zlib
from datetime import date
from pathlib import Path
from typing import Any, ClassVar

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from colonnade.sandboxes import soap
from colonnade.sandboxes.data import Customer, SeedData
from colonnade.sandboxes.faults import Fault
from colonnade.sandboxes.soap import SoapProvider, sub

VIES_NS = "urn:ec.europa.eu:taxud:vies:services:checkVat:types"
VIES_PATH = "/taxation_customs/vies/services/checkVatService"
MEMBER_STATES = frozenset({
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE",
    "IT", "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "XI",
})  # fmt: skip
_NUMBER = re.compile(r"[0-9A-Za-z+*.]{2,12}")  # the WSDL's documented pattern
STANDIN_WSDL = f"""<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:impl="urn:ec.europa.eu:taxud:vies:services:checkVat"
    xmlns:types="{VIES_NS}"
    targetNamespace="urn:ec.europa.eu:taxud:vies:services:checkVat">
  <types>
    <xsd:schema targetNamespace="{VIES_NS}" elementFormDefault="qualified">
      <xsd:element name="checkVat">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="countryCode" type="xsd:string"/>
          <xsd:element name="vatNumber" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="checkVatResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="countryCode" type="xsd:string"/>
          <xsd:element name="vatNumber" type="xsd:string"/>
          <xsd:element name="requestDate" type="xsd:date"/>
          <xsd:element name="valid" type="xsd:boolean"/>
          <xsd:element name="name" type="xsd:string" minOccurs="0" nillable="true"/>
          <xsd:element name="address" type="xsd:string" minOccurs="0" nillable="true"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </types>
  <message name="checkVatRequest"><part name="parameters" element="types:checkVat"/></message>
  <message name="checkVatResponse">
    <part name="parameters" element="types:checkVatResponse"/>
  </message>
  <portType name="checkVatPortType">
    <operation name="checkVat">
      <input message="impl:checkVatRequest"/><output message="impl:checkVatResponse"/>
    </operation>
  </portType>
  <binding name="checkVatBinding" type="impl:checkVatPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <operation name="checkVat">
      <soap:operation soapAction=""/>
      <input><soap:body use="literal"/></input><output><soap:body use="literal"/></output>
    </operation>
  </binding>
  <service name="checkVatService">
    <port name="checkVatPort" binding="impl:checkVatBinding">
      <soap:address location="http://localhost{VIES_PATH}"/>
    </port>
  </service>
</definitions>
"""
"""The sandbox's own description of the service (checkVat only), not the EU's document."""


def standin_wsdl_path() -> Path:
    """``STANDIN_WSDL`` on disk (SOAP connectors load contracts from files), written once per
    content: every sandbox of every process shares the one file."""
    digest = hashlib.sha256(STANDIN_WSDL.encode()).hexdigest()[:16]
    path = Path(tempfile.gettempdir()) / f"colonnade-vies-standin-{digest}.wsdl"
    if not path.is_file():
        partial = path.with_suffix(f".{digest}.part")
        partial.write_text(STANDIN_WSDL)
        partial.replace(path)
    return path


DEMO: dict[str, tuple[str, str]] = {
    "DE100000001": ("Musterhandel GmbH", "Hauptstrasse 1\n10115 Berlin"),
    "FR10100000001": ("Exemple Distribution SAS", "1 Rue de la Paix\n75002 Paris"),
    "NL100000001B01": ("Voorbeeld Handel BV", "Damrak 1\n1012 LG Amsterdam"),
    "ATU10000001": ("Beispiel Handels GmbH", "Ringstrasse 1\n1010 Wien"),
    "IT10000000001": ("Esempio Commercio SRL", "Via Roma 1\n00184 Roma"),
    "EL100000001": ("", ""),  # Greece discloses neither: answered as ---
}
"""VAT number → (name, address) of traders registered whatever the seed's size."""


def vat_number_of(customer: Customer) -> str | None:
    """A seed customer's VAT number: those in DE, FR and NL are registered."""
    i = customer.index
    return {
        "DE": f"DE2{i:08d}",
        "FR": f"FR2{i % 10}{i:09d}",
        "NL": f"NL{i:09d}B01",
    }.get(customer.country)


class VatSandbox(SoapProvider):
    name: ClassVar[str] = "vat"
    server_faultstring: ClassVar[str] = "SERVICE_UNAVAILABLE"

    def __init__(self, customers: int = 200) -> None:
        super().__init__()
        self.registered: dict[str, tuple[str, str]] = dict(DEMO)
        for customer in SeedData.build(customers).customers:
            number = vat_number_of(customer)
            if number is not None:
                address = f"{customer.street}\n{customer.postal_code} {customer.city}"
                self.registered[number] = (customer.name, address)
        self.app = Starlette(
            routes=[
                self.route(VIES_PATH, self.operation, self.handle, ["POST"]),
                self.route(VIES_PATH, "vat.wsdl", self.wsdl, ["GET"]),
            ]
        )

    def connector_settings(self) -> dict[str, Any]:
        return {"wsdl": str(standin_wsdl_path())}

    async def wsdl(self, request: Request) -> Response:
        return Response(STANDIN_WSDL, media_type="text/xml")

    def fail(self, code: str, member_state: str = "*", times: int | None = None) -> Fault:
        """Answer checks for ``member_state`` with the VIES fault ``code``."""
        return self.faults.add(
            Fault("soap_fault", match=f"vat.*.{member_state}", faultstring=code, times=times)
        )

    def accepts(self, operation: etree.QName) -> bool:
        return operation.namespace == VIES_NS and operation.localname in (
            "checkVat",
            "checkVatApprox",
        )

    async def operation(self, request: Request) -> str:
        """``vat.checkVat.DE``: the member state in the name, for faults and the recorder."""
        resolved = await self.resolve_operation(request)
        payload = getattr(request.state, "payload", None)
        if payload is None:
            return resolved
        return f"{resolved}.{_text(payload, 'countryCode') or '-'}"

    # ------------------------------------------------------------------ answers
    async def handle(self, request: Request) -> Response:
        payload: etree._Element | None = getattr(request.state, "payload", None)
        if payload is None:
            return soap.fault("Server", "INVALID_INPUT")  # VIES: even a broken envelope
        country, number = _text(payload, "countryCode"), _text(payload, "vatNumber")
        if country not in MEMBER_STATES or not _NUMBER.fullmatch(number):
            return soap.fault("Server", "INVALID_INPUT")
        op = etree.QName(payload).localname
        if op == "checkVatApprox":
            requester = _text(payload, "requesterCountryCode") + _text(
                payload, "requesterVatNumber"
            )
            if requester and requester not in self.registered:
                return soap.fault("Server", "INVALID_REQUESTER_INFO")
        known = self.registered.get(f"{country}{number}")
        reply = etree.Element(f"{{{VIES_NS}}}{op}Response", nsmap={None: VIES_NS})
        sub(reply, f"{{{VIES_NS}}}countryCode", country)
        sub(reply, f"{{{VIES_NS}}}vatNumber", number)
        sub(reply, f"{{{VIES_NS}}}requestDate", date.today().isoformat() + "+01:00")
        sub(reply, f"{{{VIES_NS}}}valid", "true" if known else "false")
        name, address = (known[0] or "---", known[1] or "---") if known else ("---", "---")
        if op == "checkVat":
            sub(reply, f"{{{VIES_NS}}}name", name)
            sub(reply, f"{{{VIES_NS}}}address", address)
        else:
            sub(reply, f"{{{VIES_NS}}}traderName", name)
            sub(reply, f"{{{VIES_NS}}}traderAddress", address)
            sub(
                reply,
                f"{{{VIES_NS}}}requestIdentifier",
                f"WAPI{zlib.crc32(number.encode()) % 10**8:08d}",
            )
        return soap.xml_response(reply)

    # ------------------------------------------------------------------ fault shapes
    def status_response(self, operation: str, status: int) -> Response:
        if status == 500:  # VIES's own 500 is a bare Server fault, no SAP detail
            return soap.fault("Server", self.server_faultstring)
        return super().status_response(operation, status)

    def error_in_200_response(self, operation: str) -> Response:
        """A fault behind a proxy that answers 200."""
        return soap.fault("Server", self.server_faultstring, status=200)


def _text(parent: etree._Element, name: str) -> str:
    found = soap.child(parent, name)
    return (found.text or "").strip() if found is not None else ""
