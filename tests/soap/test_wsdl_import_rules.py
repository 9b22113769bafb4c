"""The WSDL import's rules that are not about one corpus fragment: input restrictions enforced
(on the corpus's own facets), query/mutation classification and its override, enum and name
sanitizing, and the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from graphql import build_schema
from wsdl_corpus import entry, needs_corpus

from colonnade.cli import main
from colonnade.errors import BadUserInput
from colonnade.wsdl_import import import_wsdl
from colonnade.wsdl_import.facets import FacetIndex, Restriction
from colonnade.wsdl_import.model import _Builder, classify
from colonnade.wsdl_import.sdl import check, render
from colonnade.wsdl_import.types import enum_value_name, graphql_name
from colonnade.wsdl_import.validate import check_input, violations

ZWS = "zws-mcp-server__ZWS_BAPI_SALESORDER_CREATE.wsdl"


@pytest.fixture(scope="module")
def sales_order():  # type: ignore[no-untyped-def]
    path, url_map = entry(ZWS)
    report = import_wsdl(path, url_map)
    assert report.model is not None
    return report.model


def good_order() -> dict[str, object]:
    item = {
        "MATERIAL_NO": "000010",
        "MATERIAL": "m",
        "UNIT": "ST",
        "QTY": "12.500",
        "CUST_MATERIAL": "c",
        "PLANT": "1000",
        "SHIPPING_POINT": "1000",
        "DELIVERY_DATE": "2024-03-31",
    }
    return {
        "CUST_PO": "PO-1",
        "CUST_PO_DATE": "2024-03-31",
        "IT_SO_ITEM": {"item": [item]},
        "ORDER_TYPE": "OR",
        "SALES_CHANNEL": "10",
        "SALES_DIVISION": "00",
        "SALES_ORG": "1000",
        "SHIP_TO_PARTY": "0000100002",
        "SOLD_TO_PARTY": "0000100002",
    }


@pytest.mark.corpus
@needs_corpus[1]
def test_restrictions_from_the_wsdl_are_enforced_on_input(sales_order) -> None:  # type: ignore[no-untyped-def]
    op = sales_order.operations[0]
    assert violations(op.args, good_order(), sales_order.objects) == []
    bad = good_order()
    bad_item = {**bad["IT_SO_ITEM"]["item"][0]}  # type: ignore[index]
    bad_item.update(DELIVERY_DATE="31.03.2024", QTY="1.2345", MATERIAL_NO="12345678")
    bad["IT_SO_ITEM"] = {"item": [bad_item]}
    bad["SOLD_TO_PARTY"] = "00001000020"  # char10: 11 characters
    del bad["SALES_ORG"]
    found = {(v.path, v.rule) for v in violations(op.args, bad, sales_order.objects)}
    assert found == {
        ("IT_SO_ITEM.item[0].DELIVERY_DATE", "pattern"),
        ("IT_SO_ITEM.item[0].QTY", "fractionDigits"),
        ("IT_SO_ITEM.item[0].MATERIAL_NO", "maxLength"),
        ("SOLD_TO_PARTY", "maxLength"),
        ("SALES_ORG", "required"),
    }
    with pytest.raises(BadUserInput) as refused:
        check_input(op.args, bad, sales_order.objects)
    assert refused.value.code.value == "BAD_USER_INPUT"
    assert "SOLD_TO_PARTY" in refused.value.message


def test_ranges_digits_and_non_string_enumerations() -> None:
    from colonnade.wsdl_import.model import FieldModel

    r = Restriction(
        ["1", "2"], {"minInclusive": ["1"], "maxExclusive": ["100"], "totalDigits": ["3"]}
    )
    f = FieldModel("n", "n", "Int", "scalar", restriction=r)
    assert violations([f], {"n": 2}, {}) == []
    rules = {v.rule for v in violations([f], {"n": 100}, {})}
    assert rules == {"enumeration", "maxExclusive"}
    assert {v.rule for v in violations([f], {"n": 0}, {})} == {"enumeration", "minInclusive"}
    assert {v.rule for v in violations([f], {"n": 1000}, {})} >= {"totalDigits"}
    g = FieldModel(
        "d", "d", "Decimal", "scalar", restriction=Restriction([], {"totalDigits": ["4"]})
    )
    assert violations([g], {"d": "12.50"}, {}) == []  # trailing zeros are not digits
    assert [v.rule for v in violations([g], {"d": "123.45"}, {})] == ["totalDigits"]


@pytest.mark.parametrize(
    ("operation", "root"),
    [
        ("GetCustomer", "query"),
        ("checkVat", "query"),
        ("ListOrdersByCustomer", "query"),
        ("FindFolder", "query"),
        ("ZBAPI_SALESORDER_CREATE", "mutation"),
        ("BAPI_SALESORDER_GETLIST", "query"),  # SAP runs the verb into one word
        ("ZSD_SALESORDER_GETDETAIL", "query"),
        ("BAPI_SALESORDER_CREATEFROMDAT2", "mutation"),
        ("BAPI_CUSTOMER_CHANGEFROMDATA1", "mutation"),
        ("AddressLookup", "query"),  # "add" is not found inside "address"
        ("CancelBets", "mutation"),
        ("SetPassword", "mutation"),
        ("DoExpressCheckoutPayment", "mutation"),
        ("Frobnicate", "mutation"),  # unknown verb: a write, never a cached/retried query
    ],
)
def test_reads_are_queries_writes_are_mutations(operation: str, root: str) -> None:
    assert classify(operation) == root


def test_the_override_map_wins() -> None:
    assert classify("GetAndLockItem", {"GetAndLockItem": "mutation"}) == "mutation"
    assert classify("Frobnicate", {"Frobnicate": "query"}) == "query"


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("A-B", "A_B"),
        ("1st", "_1st"),
        ("x y", "x_y"),
        ("", "EMPTY"),
        ("true", "_true"),
        ("__x", "_x"),
    ],
)
def test_enum_values_get_valid_graphql_names(raw: str, name: str) -> None:
    assert enum_value_name(raw) == name


def test_enum_name_collisions_are_resolved_and_the_originals_kept() -> None:
    builder = _Builder("t", FacetIndex(), "")
    name = builder.enum("{urn:x}Kind", Restriction(["A-B", "A_B", "A B", "_", "-"]))
    values = builder.model.enums[name].values
    assert values == {"A_B": "A-B", "A_B_2": "A_B", "A_B_3": "A B", "_": "_", "_2": "-"}
    build_schema("enum Kind { " + " ".join(values) + " }\ntype Query { k: Kind }")


def test_type_names_never_collide_with_graphql_or_our_scalars() -> None:
    builder = _Builder("t", FacetIndex(), "")
    names = [builder._unique_type_name("{urn:a}Query", "Query") for _ in range(2)]
    names.append(builder._unique_type_name("{urn:b}Decimal", "Decimal"))
    assert names == ["Query_A", "Query_2", "Decimal_B"]
    assert graphql_name("9-lives") == "_9_lives"


def test_an_import_with_no_query_still_renders_a_valid_schema() -> None:
    builder = _Builder("orders", FacetIndex(), "")
    check(render(builder.model))


@needs_corpus[1]
@pytest.mark.corpus
def test_cli_prints_the_sdl_and_the_report(capsys: pytest.CaptureFixture[str]) -> None:
    path, _ = entry("savon__vies_checkVatService.wsdl")
    rc = main(
        ["import", "wsdl", str(path), "--name", "vies", "--sdl", "--mutation", "checkVatApprox"]
    )
    out, err = capsys.readouterr()
    assert rc == 0
    assert "viesCheckVat(countryCode: String!, vatNumber: String!)" in out
    assert "type Mutation" in out
    assert "viesCheckVatApprox" in out.split("type Mutation", 1)[1]
    assert "# ok: 2 operations, 1 query fields, 1 mutation fields" in err
    check(out)


def test_cli_reports_an_unusable_wsdl_with_exit_1_and_no_traceback(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    wsdl = tmp_path / "service.wsdl"
    wsdl.write_text(  # a schema only the network has: nothing to repair, nothing to load
        '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x">'
        '<types><xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:x">'
        '<xs:import namespace="urn:y" schemaLocation="https://example.com/y.xsd"/>'
        "</xs:schema></types></definitions>"
    )
    assert main(["import", "wsdl", str(wsdl)]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    assert "'https://example.com/y.xsd', a network location" in err
    assert "Traceback" not in err


@needs_corpus[1]
@pytest.mark.corpus
@pytest.mark.parametrize(
    ("relative", "styles", "versions", "ports"),
    [
        ("savon3__taxcloud.wsdl", {"document/literal wrapped"}, {"1.1", "1.2"}, 2),
        ("wsdltophp__paypal_PayPalSvc/PayPalSvc.wsdl", {"document/literal bare"}, {"1.1"}, 2),
        ("savon3__rpc_literal.wsdl", {"rpc/literal"}, {"1.1"}, 1),
        ("zeep__claim.wsdl", {"rpc/encoded"}, {"1.1"}, 1),
    ],
)
def test_every_binding_style_and_soap_version_is_read(
    relative: str, styles: set[str], versions: set[str], ports: int
) -> None:
    path, url_map = entry(relative)
    model = import_wsdl(path, url_map).model
    assert model is not None
    refs = [b for op in model.operations for b in op.bindings]
    assert {b.style for b in refs} == styles
    assert {b.soap_version for b in refs} == versions
    assert len({b.port for b in refs}) == ports
    if versions == {"1.1", "1.2"}:  # one operation, two bindings: one field
        assert all(len(op.bindings) == 2 for op in model.operations)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ("not xml at all", "XMLSyntaxError"),
        (
            '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]>'
            '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/">&b;</definitions>',
            "DTDForbidden",
        ),
        (
            '<definitions xmlns="http://schemas.xmlsoap.org/wsdl/" targetNamespace="urn:x">'
            "<types/></definitions>",
            "declares no operation",
        ),
    ],
)
def test_an_unusable_wsdl_gets_a_report_never_a_traceback(
    tmp_path: Path, content: str, reason: str
) -> None:
    wsdl = tmp_path / "service.wsdl"
    wsdl.write_text(content)
    report = import_wsdl(wsdl)
    assert not report.ok
    assert report.operations == 0
    assert any(reason in p.why for p in report.problems), report.text()
    assert all(p.element and p.todo for p in report.problems)
