"""The ERP contract (wsdl/erp) and its sandbox held to what SAP itself generates.

../shared/corpus/wsdl/zws-mcp-server__ZWS_BAPI_SALESORDER_CREATE.wsdl is a WSDL exported by a
real SAP system for a sales-order BAPI. Our hand-made SAP-shaped contract must speak the same
dialect: SAP's simple types (``charN`` = string ≤ N, ``numericN`` = digits ≤ N, ``date10``) with
the same restrictions, and a return log with the fields SAP's BAPIRET structures have, in the
same types. The sandbox's replies are validated by zeep against our contract on every test run,
so holding the contract to SAP holds the sandbox too.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from colonnade.config import contracts_dir

SAP_WSDL = (
    Path(__file__).resolve().parents[3]
    / "shared/corpus/wsdl/zws-mcp-server__ZWS_BAPI_SALESORDER_CREATE.wsdl"
)
OUR_XSD = contracts_dir() / "erp" / "zsd_salesorder.xsd"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not SAP_WSDL.is_file(), reason="../shared/corpus is not beside this clone"),
]
XSD = "{http://www.w3.org/2001/XMLSchema}"
# Fields every SAP return message carries (BAPIRET2; SAP's generated ZBAPIRET has the same).
RETURN_FIELDS = ("TYPE", "ID", "NUMBER", "MESSAGE", "PARAMETER", "ROW", "FIELD", "SYSTEM")


def _simple_types(tree: etree._ElementTree) -> dict[str, tuple[str, tuple[tuple[str, str], ...]]]:
    """name → (base, facets) for every named xsd:simpleType."""
    found = {}
    for simple in tree.iter(f"{XSD}simpleType"):
        restriction = simple.find(f"{XSD}restriction")
        if simple.get("name") and restriction is not None:
            base = restriction.get("base", "").split(":")[-1]
            facets = tuple(
                sorted((etree.QName(f).localname, f.get("value", "")) for f in restriction)
            )
            found[simple.get("name")] = (base, facets)
    return found


def _fields(tree: etree._ElementTree, complex_type: str) -> dict[str, str]:
    for ct in tree.iter(f"{XSD}complexType"):
        if ct.get("name") == complex_type:
            return {
                e.get("name"): e.get("type", "").split(":")[-1] for e in ct.iter(f"{XSD}element")
            }
    raise AssertionError(f"no complexType {complex_type}")


@pytest.fixture(scope="module")
def sap() -> etree._ElementTree:
    return etree.parse(str(SAP_WSDL), etree.XMLParser(resolve_entities=False, no_network=True))


@pytest.fixture(scope="module")
def ours() -> etree._ElementTree:
    return etree.parse(str(OUR_XSD), etree.XMLParser(resolve_entities=False, no_network=True))


def test_sap_simple_types_mean_what_sap_means(sap, ours) -> None:
    theirs, mine = _simple_types(sap), _simple_types(ours)
    shared = sorted(set(theirs) & set(mine))
    assert len(shared) >= 6, shared  # char1/10/20/30/32/35/40, numeric3/6, date10, unit3, cuky5 …
    assert {n: mine[n] for n in shared} == {n: theirs[n] for n in shared}


def test_the_return_log_has_sap_fields_in_sap_types(sap, ours) -> None:
    theirs, mine = _fields(sap, "ZBAPIRET"), _fields(ours, "BAPIRET2")
    same_type = [f for f in RETURN_FIELDS if f != "MESSAGE"]
    assert {f: mine.get(f) for f in same_type} == {f: theirs.get(f) for f in same_type}
    # MESSAGE is char220 in SAP's standard BAPIRET2 and an unbounded string in this customer
    # Z-copy: text either way, which is all a connector may assume of it.
    simple = _simple_types(ours)
    assert theirs["MESSAGE"] == "string"
    assert simple[mine["MESSAGE"]][0] == "string"


def test_the_check_notices_a_contract_that_drifts_from_sap(sap, ours) -> None:
    drifted = etree.fromstring(etree.tostring(ours))
    for simple in drifted.iter(f"{XSD}simpleType"):
        if simple.get("name") == "char10":
            simple.find(f"{XSD}restriction/{XSD}maxLength").set("value", "12")
    theirs, mine = _simple_types(sap), _simple_types(etree.ElementTree(drifted))
    assert mine["char10"] != theirs["char10"]
