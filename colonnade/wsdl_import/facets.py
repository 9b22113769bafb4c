"""The restrictions zeep drops: enumerations, patterns, lengths and ranges of simple types.

zeep resolves ``xs:restriction`` to its base type and forgets the facets, so they are read
here from the same schema documents zeep loaded (through the same disk-only transport, with
the hardened parser). Keys follow zeep's naming: a named simpleType by its QName, an
anonymous one by ``{targetNamespace}`` + the enclosing element's or attribute's name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from lxml import etree

from colonnade.xmlsafe import hardened_parser

XS = "http://www.w3.org/2001/XMLSchema"
_FACETS = (
    "pattern",
    "length",
    "minLength",
    "maxLength",
    "minInclusive",
    "maxInclusive",
    "minExclusive",
    "maxExclusive",
    "totalDigits",
    "fractionDigits",
)


@dataclass(slots=True)
class Restriction:
    """Facets of one simple type, as written in the schema (values kept as text)."""

    enumeration: list[str] = field(default_factory=list)
    facets: dict[str, list[str]] = field(default_factory=dict)

    def merged(self, base: Restriction | None) -> Restriction:
        if base is None:
            return self
        facets = {**base.facets, **self.facets}
        return Restriction(self.enumeration or base.enumeration, facets)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = dict(self.facets)
        if self.enumeration:
            out["enumeration"] = list(self.enumeration)
        return out


@dataclass(slots=True)
class FacetIndex:
    by_qname: dict[str, Restriction] = field(default_factory=dict)
    base_of: dict[str, str] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)

    def get(self, qname: str | None) -> Restriction | None:
        """The restriction of a type, with its base restriction types' facets merged in."""
        seen: set[str] = set()
        chain: list[Restriction] = []
        while qname and qname not in seen and qname not in self.ambiguous:
            seen.add(qname)
            found = self.by_qname.get(qname)
            if found is not None:
                chain.append(found)
            qname = self.base_of.get(qname)
        result: Restriction | None = None
        for item in reversed(chain):
            result = item.merged(result)
        return result


def _resolve(prefixed: str, node: etree._Element) -> str:
    prefix, _, local = prefixed.rpartition(":")
    ns = node.nsmap.get(prefix or None, "")
    return f"{{{ns}}}{local}" if ns else local


def index_documents(documents: list[tuple[bytes, str | None]]) -> FacetIndex:
    """Index every simpleType restriction of these documents (bytes, schema tns override)."""
    index = FacetIndex()
    for content, tns_override in documents:
        try:
            root = etree.fromstring(content, parser=hardened_parser())
        except etree.XMLSyntaxError:
            continue
        schemas = [root] if root.tag == f"{{{XS}}}schema" else root.iter(f"{{{XS}}}schema")
        for schema in schemas:
            tns = schema.get("targetNamespace") or tns_override or ""
            _index_schema(schema, tns, index)
    return index


def _index_schema(schema: etree._Element, tns: str, index: FacetIndex) -> None:
    for simple in schema.iter(f"{{{XS}}}simpleType"):
        parent = simple.getparent()
        if parent is None:
            continue
        name = simple.get("name") if parent is schema else parent.get("name")
        if not name:
            continue
        qname = f"{{{tns}}}{name}" if tns else name
        restriction = simple.find(f"{{{XS}}}restriction")
        if restriction is None:
            continue
        found = Restriction()
        for child in restriction:
            local = etree.QName(child).localname if isinstance(child.tag, str) else ""
            value = child.get("value")
            if value is None:
                continue
            if local == "enumeration":
                found.enumeration.append(value)
            elif local in _FACETS:
                found.facets.setdefault(local, []).append(value)
        base = restriction.get("base")
        if qname in index.by_qname and index.by_qname[qname] != found:
            index.ambiguous.add(qname)  # two anonymous types zeep names alike: keep neither
            continue
        index.by_qname[qname] = found
        if base:
            index.base_of[qname] = _resolve(base, restriction)
