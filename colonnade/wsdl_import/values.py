"""zeep's reply values → the GraphQL values the generated SDL promises, without loss.

The rules the SDL advertises hold here: a repeated element is ``[]`` when empty and ``[item]``
with one item (never ``null`` or ``[null]``); ``Decimal`` and ``Long`` travel as their exact
decimal strings; dates and times keep the time zone zeep parsed (``isoformat``); binary is
base64 text; an enumeration's XML value becomes its GraphQL name. zeep reads a present-but-empty
element as ``None``: for a required element whose type only wraps lists (SAP's tables, .NET's
``ArrayOf…``) that means an empty table, so its lists come back as ``[]``.
"""

from __future__ import annotations

import base64
import datetime as dt
from collections.abc import Mapping
from decimal import Decimal
from typing import Any

import isodate  # type: ignore[import-untyped]  # zeep's own dependency, untyped
from lxml import etree
from zeep.xsd import types as xt

from colonnade.wsdl_import.model import EnumModel, FieldModel, ObjectModel
from colonnade.xmlsafe import UnsafeXML, parse_untrusted


def _scalar(type_name: str, value: Any, enums: Mapping[str, EnumModel]) -> Any:
    if type_name in enums:
        reverse = {raw: gql for gql, raw in enums[type_name].values.items()}
        return reverse.get(str(value), str(value))
    if type_name in ("Decimal", "Long"):
        return format(value, "f") if isinstance(value, Decimal) else str(value)
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta | isodate.Duration):  # zeep parses xs:duration
        return str(isodate.duration_isoformat(value))
    if isinstance(value, bytes) and type_name == "Base64":
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, bytes) and type_name == "HexBinary":
        return value.hex().upper()
    if type_name == "JSON" and isinstance(value, etree._Element):
        return etree.tostring(value, encoding="unicode")
    if type_name == "JSON" and isinstance(value, list):
        return [_scalar("JSON", v, enums) for v in value]
    return value


def _get(value: Any, key: str) -> Any:
    """An element's value: by key, never by attribute (an element named ``__init__`` or
    ``keys`` would read a method of zeep's value object)."""
    if isinstance(value, Mapping):
        return value.get(key)
    values = getattr(value, "__values__", None)  # zeep's CompoundValue keeps them here
    if isinstance(values, Mapping):
        return values.get(key)
    return None


def _is_list_wrapper(obj: ObjectModel) -> bool:
    return any(f.is_list for f in obj.fields) and all(
        f.is_list or not f.required for f in obj.fields
    )


def to_graphql(
    value: Any,
    f: FieldModel,
    objects: Mapping[str, ObjectModel],
    enums: Mapping[str, EnumModel],
) -> Any:
    """The GraphQL value of one field of a zeep reply."""
    if f.is_list:
        if value is None:
            return []
        items = value if isinstance(value, list) else [value]
        single = FieldModel(**{**_fields(f), "is_list": False})
        mapped = (to_graphql(item, single, objects, enums) for item in items)
        return [item for item in mapped if item is not None]  # never [null]
    if f.kind != "object":
        return None if value is None else _scalar(f.type_name, value, enums)
    obj = objects[f.type_name]
    if f.nillable and _nothing_in(value):
        value = None
    if value is None:
        if f.required and _is_list_wrapper(obj):
            return {g.name: [] if g.is_list else None for g in obj.fields}
        return None
    return {g.name: to_graphql(_member(value, g), g, objects, enums) for g in obj.fields}


def _nothing_in(value: Any) -> bool:
    """zeep reads ``xsi:nil="true"`` on a complex element as an object whose every member is
    None (it does not read the nil attribute): for a nillable element that is null."""
    members = getattr(value, "__values__", None)
    return isinstance(members, Mapping) and all(v is None or v == [] for v in members.values())


def _member(value: Any, f: FieldModel) -> Any:
    if f.group is None:
        return _get(value, f.xml_name)
    entries = _get(value, f.group) or []  # a repeated choice: [{branch: value}, ...]
    return [_get(e, f.xml_name) for e in entries if _get(e, f.xml_name) is not None]


