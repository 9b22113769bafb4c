"""The exactness rules of the WSDL import, each pinned on a real fragment of the corpus: the
generated GraphQL type, and (where the rule is about values) what zeep makes of a reply
built from the WSDL's own types."""

from __future__ import annotations

import base64
import datetime as dt
from decimal import Decimal
from functools import cache
from typing import Any

from graphql import GraphQLEnumType, GraphQLNonNull, GraphQLSchema, get_named_type
from wsdl_corpus import entry, needs_corpus

from colonnade.soap import _Reply
from colonnade.wsdl_import import ImportReport, import_wsdl
from colonnade.wsdl_import.model import FieldModel, ObjectModel
from colonnade.wsdl_import.sdl import check
from colonnade.wsdl_import.values import to_graphql, to_zeep

pytestmark = needs_corpus
SOAP11 = "http://schemas.xmlsoap.org/soap/envelope/"

ZWS = "zws-mcp-server__ZWS_BAPI_SALESORDER_CREATE.wsdl"
EWS = "wsdltophp__ews_services/services.wsdl"
PAYPAL = "wsdltophp__paypal_PayPalSvc/PayPalSvc.wsdl"


@cache
def imported(relative: str) -> ImportReport:
    path, url_map = entry(relative)
    report = import_wsdl(path, url_map)
    assert report.ok, report.text()
    return report


@cache
def schema(relative: str) -> GraphQLSchema:
    return check(imported(relative).sdl)


def obj(report: ImportReport, qname: str) -> ObjectModel:
    assert report.model is not None
    return next(o for o in report.model.objects.values() if o.qname == qname)


def fld(o: ObjectModel, xml_name: str) -> FieldModel:
    return next(f for f in o.fields if f.xml_name == xml_name)


def reply(report: ImportReport, operation: str, body_xml: str) -> Any:
    """Read a reply, as SAP would send it, with zeep (strict) — what a client would get."""
    binding = report.client.service._binding
    op = binding._operations[operation]
    content = (
        f'<soap:Envelope xmlns:soap="{SOAP11}"><soap:Body>{body_xml}</soap:Body></soap:Envelope>'
    ).encode()
    return binding.process_reply(report.client, op, _Reply(200, content, {}))  # type: ignore[arg-type]


PR_ITEM = (
    "<item><PR_NUMBER>0010000001</PR_NUMBER><PR_ITEM>000010</PR_ITEM><VENDOR>0000100002</VENDOR>"
    "<PUR_ORG>1000</PUR_ORG><PLANT>1000</PLANT><PRICE>{price}</PRICE><PRICE_UNIT>1</PRICE_UNIT>"
    "<CURRENCY>EUR</CURRENCY></item>"
)


RET_ITEM = (
    "<item><TYPE>E</TYPE><ID>V1</ID><NUMBER>001</NUMBER><MESSAGE>m</MESSAGE>"
    "<MESSAGE_LONG>m</MESSAGE_LONG><LOG_NO/><LOG_MSG_NO>000000</LOG_MSG_NO><PARAMETER/>"
    "<ROW>1</ROW><FIELD/><SYSTEM>ERP</SYSTEM></item>"
)


def graph_value(report: ImportReport, value: Any, field: FieldModel) -> Any:
    assert report.model is not None
    return to_graphql(value, field, report.model.objects, report.model.enums)


def sap_reply(details: str = "", pr_items: str = "", sales_no: str = "0000000010") -> str:
    return (
        '<n0:ZBAPI_SALESORDER_CREATEResponse xmlns:n0="urn:sap-com:document:sap:rfc:functions">'
        f"<DETAIL_MESSAGE>{details}</DETAIL_MESSAGE><PR_ITEM>{pr_items}</PR_ITEM>"
        f"<SALES_NO>{sales_no}</SALES_NO></n0:ZBAPI_SALESORDER_CREATEResponse>"
    )


SAP_RFC = "{urn:sap-com:document:sap:rfc:functions}"


def test_xs_string_keeps_leading_zeros() -> None:
    report = imported(ZWS)
    sales_no = fld(obj(report, f"{SAP_RFC}ZBAPI_SALESORDER_CREATEResponse"), "SALES_NO")
    assert (sales_no.type_name, sales_no.kind) == ("String", "scalar")  # char10, never a number
    answer = reply(report, "ZBAPI_SALESORDER_CREATE", sap_reply(sales_no="0000000010"))
    assert answer.SALES_NO == "0000000010"
    assert graph_value(report, answer.SALES_NO, sales_no) == "0000000010"


