"""XSD built-in types → GraphQL scalars, chosen so that no value changes on the way through.

GraphQL's ``Int`` is 32-bit and ``Float`` is a double: an ``xs:long`` order number or an
``xs:decimal`` amount would silently change in either, so they become string-encoded scalars.
Strings stay ``String`` whatever they look like ("0000000010" keeps its zeros). Dates and times
keep their time zone (their lexical XSD form is passed through, never re-parsed into a naive
value).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from zeep.xsd.types import builtins as b


@dataclass(frozen=True, slots=True)
class Scalar:
    name: str
    description: str
    specified_by: str | None = None


SCALARS: dict[str, Scalar] = {
    s.name: s
    for s in (
        Scalar(
            "Decimal",
            'xs:decimal as its exact decimal string (never a float), e.g. "1234.50"',
            "https://www.w3.org/TR/xmlschema11-2/#decimal",
        ),
        Scalar(
            "Long",
            "an XSD integer beyond 32 bits (xs:long, xs:integer, xs:unsignedLong, "
            "xs:nonNegativeInteger, ...) as its decimal string: GraphQL Int is 32-bit",
            "https://www.w3.org/TR/xmlschema11-2/#integer",
        ),
        Scalar(
            "DateTime",
            "xs:dateTime in its lexical form, time zone kept as sent (RFC 3339 when it has one)",
            "https://www.w3.org/TR/xmlschema11-2/#dateTime",
        ),
        Scalar(
            "Date",
            "xs:date in its lexical form, with its time zone if it has one",
            "https://www.w3.org/TR/xmlschema11-2/#date",
        ),
        Scalar(
            "Time",
            "xs:time in its lexical form, with its time zone if it has one",
            "https://www.w3.org/TR/xmlschema11-2/#time",
        ),
        Scalar(
            "Duration",
            "xs:duration in its lexical form",
            "https://www.w3.org/TR/xmlschema11-2/#duration",
        ),
        Scalar(
            "Base64",
            "xs:base64Binary as base64 text (RFC 4648); round-trips byte for byte",
            "https://www.rfc-editor.org/rfc/rfc4648#section-4",
        ),
        Scalar(
            "HexBinary",
            "xs:hexBinary as hex text",
            "https://www.w3.org/TR/xmlschema11-2/#hexBinary",
        ),
        Scalar(
            "JSON",
            "xs:any / xs:anyType content that has no schema: passed as JSON",
            "https://www.rfc-editor.org/rfc/rfc8259",
        ),
    )
}

# Most specific first: zeep's Int subclasses Long subclasses Integer subclasses Decimal, so the
# lookup walks the type's MRO and stops at the first class listed here.
_BUILTIN: dict[type, str] = {
    b.Byte: "Int",
    b.Short: "Int",
    b.Int: "Int",
    b.UnsignedByte: "Int",
    b.UnsignedShort: "Int",
    b.UnsignedInt: "Long",  # up to 2^32-1: beyond GraphQL Int
    b.Long: "Long",
    b.UnsignedLong: "Long",
    b.PositiveInteger: "Long",
    b.NonNegativeInteger: "Long",
    b.NegativeInteger: "Long",
    b.NonPositiveInteger: "Long",
    b.Integer: "Long",
    b.Decimal: "Decimal",
    b.Float: "Float",
    b.Double: "Float",
    b.Boolean: "Boolean",
    b.DateTime: "DateTime",
    b.Date: "Date",
    b.Time: "Time",
    b.Duration: "Duration",
    b.Base64Binary: "Base64",
    b.HexBinary: "HexBinary",
    b.String: "String",
    b.AnyURI: "String",
    b.QName: "String",
    b.Notation: "String",
    b.gYear: "String",
    b.gYearMonth: "String",
    b.gMonth: "String",
    b.gMonthDay: "String",
    b.gDay: "String",
}


def scalar_for(xsd_type: object) -> str:
    """The GraphQL scalar for a zeep simple type (built-in or derived by restriction)."""
    for cls in type(xsd_type).__mro__:
        if cls in _BUILTIN:
            return _BUILTIN[cls]
    return "String"  # anySimpleType, unions: their lexical form, unchanged


_INVALID = re.compile(r"[^_0-9A-Za-z]")
RESERVED_TYPE_NAMES = frozenset(
    {"Query", "Mutation", "Subscription", "String", "Int", "Float", "Boolean", "ID", *SCALARS}
)


def graphql_name(raw: str, *, fallback: str = "_") -> str:
    """A valid GraphQL name for an XML name: invalid characters become ``_``, a leading digit
    gets a ``_`` prefix, and a leading ``__`` (reserved for introspection) is reduced."""
    name = _INVALID.sub("_", raw.strip()) or fallback
    if name[0].isdigit():
        name = "_" + name
    while name.startswith("__"):
        name = name[1:]
    return name


def enum_value_name(raw: str) -> str:
    name = graphql_name(raw, fallback="EMPTY")
    if name in ("true", "false", "null"):
        name = "_" + name
    return name


def pascal(raw: str) -> str:
    name = graphql_name(raw)
    return name[0].upper() + name[1:] if name[0].isalpha() else name


def camel(raw: str) -> str:
    name = graphql_name(raw)
    return name[0].lower() + name[1:] if name[0].isalpha() else name
