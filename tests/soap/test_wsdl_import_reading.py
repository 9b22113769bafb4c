"""What the HTTP round trip of the corpus found in how replies are read, each pinned on its
real fragment: a reply read by zeep (strict) and mapped by ``to_graphql`` keeps its values."""

from __future__ import annotations

import datetime as dt
from functools import cache
from typing import Any

import pytest
from wsdl_corpus import entry, needs_corpus

from colonnade.wsdl_import import ImportReport, import_wsdl
from colonnade.wsdl_import.model import FieldModel
from colonnade.wsdl_import.roundtrip import reply_body
from colonnade.wsdl_import.values import to_graphql, to_zeep

pytestmark = needs_corpus
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"
PAYPAL = "wsdltophp__paypal_PayPalSvc/PayPalSvc.wsdl"
EWS = "wsdltophp__ews_services/services.wsdl"


@cache
def imported(relative: str) -> ImportReport:
    report = import_wsdl(*entry(relative))
    assert report.ok, report.text()
    return report


def read(report: ImportReport, operation: str, body_xml: str) -> Any:
    """The reply's body as zeep reads it (strict), every level kept (``reply_body``)."""
    op = report.client.service._binding._operations[operation]
    content = f'<s:Envelope xmlns:s="{SOAP11}"><s:Body>{body_xml}</s:Body></s:Envelope>'
    return reply_body(op, content.encode())


def test_an_extension_point_any_does_not_swallow_the_extensions_elements() -> None:
    # PayPal's AbstractResponseType ends in <any maxOccurs="unbounded"/>; every response
    # type extends it with its own elements, which zeep's greedy any used to swallow
    report = imported(PAYPAL)
    answer = read(
        report,
        "RefundTransaction",
        '<RefundTransactionResponse xmlns="urn:ebay:api:PayPalAPI" '
        'xmlns:e="urn:ebay:apis:eBLBaseComponents"><e:Ack>Success</e:Ack>'
        "<e:Version>204.0</e:Version><e:Build>1</e:Build>"
        "<RefundTransactionID>0000000010</RefundTransactionID>"
        "<MsgSubID>m-1</MsgSubID></RefundTransactionResponse>",
    )
    assert answer.RefundTransactionID == "0000000010"
    assert answer.MsgSubID == "m-1"
    assert not answer._value_1  # the any holds nothing that has a field of its own


def test_a_union_of_one_builtin_is_that_builtins_scalar() -> None:
    report = imported(EWS)
    assert report.model is not None
    item = next(
        o
        for o in report.model.objects.values()
        if o.qname == "{http://schemas.microsoft.com/exchange/services/2006/types}ItemType"
    )
    minutes = next(f for f in item.fields if f.xml_name == "ReminderMinutesBeforeStart")
    assert minutes.type_name == "Int"  # an int-or-int union: zeep reads an int, so do we


def test_durations_and_hex_binary_keep_their_lexical_form() -> None:
    duration = FieldModel("d", "d", "Duration", "scalar")
    assert to_graphql(dt.timedelta(days=1, hours=2), duration, {}, {}) == "P1DT2H"
    hexed = FieldModel("h", "h", "HexBinary", "scalar")
    assert to_zeep({"h": "00FF"}, [hexed], {}, {}) == {"h": "00FF"}  # zeep writes the text


@pytest.mark.parametrize(
    "operation",
    [
        # fileInfoResult is a SOAP-ENC:Array of dsFileStruct, whose dsFileInfo is another
        # array: zeep wrote the inner one as missing ("Missing element for Any") until
        # zeep_objects built the items as zeep objects
        "DataSource.GetFileInfo",
        # a tree of arrays (classifications → child_nodes → …): it ends in an empty array,
        # which zeep refused until its encoded-array items got minOccurs 0
        "ReportSuite.GetClassifications",
    ],
)
def test_soap_encoded_arrays_nested_in_array_items_go_both_ways_over_http(operation: str) -> None:
    import dataclasses

    import httpx

    from colonnade.sandboxes.server import ServedSandbox
    from colonnade.sandboxes.wsdl import WsdlSandbox
    from colonnade.wsdl_import.roundtrip import http_round_trip
    from colonnade.wsdl_import.sdl import check

    report = imported("wsdltophp__OmnitureAdminServices.wsdl")
    assert report.model is not None
    only = [o for o in report.model.operations if o.name == operation]
    model = dataclasses.replace(report.model, operations=only)
    sandbox = WsdlSandbox.from_report(report)
    with ServedSandbox(sandbox.app) as served, httpx.Client(timeout=10) as http:
        trip = http_round_trip(report.client, model, check(report.sdl), served.base_url, http)
    assert trip.failures == []
    assert trip.ok == 1
    if operation == "DataSource.GetFileInfo":
        expected = sandbox.expected(operation)
        assert len(expected["return"]) == 2
        assert len(expected["return"][0]["dsFileInfo"]) == 2  # the nested array, both items
