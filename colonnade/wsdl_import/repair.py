"""In-memory repairs of a WSDL that zeep cannot use as it is — each one a warning in the report
that names what was changed and why. The owner's file is never written: the repaired document
is handed to ``load_wsdl`` as the content of the WSDL's own location, so its relative imports
still resolve beside the original and the hardened loader reads everything else as before.

Four repairs, each for a defect met in real WSDLs:

- an ``xsd:import`` directly under ``wsdl:types`` (outside any ``xsd:schema``): WSDL 1.1 and
  zeep ignore it, so the types it brings are missing. It is wrapped in an ``xsd:schema``.
- a type referenced by name that no schema defines (Delphi's ``{urn:}TDate``): zeep refuses the
  whole WSDL. It is declared as an ``xs:string`` restriction: its values pass as the text sent.
- a message part naming an element no schema defines (a ServiceStack WSDL saved without its
  types schema): zeep drops every operation using it. It is declared as an ``xs:anyType``
  element, so the operation is generated with a JSON argument or result.
- a SOAP 1.2 binding (``soap12:binding``) written with SOAP 1.1 extension elements
  (``soap:operation``, ``soap:body``, its port's ``soap:address``; ServiceStack): zeep looks
  for SOAP 1.2 ones only, so its operations have no body and its port no address. They are
  read as the SOAP 1.2 elements the binding declares.
"""

from __future__ import annotations

import re
from typing import Any

from lxml import etree

from colonnade.wsdl_import.model import Problem

WSDL = "http://schemas.xmlsoap.org/wsdl/"
SOAP11 = "http://schemas.xmlsoap.org/wsdl/soap/"
SOAP12 = "http://schemas.xmlsoap.org/wsdl/soap12/"
XS = "http://www.w3.org/2001/XMLSchema"
_UNRESOLVED = re.compile(r"Unable to resolve (type|element) \{([^}]*)\}([^\s.]+)")


def _qname(prefixed: str, node: etree._Element) -> str:
    prefix, _, local = prefixed.rpartition(":")
    return f"{{{node.nsmap.get(prefix or None, '')}}}{local}"


def wrap_stray_imports(root: etree._Element) -> list[Problem]:
    """Wrap each ``xsd:import`` found directly under ``wsdl:types`` in an ``xsd:schema``."""
    warnings: list[Problem] = []
    for types in root.findall(f"{{{WSDL}}}types"):
        for stray in types.findall(f"{{{XS}}}import"):
            schema = etree.Element(f"{{{XS}}}schema")
            stray.addprevious(schema)
            schema.append(stray)
            warnings.append(
                Problem(
                    f"wsdl:types/xsd:import {stray.get('schemaLocation')}",
                    "an xsd:import directly under wsdl:types, outside any xsd:schema: WSDL 1.1 "
                    "and zeep ignore it, so the types it brings were missing",
                    "repaired in memory: wrapped in an xsd:schema (fix the WSDL the same way "
                    "to silence this)",
                )
            )
    return warnings


def unresolved(message: str) -> tuple[str, str, str] | None:
    """(``type`` or ``element``, namespace, local name) zeep's load error says it lacks."""
    found = _UNRESOLVED.search(message)
    return (found.group(1), found.group(2), found.group(3)) if found else None


def _types(root: etree._Element) -> etree._Element:
    types = root.find(f"{{{WSDL}}}types")
    if types is None:
        types = etree.Element(f"{{{WSDL}}}types")
        skip = {f"{{{WSDL}}}documentation", f"{{{WSDL}}}import"}
        before = [c for c in root if isinstance(c.tag, str) and c.tag in skip]
        root.insert(root.index(before[-1]) + 1 if before else 0, types)
    return types


def _schema_for(root: etree._Element, namespace: str) -> etree._Element:
    types = _types(root)
    for schema in types.findall(f"{{{XS}}}schema"):
        if (schema.get("targetNamespace") or "") == namespace:
            return schema
    schema = etree.SubElement(
        types, f"{{{XS}}}schema", nsmap={"xs": XS, "tns": namespace} if namespace else {"xs": XS}
    )
    if namespace:
        schema.set("targetNamespace", namespace)
    return schema


