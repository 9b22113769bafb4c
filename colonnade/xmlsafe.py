"""The one way Colonnade parses XML it did not write: WSDLs and XSDs, SOAP replies and faults,
xs:any content a client sends, recorded contracts.

No entities are resolved, no DTD is loaded, nothing is fetched from the network, and libxml2's
limits stay on (``huge_tree`` off: a text node over 10 MB or nesting over 256 levels is a syntax
error). lxml serializes the users of one parser object, so each thread (the event loop, the
parse threads) gets its own rather than waiting in line.
"""

from __future__ import annotations

import threading

from lxml import etree

_LOCAL = threading.local()


class UnsafeXML(ValueError):
    """The document carried a DTD (``<!DOCTYPE …>``): refused, never forwarded."""


def hardened_parser() -> etree.XMLParser:
    """This thread's hardened parser."""
    parser: etree.XMLParser | None = getattr(_LOCAL, "parser", None)
    if parser is None:
        parser = _LOCAL.parser = etree.XMLParser(
            resolve_entities=False,
            no_network=True,
            huge_tree=False,
            load_dtd=False,
            remove_comments=True,
        )
    return parser


def parse_untrusted(content: bytes | str) -> etree._Element:
    """Parse a document a client or provider sent: ``etree.XMLSyntaxError`` when it is not
    XML, ``UnsafeXML`` when it carries a DTD."""
    root = etree.fromstring(content, parser=hardened_parser())
    info = root.getroottree().docinfo
    if info.doctype or info.internalDTD is not None:
        raise UnsafeXML("DTDs are not allowed")
    return root
