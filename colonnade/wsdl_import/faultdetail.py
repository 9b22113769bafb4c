"""The wsdl:fault messages each bound operation declares, with a typed model of their detail
element: what a provider writes inside ``<detail>`` when it refuses a call the way its contract
says, so fault mapping can be tested against the WSDL's own types.

zeep keeps the declared faults on the binding operation but never uses them to read a reply
(a fault's detail reaches a client as raw XML), and resolves them without a body element; the
part's element (or, rpc-style, a part's type) is read from the abstract message here."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from zeep import xsd
from zeep.wsdl.bindings.soap import SoapBinding

from colonnade.wsdl_import.facets import FacetIndex
from colonnade.wsdl_import.model import (
    EnumModel,
    FieldModel,
    ObjectModel,
    _Builder,
    _qname_str,
)
from colonnade.wsdl_import.types import graphql_name


@dataclass(slots=True)
class DeclaredFault:
    name: str  # the wsdl:fault name
    element: Any  # zeep's Element written inside <detail>
    detail: FieldModel  # its model: sample_output makes a value, to_zeep the kwargs


@dataclass(slots=True)
class FaultTypes:
    by_operation: dict[tuple[str, str], list[DeclaredFault]] = field(default_factory=dict)
    """(binding QName, operation name) → its declared faults, in WSDL order."""
    objects: dict[str, ObjectModel] = field(default_factory=dict)
    enums: dict[str, EnumModel] = field(default_factory=dict)

    def of(self, binding: str, operation: str) -> list[DeclaredFault]:
        return self.by_operation.get((binding, operation), [])


def _elements(message: Any) -> list[Any]:
    abstract = getattr(message, "abstract", None)
    parts = getattr(abstract, "parts", None) or {}
    found = []
    for part_name, part in parts.items():
        if part.element is not None:
            found.append(part.element)
        elif part.type is not None:
            found.append(xsd.Element(part_name, part.type))  # type: ignore[no-untyped-call]
    return found


def declared_faults(client: Any, facets: FacetIndex | None = None) -> FaultTypes:
    """Every SOAP binding's declared faults; a fault whose part cannot be read is left out."""
    builder = _Builder("faults", facets or FacetIndex(), "")
    out = FaultTypes(objects=builder.model.objects, enums=builder.model.enums)
    for binding in client.wsdl.bindings.values():
        if not isinstance(binding, SoapBinding):
            continue
        for op_name, op in binding._operations.items():
            faults: list[DeclaredFault] = []
            for fault_name, message in op.faults.items():
                for element in _elements(message)[:1]:  # WSDL 1.1: a fault has one part
                    try:
                        kind, tname, restriction, xs_list = builder.type_ref(element.type)
                    except (AttributeError, TypeError, ValueError, KeyError):
                        continue
                    detail = FieldModel(
                        graphql_name(element.name or fault_name),
                        element.attr_name or element.name,
                        tname,
                        kind,
                        xs_list,
                        0,
                        restriction=restriction,
                    )
                    faults.append(DeclaredFault(fault_name, element, detail))
            if faults:
                out.by_operation[(_qname_str(binding.name), op_name)] = faults
    return out