def test_repeated_elements_are_lists_empty_stays_empty_one_stays_one() -> None:
    report = imported(ZWS)
    item = fld(obj(report, f"{SAP_RFC}ZBAPIRET_T"), "item")
    assert item.is_list
    return_t = schema(ZWS).get_type(item.type_name)
    assert return_t is not None
    sdl_item = schema(ZWS).type_map[obj(report, f"{SAP_RFC}ZBAPIRET_T").name]
    assert str(sdl_item.fields["item"].type) == f"[{item.type_name}!]!"  # type: ignore[attr-defined]
    response = fld(obj(report, f"{SAP_RFC}ZBAPI_SALESORDER_CREATEResponse"), "DETAIL_MESSAGE")
    empty = reply(report, "ZBAPI_SALESORDER_CREATE", sap_reply())
    assert empty.DETAIL_MESSAGE is None  # zeep reads the empty SAP table as None ...
    assert graph_value(report, empty.DETAIL_MESSAGE, response) == {"item": []}  # ... we say []
    assert graph_value(report, None, item) == []  # an absent repeated element: [], not null
    one = reply(report, "ZBAPI_SALESORDER_CREATE", sap_reply(RET_ITEM))
    assert [i.TYPE for i in one.DETAIL_MESSAGE.item] == ["E"]
    value = graph_value(report, one.DETAIL_MESSAGE, response)
    assert [i["TYPE"] for i in value["item"]] == ["E"]
    assert value["item"][0]["ROW"] == 1


def test_xs_decimal_is_an_exact_decimal_scalar() -> None:
    report = imported(ZWS)
    price = fld(obj(report, f"{SAP_RFC}ZAIAGENTS_PR_INFO"), "PRICE")
    assert price.type_name == "Decimal"
    assert price.restriction is not None
    assert price.restriction.facets == {"totalDigits": ["11"], "fractionDigits": ["2"]}
    assert "scalar Decimal @specifiedBy" in report.sdl
    answer = reply(
        report, "ZBAPI_SALESORDER_CREATE", sap_reply(pr_items=PR_ITEM.format(price="0.10"))
    )
    assert Decimal("0.10") == answer.PR_ITEM.item[0].PRICE  # not 0.1000000000000000055
    assert graph_value(report, answer.PR_ITEM.item[0].PRICE, price) == "0.10"


def test_64_bit_integers_are_string_encoded_never_int() -> None:
    report = imported("savon3__crowd.wsdl")
    group_id = fld(
        obj(report, "{http://soap.integration.crowd.atlassian.com}SOAPNestableGroup"), "ID"
    )
    assert group_id.type_name == "Long"  # xs:long
    assert "scalar Long @specifiedBy" in report.sdl


def test_32_bit_integers_stay_int() -> None:
    row = fld(obj(imported(ZWS), f"{SAP_RFC}ZBAPIRET"), "ROW")  # xsd:int
    assert row.type_name == "Int"


def test_date_times_keep_their_time_zone() -> None:
    report = imported("savon3__betfair.wsdl")
    ns = "{http://www.betfair.com/publicapi/types/exchange/v5/}"
    stamp = fld(obj(report, f"{ns}APIResponseHeader"), "timestamp")
    assert stamp.type_name == "DateTime"
    assert 'scalar DateTime @specifiedBy(url: "https://www.w3.org/TR/xmlschema11-2/#dateTime")' in (
        report.sdl
    )
    zeep_type = report.client.get_type(f"{ns}APIResponseHeader")
    xsd = next(e for n, e in zeep_type.elements if n == "timestamp").type
    parsed = xsd.pythonvalue("2024-03-31T01:30:00+02:00")
    assert parsed.utcoffset() == dt.timedelta(hours=2)
    assert graph_value(report, parsed, stamp) == "2024-03-31T01:30:00+02:00"


def test_base64_binary_round_trips_byte_for_byte() -> None:
    report = imported(EWS)
    ns = "{http://schemas.microsoft.com/exchange/services/2006/types}"
    entry_id = fld(obj(report, f"{ns}ItemType"), "StoreEntryId")
    assert entry_id.type_name == "Base64"
    raw = bytes(range(256))
    zeep_type = report.client.get_type(f"{ns}ItemType")
    b64 = next(e for n, e in zeep_type.elements if n == "StoreEntryId").type
    text = b64.xmlvalue(raw)
    assert base64.b64decode(text) == raw
    assert b64.pythonvalue(text) == raw
    as_text = text.decode() if isinstance(text, bytes) else text
    assert graph_value(report, b64.pythonvalue(text), entry_id) == as_text


def test_enumerations_get_valid_names_and_keep_the_original_values() -> None:
    report = imported(PAYPAL)
    assert report.model is not None
    status = next(
        e for e in report.model.enums.values() if e.qname.endswith("}PaymentStatusCodeType")
    )
    assert status.values["Canceled_Reversal"] == "Canceled-Reversal"
    unit = next(e for e in report.model.enums.values() if e.qname.endswith("}UnitOfMeasure"))
    assert unit.values["_6Pack"] == "6Pack"
    enum_t = schema(PAYPAL).type_map[status.name]
    assert isinstance(enum_t, GraphQLEnumType)
    assert "Canceled_Reversal" in enum_t.values


def test_restrictions_are_kept_on_input_types() -> None:
    report = imported(ZWS)
    delivery = fld(obj(report, f"{SAP_RFC}ZAIAGENTS_BAPISOITEM_S"), "DELIVERY_DATE")
    assert delivery.restriction is not None
    assert delivery.restriction.facets["pattern"] == [r"\d\d\d\d-\d\d-\d\d"]
    assert delivery.restriction.facets["maxLength"] == ["10"]
    assert r"pattern=\\d\\d\\d\\d-\\d\\d-\\d\\d" in report.sdl  # in the input's description


