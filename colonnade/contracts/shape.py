"""The shape of a message: every field path it carries and the kinds of value seen there.

A shape is a flat mapping ``path → sorted kinds``: JSON ``{"data": [{"id": "pi_1"}]}`` becomes
``{"data": ["array"], "data[].id": ["string"]}``; XML uses element local names (namespaces are
a binding detail) and ``@attr`` for attributes, with ``[]`` where an element repeats under one
parent. Flat paths make a field-by-field diff a dictionary comparison, and a JSON file of them is
easy to review when a recorded contract changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from lxml import etree

from colonnade.xmlsafe import hardened_parser

Shape = dict[str, list[str]]


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def shape_of_json(value: Any) -> Shape:
    found: dict[str, set[str]] = {}

    def walk(v: Any, path: str) -> None:
        if path:
            found.setdefault(path, set()).add(_kind(v))
        if isinstance(v, dict):
            for key, child in v.items():
                walk(child, f"{path}.{key}" if path else str(key))
        elif isinstance(v, list):
            for child in v:
                walk(child, f"{path}[]")

    walk(value, "")
    return {p: sorted(k) for p, k in sorted(found.items())}


def shape_of_xml(content: bytes) -> Shape:
    """Element and attribute paths of an XML document (hardened parser: no DTD, no entities)."""
    root = etree.fromstring(content, parser=hardened_parser())
    found: dict[str, set[str]] = {}

    def walk(el: etree._Element, path: str) -> None:
        children = [c for c in el if isinstance(c.tag, str)]
        for name in el.attrib:
            found.setdefault(f"{path}.@{etree.QName(name).localname}", set()).add("string")
        if not children:
            found.setdefault(path, set()).add("text" if (el.text or "").strip() else "empty")
            return
        found.setdefault(path, set()).add("element")
        names = [etree.QName(c).localname for c in children]
        for child, name in zip(children, names, strict=True):
            repeated = names.count(name) > 1 or name == "item"
            walk(child, f"{path}.{name}{'[]' if repeated else ''}")

    walk(root, etree.QName(root).localname)
    return {p: sorted(k) for p, k in sorted(found.items())}


def merge(shapes: Iterable[Shape]) -> Shape:
    """One shape for several samples of the same interaction: kinds are unioned per path."""
    found: dict[str, set[str]] = {}
    for shape in shapes:
        for path, kinds in shape.items():
            found.setdefault(path, set()).update(kinds)
    return {p: sorted(k) for p, k in sorted(found.items())}
