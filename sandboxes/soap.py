"""SOAP 1.1 envelopes the way SAP's SOAP runtime writes them (soap-env / n0 prefixes), and
``SoapProvider``, the base of every SOAP sandbox: its fault surface speaks SOAP."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import ClassVar

from lxml import etree
from starlette.requests import Request
from starlette.responses import Response

from colonnade.sandboxes.faults import Fault
from colonnade.sandboxes.hostile import WireFormat
from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.xmlsafe import UnsafeXML, parse_xml

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"
RFC_NS = "urn:sap-com:document:sap:rfc:functions"
SAP_RT = "http://www.sap.com/webas/710/soap/runtime/abap/fault/generic"
XML_TYPE = "text/xml; charset=utf-8"


@dataclass(frozen=True)
class Message:
    """One BAPIRET2 line."""

    type: str
    id: str
    number: str
    message: str
    v1: str = ""
    v2: str = ""
    v3: str = ""
    v4: str = ""
    parameter: str = ""
    row: int = 0
    field: str = ""


def sub(parent: etree._Element, tag: str, text: str | None = None) -> etree._Element:
    el = etree.SubElement(parent, tag)
    if text is not None:
        el.text = text
    return el


def return_table(parent: etree._Element, messages: list[Message]) -> None:
    table = sub(parent, "RETURN")
    for m in messages:
        item = sub(table, "item")
        for tag, value in (
            ("TYPE", m.type), ("ID", m.id), ("NUMBER", m.number), ("MESSAGE", m.message),
            ("MESSAGE_V1", m.v1), ("MESSAGE_V2", m.v2), ("MESSAGE_V3", m.v3),
            ("MESSAGE_V4", m.v4), ("PARAMETER", m.parameter), ("ROW", str(m.row)),
            ("FIELD", m.field), ("SYSTEM", "ERPCLNT100"),
        ):  # fmt: skip
            sub(item, tag, value)


def envelope(body_child: etree._Element) -> bytes:
    env = etree.Element(f"{{{SOAP_ENV}}}Envelope", nsmap={"soap-env": SOAP_ENV})
    sub(env, f"{{{SOAP_ENV}}}Header")
    body = sub(env, f"{{{SOAP_ENV}}}Body")
    body.append(body_child)
    return bytes(etree.tostring(env, xml_declaration=True, encoding="utf-8"))


def response_element(operation: str) -> etree._Element:
    """`<n0:OPResponse xmlns:n0="urn:sap-com:document:sap:rfc:functions">`."""
    return etree.Element(f"{{{RFC_NS}}}{operation}Response", nsmap={"n0": RFC_NS})


def xml_response(body_child: etree._Element, status: int = 200) -> Response:
    return Response(envelope(body_child), status_code=status, media_type=XML_TYPE)


def fault(
    code: str,
    string: str,
    detail: str | None = None,
    status: int = 500,
    *,
    elements: Mapping[str, str] | None = None,
) -> Response:
    """SOAP 1.1 Fault; `code` is "Client" or "Server" (prefixed soap-env:). `detail` is SAP's
    SystemFault text; `elements` (name or ``{ns}name`` → text) are written in `detail` instead."""
    el = etree.Element(f"{{{SOAP_ENV}}}Fault", nsmap={"soap-env": SOAP_ENV})
    sub(el, "faultcode", f"soap-env:{code}")
    sub(el, "faultstring", string).set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    if elements is not None:
        holder = sub(el, "detail")
        for name, text in elements.items():
            sub(holder, name, text)
    elif detail is not None:
        error = sub(sub(el, "detail"), f"{{{SAP_RT}}}SystemFault")
        sub(error, f"{{{SAP_RT}}}Text", detail)
    return xml_response(el, status=status)


soap_fault = fault  # for methods whose argument is named ``fault``


def fault12(
    code: str,
    reason: str,
    *,
    subcode: str | None = None,
    elements: Mapping[str, str] | None = None,
    status: int = 500,
) -> Response:
    """SOAP 1.2 Fault; `code` is "Sender" or "Receiver" (prefixed env:)."""
    env = etree.Element(f"{{{SOAP12_ENV}}}Envelope", nsmap={"env": SOAP12_ENV})
    el = sub(sub(env, f"{{{SOAP12_ENV}}}Body"), f"{{{SOAP12_ENV}}}Fault")
    code_el = sub(el, f"{{{SOAP12_ENV}}}Code")
    sub(code_el, f"{{{SOAP12_ENV}}}Value", f"env:{code}")
    if subcode is not None:
        sub(sub(code_el, f"{{{SOAP12_ENV}}}Subcode"), f"{{{SOAP12_ENV}}}Value", subcode)
    text = sub(sub(el, f"{{{SOAP12_ENV}}}Reason"), f"{{{SOAP12_ENV}}}Text", reason)
    text.set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    if elements is not None:
        holder = sub(el, f"{{{SOAP12_ENV}}}Detail")
        for name, value in elements.items():
            sub(holder, name, value)
    body = etree.tostring(env, xml_declaration=True, encoding="utf-8")
    return Response(body, status_code=status, media_type="application/soap+xml; charset=utf-8")


def child(el: etree._Element | None, name: str) -> etree._Element | None:
    """The first child element with this local name (any namespace)."""
    if el is None:
        return None
    return next(
        (c for c in el if isinstance(c.tag, str) and etree.QName(c).localname == name), None
    )


class SoapProvider(Provider):
    """Base of the SOAP sandboxes. Routes resolve their operation with ``resolve_operation``
    (``<name>.<body element>``, or ``<name>.invalid`` with ``request.state.soap_error``), and
    the fault surface answers in SOAP: a ``soap_fault`` fault carries its own faultcode,
    faultstring and detail elements (a provider's code where VIES or WCF put theirs), an
    injected 500 is a Server fault, any other status the HTML page a gateway would send."""

    wire_format: ClassVar[WireFormat] = "soap"
    server_faultstring: ClassVar[str] = "Internal server error"
    """The faultstring of an injected 500, and of a soap_fault that names none."""
    server_detail: ClassVar[str | None] = None
    """SAP-style ``SystemFault`` text of a soap_fault that names no detail; None: no detail."""
    envelopes: ClassVar[tuple[str, ...]] = (SOAP_ENV,)
    """Envelope namespaces accepted (add ``SOAP12_ENV`` for a SOAP 1.2 service); the one a
    request used is ``request.state.envelope``."""

    def accepts(self, operation: etree.QName) -> bool:
        """Whether the body element names an operation of this service."""
        return True

    async def resolve_operation(self, request: Request) -> str:
        """Parse the envelope once; the operation name is the body element's local name."""
        invalid = f"{self.name}.invalid"
        try:
            root = parse_xml(await request.body())
        except UnsafeXML:
            request.state.soap_error = "DTD is not allowed in SOAP messages"
            return invalid
        except etree.XMLSyntaxError as exc:
            request.state.soap_error = f"XML parse error: {exc}"
            return invalid
        request.state.envelope = etree.QName(root).namespace
        body = child(root, "Body") if request.state.envelope in self.envelopes else None
        payload = (
            next((c for c in body if isinstance(c.tag, str)), None) if body is not None else None
        )
        if payload is None:
            request.state.soap_error = "SOAP envelope without body element"
            return invalid
        qname = etree.QName(payload)
        if not self.accepts(qname):
            request.state.soap_error = f"Unknown operation {qname.localname}"
            return invalid
        request.state.payload = payload
        return f"{self.name}.{qname.localname}"

    def status_response(self, operation: str, status: int) -> Response:
        if status == 500:
            return fault("Server", self.server_faultstring, "Sandbox injected HTTP 500")
        page = (
            f"<html><head><title>{status} Service cannot be reached</title></head><body>"
            f"<h2>{status} Service cannot be reached</h2><p>Sandbox injected HTTP {status}</p>"
            "</body></html>"
        )
        return Response(page, status_code=status, media_type="text/html")

    def soap_fault_response(self, operation: str, fault: Fault | None = None) -> Response:
        code = fault.faultcode if fault is not None else "Server"
        given = fault.faultstring if fault is not None else None
        string = self.server_faultstring if given is None else given
        if fault is not None and fault.detail is not None:
            return soap_fault(code, string, elements=fault.detail)
        return soap_fault(code, string, self.server_detail)

    def malformed_response(self, operation: str) -> Response:
        body = f'<soap-env:Envelope xmlns:soap-env="{SOAP_ENV}"><soap-env:Body><broken'
        return Response(body, media_type=XML_TYPE)
