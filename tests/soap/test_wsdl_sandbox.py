"""``WsdlSandbox``: a provider generated from a WSDL, over real HTTP on loopback. A client sends
what zeep makes of its contract and reads the reply with zeep: values survive exactly (leading
zeros, [] for an empty table, [x] for one row), canned replies send exact values, declared
faults come back with their typed detail, and a request that does not fit the contract is
refused with a Client (SOAP 1.2: Sender) fault that says what is wrong."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from functools import cache
from typing import Any

import httpx
import pytest
from lxml import etree
from wsdl_corpus import entry, needs_corpus

from colonnade.config import contracts_dir
from colonnade.sandboxes.faults import Fault
from colonnade.sandboxes.server import ServedSandbox
from colonnade.sandboxes.wsdl import SoapRequest, WsdlSandbox
from colonnade.soap_faults import find_fault
from colonnade.soap_ports import address_path
from colonnade.wsdl_import import ImportReport, import_wsdl
from colonnade.wsdl_import.roundtrip import reply_body
from colonnade.wsdl_import.sample import sample_input
from colonnade.wsdl_import.values import to_graphql, to_zeep

ERP_WSDL = contracts_dir() / "erp" / "zsd_salesorder.wsdl"
ERP_PATH = "/erp/sap/bc/srt/rfc/sap/zsd_salesorder/100/zsd_salesorder/zsd_salesorder"
GETLIST = "ZSD_SALESORDER_GETLIST"
EPM = "sap-tutorials__EPM_Product_SOAP.wsdl"
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12 = "http://www.w3.org/2003/05/soap-envelope"
RFC = "urn:sap-com:document:sap:rfc:functions"


@cache
def erp() -> ImportReport:
    report = import_wsdl(ERP_WSDL)
    assert report.ok, report.text()
    return report


@cache
def corpus(relative: str) -> ImportReport:
    report = import_wsdl(*entry(relative))
    assert report.ok, report.text()
    return report


@contextmanager
def served(sandbox: WsdlSandbox) -> Iterator[tuple[str, httpx.Client]]:
    with ServedSandbox(sandbox.app) as server, httpx.Client(timeout=10) as http:
        yield server.base_url, http


def port_of(report: ImportReport, port: str | None) -> Any:
    for service in report.client.wsdl.services.values():
        for name, found in service.ports.items():
            if port is None or name == port:
                return service.name, found
    raise AssertionError(port)


def call(
    report: ImportReport,
    base: str,
    http: httpx.Client,
    operation: str,
    *,
    port: str | None = None,
    **kwargs: Any,
) -> httpx.Response:
    """POST zeep's request for ``operation`` (no kwargs: its sample input) to the port's
    soap:address path."""
    service, found = port_of(report, port)
    if not kwargs:
        assert report.model is not None
        model = report.model
        op = next(o for o in model.operations if o.name == operation)
        kwargs = to_zeep(
            sample_input(op.args, model.objects, model.enums), op.args, model.objects, model.enums
        )
    proxy = report.client.bind(service, found.name)
    envelope = report.client.create_message(proxy, operation, **kwargs)
    action = found.binding.get(operation).soapaction or ""
    if found.binding.__class__.__name__ == "Soap12Binding":
        headers = {"Content-Type": f'application/soap+xml; charset=utf-8; action="{action}"'}
    else:
        headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{action}"'}
    path = address_path(found.binding_options["address"])
    return http.post(base + path, content=etree.tostring(envelope), headers=headers)


def graph(
    report: ImportReport, operation: str, response: httpx.Response, port: str | None = None
) -> Any:
    """The reply as the generated GraphQL types carry it (zeep, then ``to_graphql``)."""
    assert response.status_code == 200, response.text
    _, found = port_of(report, port)
    value = reply_body(found.binding.get(operation), response.content)
    assert report.model is not None
    op = next(o for o in report.model.operations if o.name == operation)
    assert op.output is not None
    return to_graphql(value, op.output, report.model.objects, report.model.enums)


def raw(base: str, http: httpx.Client, path: str, body: str, soap12: bool = False) -> Any:
    env = SOAP12 if soap12 else SOAP11
    content = f'<e:Envelope xmlns:e="{env}"><e:Body>{body}</e:Body></e:Envelope>'
    ctype = "application/soap+xml; charset=utf-8" if soap12 else "text/xml; charset=utf-8"
    response = http.post(base + path, content=content, headers={"Content-Type": ctype})
    fault = find_fault(etree.fromstring(response.content))
    return response, fault


def test_sample_reply_keeps_leading_zeros_decimals_and_two_rows() -> None:
    report = erp()
    with served(WsdlSandbox.from_report(report)) as (base, http):
        response = call(report, base, http, GETLIST, IT_CUSTOMERS={"item": ["1"]})
    assert response.headers["content-type"] == "text/xml; charset=utf-8"
    value = graph(report, GETLIST, response)
    orders = value["ET_ORDERS"]["item"]
    assert [o["VBELN"] for o in orders] == ["0000000010", "0000000010"]
    assert orders[0]["NETWR"] == "1234.50"  # a Decimal scalar: the exact string
    assert [i["NETWR"] for i in orders[0]["ITEMS"]["item"]] == ["1234.50", "1234.50"]
    assert value == WsdlSandbox.from_report(report).expected(GETLIST)


@pytest.mark.parametrize("items", [0, 1])
def test_an_empty_table_is_an_empty_list_and_one_row_a_list_of_one(items: int) -> None:
    report = erp()
    with served(WsdlSandbox.from_report(report, items=items)) as (base, http):
        value = graph(report, GETLIST, call(report, base, http, GETLIST))
    rows = value["ET_ORDERS"]["item"]
    assert len(rows) == items  # [] when empty (never null), [row] with one
    assert [r["VBELN"] for r in rows] == ["0000000010"] * items
    assert len(value["RETURN"]["item"]) == items


def test_a_canned_reply_sends_exact_values_and_a_callable_sees_the_request() -> None:
    report = erp()
    seen: list[SoapRequest] = []

    def create(request: SoapRequest) -> dict[str, Any]:
        seen.append(request)
        return {"SALES_NO": "0000004711", "RETURN": {"item": []}}

    one_row = {
        "ET_ORDERS": {
            "item": [
                {
                    "VBELN": "0000000010",
                    "KUNNR": "0000100001",
                    "AUDAT": "2024-03-31",
                    "BSTNK": "PO-1",
                    "NETWR": Decimal("0.10"),
                    "WAERK": "EUR",
                    "GBSTK": "A",
                    "ITEMS": {"item": []},
                }
            ]
        },
        "RETURN": {"item": []},  # an empty table: <RETURN/>, read back as []
    }
    sandbox = WsdlSandbox.from_report(
        report, replies={GETLIST: one_row, "ZSD_SALESORDER_CREATE": create}
    )
    with served(sandbox) as (base, http):
        listed = graph(report, GETLIST, call(report, base, http, GETLIST))
        header = {"SOLD_TO_PARTY": "0000100001", "CURRENCY": "EUR"}
        created = call(
            report, base, http, "ZSD_SALESORDER_CREATE", ORDER_HEADER=header, IT_ITEMS={"item": []}
        )
        created_value = graph(report, "ZSD_SALESORDER_CREATE", created)
    (order,) = listed["ET_ORDERS"]["item"]
    assert (order["VBELN"], order["NETWR"], order["ITEMS"]) == ("0000000010", "0.10", {"item": []})
    assert listed["RETURN"] == {"item": []}
    assert created_value == {"SALES_NO": "0000004711", "RETURN": {"item": []}}
    (request,) = seen
    assert request.operation == "ZSD_SALESORDER_CREATE"
    assert request.body.ORDER_HEADER.SOLD_TO_PARTY == "0000100001"
    assert [r.operation for r in sandbox.received] == [GETLIST, "ZSD_SALESORDER_CREATE"]


def test_a_request_that_does_not_fit_is_a_client_fault_naming_what_is_wrong() -> None:
    sandbox = WsdlSandbox.from_report(erp())
    with served(sandbox) as (base, http):
        unknown, unknown_fault = raw(base, http, ERP_PATH, f'<n:NOPE xmlns:n="{RFC}"/>')
        extra, extra_fault = raw(
            base,
            http,
            ERP_PATH,
            f'<n:{GETLIST} xmlns:n="{RFC}"><IT_CUSTOMERS/><MAX_ROWS>2</MAX_ROWS><BOGUS>1</BOGUS></n:{GETLIST}>',
        )
        wrong_type, wrong_type_fault = raw(
            base,
            http,
            ERP_PATH,
            f'<n:{GETLIST} xmlns:n="{RFC}"><IT_CUSTOMERS/><MAX_ROWS>many</MAX_ROWS></n:{GETLIST}>',
        )
        missing, missing_fault = raw(
            base, http, ERP_PATH, f'<n:ZSD_SALESORDER_CREATE xmlns:n="{RFC}"/>'
        )
        not_xml = http.post(
            base + ERP_PATH, content=b"<broken", headers={"Content-Type": "text/xml"}
        )
    assert (unknown.status_code, unknown_fault.faultcode) == (500, "Client")
    assert f"body element {{{RFC}}}NOPE" in unknown_fault.faultstring
    assert extra_fault.faultcode == "Client"
    assert "BOGUS" in extra_fault.faultstring
    assert wrong_type_fault.faultcode == "Client"
    assert "many" in wrong_type_fault.faultstring
    assert missing_fault.faultcode == "Client"
    assert "Missing element ORDER_HEADER" in missing_fault.faultstring
    assert find_fault(etree.fromstring(not_xml.content)).faultcode == "Client"  # type: ignore[union-attr]
    assert (extra.status_code, wrong_type.status_code, missing.status_code) == (500, 500, 500)
    assert sandbox.received == []  # nothing that does not fit reaches a reply


def test_a_declared_fault_is_answered_with_its_typed_detail_on_both_soap_versions() -> None:
    report = corpus(EPM)
    sandbox = WsdlSandbox.from_report(report)
    assert [f.name for f in sandbox.faults_of("get_price")] == ["fault_msg_type"]
    sandbox.answer_fault("get_price", faultstring="product not found", times=2)
    with served(sandbox) as (base, http):
        answers = [
            call(report, base, http, "get_price", port=port, product="0000000010")
            for port in ("EPM_Product_SOAP", "EPM_Product_SOAP_soap12", "EPM_Product_SOAP")
        ]
    soap11, soap12, after = answers
    assert soap11.status_code == 500
    fault = find_fault(etree.fromstring(soap11.content))
    assert fault is not None
    assert (fault.faultcode, fault.faultstring) == ("Server", "product not found")
    assert fault.detail is not None
    (detail,) = fault.detail
    assert etree.QName(detail).text == "{http://sap.com/EPM_PRODUCT_SOAP}fault_msg_type"
    assert [(etree.QName(c).localname, c.text) for c in detail] == [("error_text", "0000000010")]
    assert soap12.headers["content-type"].startswith("application/soap+xml")
    fault12 = find_fault(etree.fromstring(soap12.content))
    assert fault12 is not None
    assert fault12.faultcode == "Receiver"
    assert fault12.detail is not None
    assert len(fault12.detail) == 1
    assert after.status_code == 200  # times=2: the third call is answered again
    with pytest.raises(ValueError, match="declares no fault 'nope'"):
        sandbox.answer_fault("get_price", "nope")


def test_a_declared_fault_detail_can_be_given_exactly() -> None:
    report = corpus(EPM)
    sandbox = WsdlSandbox.from_report(report)
    sandbox.answer_fault("get_price", detail={"error_text": "E-42: 0000000010 unknown"})
    with served(sandbox) as (base, http):
        response = call(report, base, http, "get_price", product="0000000010")
    fault = find_fault(etree.fromstring(response.content))
    assert fault is not None
    assert fault.detail is not None
    assert fault.detail[0][0].text == "E-42: 0000000010 unknown"


def test_soap12_requests_get_soap12_replies_and_sender_faults() -> None:
    report = corpus(EPM)
    sandbox = WsdlSandbox.from_report(report)
    path = "/sap/bc/srt/xip/sap/zepm_product_soap/002/epm_product_soap/epm_product_soap"
    with served(sandbox) as (base, http):
        ok = call(report, base, http, "get_price", port="EPM_Product_SOAP_soap12", product="1")
        _, sender = raw(base, http, path, '<n:nope xmlns:n="urn:x"/>', soap12=True)
        wrong_type = http.post(
            base + path,
            content=f'<e:Envelope xmlns:e="{SOAP12}"><e:Body/></e:Envelope>',
            headers={"Content-Type": "text/xml; charset=utf-8"},
        )
    assert ok.headers["content-type"] == "application/soap+xml; charset=utf-8"
    assert etree.QName(etree.fromstring(ok.content)).namespace == SOAP12
    assert graph(report, "get_price", ok, "EPM_Product_SOAP_soap12") == sandbox.expected(
        "get_price"
    )
    assert sender is not None
    assert sender.faultcode == "Sender"
    assert wrong_type.status_code == 415
    assert "must be sent as application/soap+xml" in wrong_type.text


def test_fault_injection_and_recording_work_as_for_every_sandbox() -> None:
    report = erp()
    sandbox = WsdlSandbox.from_report(report)
    sandbox.faults.add(Fault("status", match=f"wsdl.{GETLIST}", status=503, times=1))
    with served(sandbox) as (base, http):
        first = call(report, base, http, GETLIST)
        second = call(report, base, http, GETLIST)
        elsewhere = call(report, base.rstrip("/") + "/any/other", http, GETLIST)
    assert (first.status_code, second.status_code) == (503, 200)
    assert elsewhere.status_code == 200  # any path reaches every port
    assert sandbox.recorder.count(f"wsdl.{GETLIST}") == 3
    assert [c.path for c in sandbox.recorder.calls()][:2] == [ERP_PATH, ERP_PATH]


@needs_corpus[1]
@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relative", "style"),
    [
        ("zws-mcp-server__ZWS_BAPI_SALESORDER_CREATE.wsdl", "document/literal wrapped"),
        ("savon3__rpc_literal.wsdl", "rpc/literal"),
        ("zeep__claim.wsdl", "rpc/encoded"),
        ("savon3__taxcloud.wsdl", "document/literal wrapped"),  # SOAP 1.1 and 1.2 ports
        ("wsdltophp__partner_PartnerService/PartnerService.wsdl", "document/literal bare"),
    ],
)
def test_every_binding_style_round_trips_over_http(relative: str, style: str) -> None:
    from colonnade.wsdl_import.roundtrip import http_round_trip
    from colonnade.wsdl_import.sdl import check

    report = corpus(relative)
    assert report.model is not None
    assert style in {b.style for op in report.model.operations for b in op.bindings}
    with served(WsdlSandbox.from_report(report)) as (base, http):
        trip = http_round_trip(report.client, report.model, check(report.sdl), base, http)
    assert trip.failures == []
    assert trip.ok == trip.total > 0


def test_the_zws_sales_order_number_survives_with_its_zeros() -> None:
    report = corpus("zws-mcp-server__ZWS_BAPI_SALESORDER_CREATE.wsdl")
    operation = "ZBAPI_SALESORDER_CREATE"
    sandbox = WsdlSandbox.from_report(report, items=1)
    with served(sandbox) as (base, http):
        sample = graph(report, operation, call(report, base, http, operation))
        empty = {"item": []}
        sandbox.reply(
            operation, {"SALES_NO": "0000000010", "DETAIL_MESSAGE": empty, "PR_ITEM": empty}
        )
        canned = graph(report, operation, call(report, base, http, operation))
    assert sample["SALES_NO"] == "0000000010"
    assert len(sample["DETAIL_MESSAGE"]["item"]) == 1
    assert canned["SALES_NO"] == "0000000010"
    assert canned["DETAIL_MESSAGE"] == {"item": []}


def test_a_canned_nil_is_sent_as_xsi_nil_and_read_as_null() -> None:
    report = corpus("savon3__crowd.wsdl")
    operation = "findPrincipalByName"
    sandbox = WsdlSandbox.from_report(report, replies={operation: {"out": None}})
    with served(sandbox) as (base, http):
        response = call(report, base, http, operation)
        sandbox.reply(operation, None)  # back to the sample
        sample = graph(report, operation, call(report, base, http, operation))
    out = etree.fromstring(response.content).find(".//{*}out")
    assert out is not None
    assert out.get("{http://www.w3.org/2001/XMLSchema-instance}nil") == "true"
    assert graph(report, operation, response) == {"out": None}
    assert sample["out"] is not None
    assert sample == sandbox.expected(operation)
