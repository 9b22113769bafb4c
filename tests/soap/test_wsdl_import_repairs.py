"""The in-memory repairs of the WSDL import, each pinned on the corpus entry it was made for:
the entry imports, the report warns (naming what was changed), the generated types are what
the repair says, and the owner's file is untouched."""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import pytest
from wsdl_corpus import entry, needs_corpus

from colonnade.wsdl_import import ImportReport, import_wsdl
from colonnade.wsdl_import.model import FieldModel

pytestmark = needs_corpus
IWS = "savon3__iws.wsdl"
LNP = "wsdltophp__lnp_NumberManagement/NumberManagement.wsdl"
PORTA = "wsdltophp__portaplusapi.wsdl"


@cache
def imported(relative: str) -> ImportReport:
    report = import_wsdl(*entry(relative))
    assert report.ok, report.text()
    return report


def field_named(report: ImportReport, object_qname: str, xml_name: str) -> FieldModel:
    assert report.model is not None
    obj = next(o for o in report.model.objects.values() if o.qname == object_qname)
    return next(f for f in obj.fields if f.xml_name == xml_name)


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize("relative", [IWS, LNP, PORTA])
def test_a_repair_never_writes_the_owners_file(relative: str) -> None:
    path, url_map = entry(relative)
    before = {p: digest(p) for p in path.parent.iterdir() if p.is_file()}
    report = import_wsdl(path, url_map)
    assert report.ok
    assert report.warnings
    assert {p: digest(p) for p in path.parent.iterdir() if p.is_file()} == before
    text = report.text()
    assert all(f"# warning: {w}" in text for w in report.warnings)
    assert all(w.element and w.why and "repaired in memory" in w.todo for w in report.warnings)
    assert report.problems == []  # warnings are not problems


def test_an_undefined_type_becomes_a_string_and_the_warning_names_who_uses_it() -> None:
    report = imported(IWS)
    (warning,) = report.warnings
    assert warning.element.startswith("type {urn:}TDate (used by element PMo_Dat_Treinamento")
    training = field_named(report, "{urn:WSIntegERPIntf}TCondutor", "PMo_Dat_Treinamento")
    assert (training.type_name, training.kind) == ("String", "scalar")
    assert report.operations == 16  # every operation of the Delphi service, none dropped


def test_an_import_outside_any_schema_is_wrapped_and_its_types_load() -> None:
    report = imported(LNP)
    (warning,) = report.warnings
    assert warning.element == "wsdl:types/xsd:import NumberManagementModel.xsd"
    assert report.model is not None
    qualification = next(o for o in report.model.operations if o.name == "portingQualification")
    assert [a.xml_name for a in qualification.args] == ["baseNumber", "groupSize"]
    assert qualification.output is not None
    wrapper = report.model.objects[qualification.output.type_name]  # rpc: the parts
    (response,) = wrapper.fields
    assert response.xml_name == "pqResponse"
    pq = report.model.objects[response.type_name]
    assert pq.qname == "{http://localhost/model/version_1/number}PQResponse"
    assert field_named(report, pq.qname, "qualified").type_name == "Boolean"
    assert report.operations == 12


def test_a_soap12_binding_written_with_soap11_elements_and_no_types_schema() -> None:
    report = imported(PORTA)
    assert report.model is not None
    assert report.operations == 64
    refs = [b for op in report.model.operations for b in op.bindings]
    assert {b.soap_version for b in refs} == {"1.2"}
    assert {b.style for b in refs} == {"document/literal wrapped"}  # element = operation name
    authenticate = next(o for o in report.model.operations if o.name == "AuthenticateAccount")
    assert [(a.type_name, a.source) for a in authenticate.args] == [("JSON", "value")]
    assert authenticate.output is not None
    assert authenticate.output.type_name == "JSON"
    port = report.client.wsdl.services["SyncReply"].ports["WSHttpBinding_ISyncReply"]
    assert port.binding_options["address"] == "http://portaplusapi.icc-switch.com/soap12"
    operation = port.binding.get("AuthenticateAccount")
    assert operation.soapaction == "http://schemas.servicestack.net/types/AuthenticateAccount"
    kinds = sorted({w.element.split(" ", 1)[0] for w in report.warnings})
    assert kinds == ["element", "wsdl:binding", "wsdl:port"]
    elements = [w for w in report.warnings if w.element.startswith("element ")]
    assert len(elements) == 110  # every part element the WSDL names, each warned once
    assert "AuthenticateAccount (used by part par)" in elements[0].element


def test_a_wsdl_that_loads_as_it_is_is_not_repaired() -> None:
    report = imported("savon__vies_checkVatService.wsdl")
    assert report.warnings == []