def _referrers(root: etree._Element, qname: str, attrs: tuple[str, ...]) -> list[str]:
    found: list[str] = []
    for node in root.iter(etree.Element):
        for attr in attrs:
            value = node.get(attr)
            if value and _qname(value, node) == qname:
                kind = etree.QName(node).localname
                found.append(f"{kind} {node.get('name') or node.getparent().get('name') or '?'}")
    return found


def define(root: etree._Element, kind: str, namespace: str, local: str) -> Problem:
    """Declare a missing type (an ``xs:string`` restriction) or element (``xs:anyType``)."""
    schema = _schema_for(root, namespace)
    qname = f"{{{namespace}}}{local}"
    if kind == "type":
        simple = etree.SubElement(schema, f"{{{XS}}}simpleType", name=local)
        etree.SubElement(simple, f"{{{XS}}}restriction", base=_prefixed(schema, XS, "string"))
        used_by = _referrers(root, qname, ("type", "base"))
        becomes, scalar = "an xs:string restriction", "String"
    else:
        element = etree.SubElement(schema, f"{{{XS}}}element", name=local)
        element.set("type", _prefixed(schema, XS, "anyType"))
        used_by = _referrers(root, qname, ("element", "ref"))
        becomes, scalar = "an element of xs:anyType", "JSON"
    shown = ", ".join(used_by[:5]) + (f" and {len(used_by) - 5} more" if len(used_by) > 5 else "")
    return Problem(
        f"{kind} {qname}" + (f" (used by {shown})" if shown else ""),
        f"the WSDL refers to {kind} {qname}, which no schema it loads defines",
        f"repaired in memory: declared as {becomes}, so its values are {scalar} — add the "
        "schema that defines it to type them",
    )


def _prefixed(schema: etree._Element, namespace: str, local: str) -> str:
    prefix = next((p for p, ns in schema.nsmap.items() if ns == namespace and p), None)
    if prefix is None:  # an inline schema that only declares XS as its default namespace
        return local if schema.nsmap.get(None) == namespace else f"xs:{local}"
    return f"{prefix}:{local}"


def missing_part_elements(client: Any, root: etree._Element) -> list[tuple[str, str]]:
    """(namespace, local name) of each element a message part names that zeep cannot find."""
    missing: dict[str, tuple[str, str]] = {}
    for part in root.iter(f"{{{WSDL}}}part"):
        ref = part.get("element")
        if not ref:
            continue
        qname = _qname(ref, part)
        try:
            client.wsdl.types.get_element(qname)
        except Exception:  # noqa: BLE001 - zeep raises several unrelated lookup errors
            namespace, local = qname[1:].split("}", 1)
            missing.setdefault(qname, (namespace, local))
    return list(missing.values())


def soap12_written_as_soap11(root: etree._Element) -> list[Problem]:
    """Read the SOAP 1.1 extension elements of a SOAP 1.2 binding (and of its ports'
    addresses) as SOAP 1.2 ones."""
    warnings: list[Problem] = []
    tns = root.get("targetNamespace") or ""
    mixed: set[str] = set()
    for binding in root.findall(f"{{{WSDL}}}binding"):
        if binding.find(f"{{{SOAP12}}}binding") is None:
            continue
        renamed = 0
        for node in binding.iter(f"{{{SOAP11}}}*"):
            node.tag = f"{{{SOAP12}}}{etree.QName(node).localname}"
            renamed += 1
        if renamed:
            mixed.add(f"{{{tns}}}{binding.get('name')}")
            warnings.append(
                Problem(
                    f"wsdl:binding {binding.get('name')}",
                    f"a SOAP 1.2 binding (soap12:binding) whose {renamed} operation, body and "
                    "header elements are SOAP 1.1 ones (soap:…): zeep finds no body for any "
                    "of its operations",
                    "repaired in memory: read as the soap12: elements the binding declares",
                )
            )
    for port in root.iter(f"{{{WSDL}}}port"):
        binding_ref = port.get("binding")
        address = port.find(f"{{{SOAP11}}}address")
        if binding_ref and address is not None and _qname(binding_ref, port) in mixed:
            address.tag = f"{{{SOAP12}}}address"
            warnings.append(
                Problem(
                    f"wsdl:port {port.get('name')}",
                    "the port of a SOAP 1.2 binding gives its address as soap:address (SOAP "
                    "1.1): zeep gives the port no address",
                    "repaired in memory: read as soap12:address",
                )
            )
    return warnings
