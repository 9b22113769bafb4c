"""SOAP 1.1 envelopes the way SAP's SOAP runtime writes them (soap-env / n0 prefixes)."""

from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from starlette.responses import Response

SOAP_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
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


def fault(code: str, string: str, detail: str | None = None, status: int = 500) -> Response:
    """SOAP 1.1 Fault; `code` is "Client" or "Server" (prefixed soap-env:)."""
    el = etree.Element(f"{{{SOAP_ENV}}}Fault", nsmap={"soap-env": SOAP_ENV})
    sub(el, "faultcode", f"soap-env:{code}")
    sub(el, "faultstring", string).set("{http://www.w3.org/XML/1998/namespace}lang", "en")
    if detail is not None:
        error = sub(sub(el, "detail"), f"{{{SAP_RT}}}SystemFault")
        sub(error, f"{{{SAP_RT}}}Text", detail)
    return xml_response(el, status=status)