def test_extension_is_flattened_and_its_base_recorded() -> None:
    report = imported(EWS)
    ns = "{http://schemas.microsoft.com/exchange/services/2006/types}"
    calendar, item = obj(report, f"{ns}CalendarItemType"), obj(report, f"{ns}ItemType")
    assert calendar.base == item.name
    assert {f.xml_name for f in item.fields} <= {f.xml_name for f in calendar.fields}
    assert sum(o.qname == f"{ns}CalendarItemType" for o in report.model.objects.values()) == 1  # type: ignore[union-attr]


def test_simple_content_is_value_plus_attributes() -> None:
    report = imported(PAYPAL)
    amount = obj(report, "{urn:ebay:apis:CoreComponentTypes}BasicAmountType")
    by_name = {f.name: f for f in amount.fields}
    assert by_name["value"].source == "value"
    assert by_name["currencyID"].source == "attribute"


def test_xs_any_is_a_json_scalar() -> None:
    report = imported(EWS)
    message = obj(
        report, "{http://schemas.microsoft.com/exchange/services/2006/messages}MessageXml"
    )
    assert [f.type_name for f in message.fields if f.source == "any"] == ["JSON"]


def test_recursive_types_terminate_and_refer_to_themselves() -> None:
    report = imported(EWS)
    rule = obj(
        report, "{http://schemas.microsoft.com/exchange/services/2006/types}ProtectionRuleAndType"
    )
    assert fld(rule, "And").type_name == rule.name


def test_choice_branches_are_all_nullable() -> None:
    report = imported(EWS)
    ns = "{http://schemas.microsoft.com/exchange/services/2006/types}"
    ids = obj(report, f"{ns}NonEmptyArrayOfBaseFolderIdsType")
    assert {f.xml_name for f in ids.fields if f.in_choice} >= {"FolderId", "DistinguishedFolderId"}
    assert all(not f.required and f.encoding == "omit" for f in ids.fields if f.in_choice)
    graph = schema(EWS).type_map[f"{ids.name}Input"]
    assert not any(isinstance(f.type, GraphQLNonNull) for f in graph.fields.values())  # type: ignore[attr-defined]


def test_nillable_and_min_occurs_zero_are_both_nullable_but_encoded_apart() -> None:
    report = imported("savon__vies_checkVatService.wsdl")
    ns = "{urn:ec.europa.eu:taxud:vies:services:checkVat:types}"
    name = fld(obj(report, f"{ns}checkVatResponse"), "name")  # nillable="true"
    assert report.model is not None
    op = next(o for o in report.model.operations if o.name == "checkVatApprox")
    approx = next(a for a in op.args if a.xml_name == "traderName")  # minOccurs="0"
    assert (name.nillable, name.encoding) == (True, "nil")
    assert (approx.nillable, approx.min_occurs, approx.encoding) == (False, 0, "omit")
    assert not name.required
    assert not approx.required


def test_name_clashes_across_namespaces_are_disambiguated_deterministically() -> None:
    path, url_map = entry("wsdltophp__partner_PartnerService/PartnerService.wsdl")
    first, second = import_wsdl(path, url_map), import_wsdl(path, url_map)
    assert first.model is not None
    assert second.model is not None
    clashing = sorted(
        (o.qname, o.name)
        for o in first.model.objects.values()
        if o.qname.endswith("}IsMemberResponse")
    )
    assert len({q for q, _ in clashing}) == 2
    assert len({n for _, n in clashing}) == 2
    again = sorted(
        (o.qname, o.name)
        for o in second.model.objects.values()
        if o.qname.endswith("}IsMemberResponse")
    )
    assert clashing == again


def test_string_scalar_fields_in_the_graph_are_string() -> None:
    graph = schema(ZWS)
    response = graph.type_map[obj(imported(ZWS), f"{SAP_RFC}ZBAPI_SALESORDER_CREATEResponse").name]
    assert get_named_type(response.fields["SALES_NO"].type).name == "String"  # type: ignore[attr-defined]


def test_a_repeated_choice_is_sent_the_way_zeep_expects() -> None:
    report = imported(EWS)
    assert report.model is not None
    op = next(o for o in report.model.operations if o.name == "GetFolder")
    graph_input = {
        "FolderShape": {"BaseShape": "IdOnly"},
        "FolderIds": {"DistinguishedFolderId": [{"Id": "inbox"}, {"Id": "drafts"}]},
    }
    kwargs = to_zeep(graph_input, op.args, report.model.objects, report.model.enums)
    envelope = report.client.create_message(report.client.service, "GetFolder", **kwargs)
    ids = envelope.findall(
        ".//{http://schemas.microsoft.com/exchange/services/2006/types}DistinguishedFolderId"
    )
    assert [i.get("Id") for i in ids] == ["inbox", "drafts"]
