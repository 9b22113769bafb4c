"""A hardened lxml parser: no entities, no network, no DTDs, no huge trees."""

from __future__ import annotations

from lxml import etree


class UnsafeXML(ValueError):
    """The document carried a DTD; we refuse those outright."""


def _parser() -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        huge_tree=False,
        load_dtd=False,
        dtd_validation=False,
        remove_blank_text=True,
    )


def parse_xml(body: bytes) -> etree._Element:
    """Parse bytes, raising etree.XMLSyntaxError on bad XML and UnsafeXML on a DOCTYPE."""
    root = etree.fromstring(body, parser=_parser())
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise UnsafeXML("DTDs are not allowed")
    return root