def _fields(f: FieldModel) -> dict[str, Any]:
    return {name: getattr(f, name) for name in FieldModel.__slots__}


def _to_wire_scalar(type_name: str, value: Any, enums: Mapping[str, EnumModel]) -> Any:
    if type_name in enums:
        return enums[type_name].values.get(str(value), value)
    if type_name == "Decimal":
        return Decimal(str(value))
    if type_name == "Long":
        return int(str(value))
    if type_name == "Base64":
        return base64.b64decode(str(value), validate=True)
    if type_name == "HexBinary":  # zeep's hexBinary takes and gives the hex text itself
        bytes.fromhex(str(value))  # ... so it is only checked here
        return str(value)
    return value  # dates and times go as their lexical form: zeep passes strings through


MAX_ANY_BYTES = 64 * 1024
"""xs:any content a client may send as XML text: a document, not a file upload."""


def _any_element(value: Any) -> Any:
    """xs:any content given as XML text (what ``to_graphql`` gives for it) goes as that
    element, read with the hardened parser; a DTD is refused, not forwarded (its entity
    references would reach the provider unexpanded, or expanded by a lax one)."""
    if not isinstance(value, str):
        return value
    if not value.lstrip().startswith("<"):
        raise ValueError("xs:any content is XML text, e.g. <item>…</item>")
    if len(value.encode()) > MAX_ANY_BYTES:
        raise ValueError(f"xs:any content is larger than {MAX_ANY_BYTES // 1024} KiB")
    try:
        return parse_untrusted(value)
    except UnsafeXML:
        raise ValueError("xs:any content may not carry a DTD (<!DOCTYPE …>)") from None
    except etree.XMLSyntaxError as exc:
        raise ValueError(f"xs:any content is not well-formed XML: {exc}") from None


def to_zeep(
    values: Mapping[str, Any],
    fields: list[FieldModel],
    objects: Mapping[str, ObjectModel],
    enums: Mapping[str, EnumModel],
) -> dict[str, Any]:
    """GraphQL input (by field name) → zeep's keyword arguments (by XML name). An absent
    nillable element is sent as ``xsi:nil`` only when the client passed an explicit null."""
    out: dict[str, Any] = {}
    for f in fields:
        if f.name not in values:
            continue
        value = values[f.name]
        if value is None:
            if f.nillable:
                out[f.xml_name] = None
            continue
        items = value if f.is_list else [value]
        converted = [
            to_zeep(item, objects[f.type_name].fields, objects, enums)
            if f.kind == "object"
            else _any_element(item)
            if f.source == "any"
            else _to_wire_scalar(f.type_name, item, enums)
            for item in items
        ]
        if f.group is not None:  # a branch of a repeated choice
            out.setdefault(f.group, []).extend({f.xml_name: item} for item in converted)
            continue
        out[f.xml_name] = converted if f.is_list else converted[0]
    return out


def zeep_objects(xsd_type: Any, value: Any) -> Any:
    """``to_zeep``'s plain dicts and lists as zeep's value objects wherever a SOAP-encoded
    array is on the way. zeep builds objects from nested dicts itself, except inside an
    encoded array: its items stay dicts, and a dict item holding another array is written
    without it ("Missing element for Any"). rpc/encoded services (Omniture, Delphi) nest
    arrays in array items, so those are built here, guided by zeep's types."""
    if value is None or not isinstance(xsd_type, xt.ComplexType):
        return value
    array = getattr(xsd_type, "_array_type", None)
    item_type = getattr(array, "array_type", None) if array is not None else None
    if item_type is not None and isinstance(value, list):
        return xsd_type([zeep_objects(item_type, v) for v in value])
    if not isinstance(value, dict):
        return value
    out = dict(value)
    for name, element in xsd_type.elements:
        if name in out and hasattr(element, "type"):
            current = out[name]
            if isinstance(current, list) and getattr(element, "accepts_multiple", False):
                out[name] = [zeep_objects(element.type, v) for v in current]
            else:
                out[name] = zeep_objects(element.type, current)
    return out
