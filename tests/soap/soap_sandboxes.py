"""Two small SOAP providers built on ``SoapProvider``, served over loopback for the SDK tests.

- ``EchoSoapSandbox`` takes any operation at any path, SOAP 1.1 or 1.2, and refuses it with a
  Client (1.2: Sender) fault naming the operation, path and content type it received: enough to
  prove a call reached the wire with the right body element at the right address, for a WSDL
  we have no provider for. ``fault_status`` (500) is the HTTP status of that fault.
- ``ViesSandbox`` answers VIES's ``checkVat`` the way the EU service does, including its habit
  of sending every fault as ``soap:Server`` with the code as the whole faultstring.
"""

from __future__ import annotations

import re
from datetime import date
from typing import ClassVar

from lxml import etree
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response

from colonnade.sandboxes import soap
from colonnade.sandboxes.soap import SoapProvider, sub

VIES_NS = "urn:ec.europa.eu:taxud:vies:services:checkVat:types"
VIES_PATH = "/taxation_customs/vies/services/checkVatService"
VALID_VAT = {("DE", "811907980"): ("Example GmbH", "Musterstrasse 1\n10115 Berlin")}


class EchoSoapSandbox(SoapProvider):
    name: ClassVar[str] = "echo"
    envelopes: ClassVar[tuple[str, ...]] = (soap.SOAP_ENV, soap.SOAP12_ENV)

    def __init__(self) -> None:
        super().__init__()
        self.fault_status = 500
        self.app = Starlette(
            routes=[self.route("/{path:path}", self.resolve_operation, self.echo, ["POST"])]
        )

    def reset(self) -> None:
        self.faults.clear()
        self.recorder.reset()
        self.fault_status = 500

    async def echo(self, request: Request) -> Response:
        error = getattr(request.state, "soap_error", None)
        if error is not None:
            return soap.fault("Client", error)
        op = etree.QName(request.state.payload).localname
        said = f"echo: {op} at {request.url.path} as {request.headers.get('content-type')}"
        if request.state.envelope == soap.SOAP12_ENV:
            return soap.fault12("Sender", said, subcode="echo", status=self.fault_status)
        return soap.fault("Client", said, status=self.fault_status)


class ViesSandbox(SoapProvider):
    name: ClassVar[str] = "vies"
    server_faultstring: ClassVar[str] = "SERVICE_UNAVAILABLE"

    def __init__(self) -> None:
        super().__init__()
        self.app = Starlette(
            routes=[self.route(VIES_PATH, self.resolve_operation, self.handle, ["POST"])]
        )

    def accepts(self, operation: etree.QName) -> bool:
        return operation.namespace == VIES_NS and operation.localname in (
            "checkVat",
            "checkVatApprox",
        )

    def reset(self) -> None:
        self.faults.clear()
        self.recorder.reset()

    async def handle(self, request: Request) -> Response:
        if getattr(request.state, "soap_error", None) is not None:
            return soap.fault("Server", "INVALID_INPUT")  # VIES: even this is soap:Server
        payload: etree._Element = request.state.payload
        country = _text(payload, "countryCode")
        number = _text(payload, "vatNumber")
        if not re.fullmatch(r"[A-Z]{2}", country) or not number:
            return soap.fault("Server", "INVALID_INPUT")
        op = etree.QName(payload).localname
        reply = etree.Element(f"{{{VIES_NS}}}{op}Response", nsmap={None: VIES_NS})
        sub(reply, f"{{{VIES_NS}}}countryCode", country)
        sub(reply, f"{{{VIES_NS}}}vatNumber", number)
        sub(reply, f"{{{VIES_NS}}}requestDate", date.today().isoformat() + "+01:00")
        known = VALID_VAT.get((country, number))
        sub(reply, f"{{{VIES_NS}}}valid", "true" if known else "false")
        if op == "checkVat":
            sub(reply, f"{{{VIES_NS}}}name", known[0] if known else "---")
            sub(reply, f"{{{VIES_NS}}}address", known[1] if known else "---")
        else:
            sub(reply, f"{{{VIES_NS}}}traderName", known[0] if known else "---")
            sub(reply, f"{{{VIES_NS}}}requestIdentifier", "WAPIAAAAW")
        return soap.xml_response(reply)


def _text(parent: etree._Element, name: str) -> str:
    found = soap.child(parent, name)
    return (found.text or "").strip() if found is not None else ""
