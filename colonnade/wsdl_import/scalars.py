"""The GraphQL scalars an imported WSDL needs beyond the graph's own, defined once for every
imported service (two WSDLs that both use ``xs:long`` share one ``Long``).

``Date``, ``DateTime`` and ``Decimal`` are the graph's existing scalars (Strawberry's): a
frontend sees one ``DateTime`` whichever provider answers. The others carry the XSD lexical
form as a string, checked on input, so nothing is rounded or reformatted on the way through:
a 64-bit ``xs:long`` is beyond GraphQL ``Int``, and ``xs:time``, ``xs:duration`` and the
binary types have no GraphQL counterpart. ``JSON`` is Strawberry's.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable
from typing import Any, NewType

import strawberry
from graphql import GraphQLError, StringValueNode, ValueNode
from strawberry.scalars import JSON
from strawberry.types.scalar import ScalarDefinition

from colonnade.wsdl_import.types import SCALARS

_INTEGER = re.compile(r"[+-]?[0-9]+")
_TIME = re.compile(r"([01][0-9]|2[0-4]):[0-5][0-9]:[0-5][0-9](\.[0-9]+)?(Z|[+-][0-9]{2}:[0-9]{2})?")
_DURATION = re.compile(
    r"-?P(?=[0-9T])([0-9]+Y)?([0-9]+M)?([0-9]+D)?(T(?=[0-9])([0-9]+H)?([0-9]+M)?([0-9]+(\.[0-9]+)?S)?)?"
)


def _checked(name: str, pattern: re.Pattern[str]) -> Callable[[object], str]:
    def parse(value: object) -> str:
        if not isinstance(value, str) or not pattern.fullmatch(value):
            raise GraphQLError(
                f"{str(value)[:40]!r} is not a valid {name} ({SCALARS[name].description})"
            )
        return value

    return parse


def _base64(value: object) -> str:
    if not isinstance(value, str):
        raise GraphQLError("expected base64 text")
    try:
        base64.b64decode(value, validate=True)
    except binascii.Error:
        raise GraphQLError("not valid base64 text (RFC 4648)") from None
    return value


def _hex(value: object) -> str:
    if not isinstance(value, str):
        raise GraphQLError("expected hex text")
    try:
        bytes.fromhex(value)
    except ValueError:
        raise GraphQLError("not valid hex text (an even number of 0-9, A-F)") from None
    return value


Long = NewType("Long", str)
Time = NewType("Time", str)
Duration = NewType("Duration", str)
Base64 = NewType("Base64", str)
HexBinary = NewType("HexBinary", str)


def _literal(parse: Callable[[object], str]) -> Callable[..., str]:
    """The same check for a value written in the query as for one sent as a variable
    (without it graphql-core would take the literal unchecked)."""

    def parse_literal(node: ValueNode, _variables: dict[str, Any] | None = None) -> str:
        if isinstance(node, StringValueNode):
            return parse(node.value)
        raise GraphQLError(f"expected a string, got {node.kind.replace('_', ' ')}")

    return parse_literal


def _definition(name: str, parse: Callable[[object], str]) -> ScalarDefinition:
    spec = SCALARS[name]
    return strawberry.scalar(
        name=name,
        description=spec.description,
        specified_by_url=spec.specified_by,
        serialize=str,
        parse_value=parse,
        parse_literal=_literal(parse),
    )


SCALAR_MAP: dict[object, ScalarDefinition] = {
    Long: _definition("Long", _checked("Long", _INTEGER)),
    Time: _definition("Time", _checked("Time", _TIME)),
    Duration: _definition("Duration", _checked("Duration", _DURATION)),
    Base64: _definition("Base64", _base64),
    HexBinary: _definition("HexBinary", _hex),
}
"""What a graph part using these declares (``GraphPart.scalars``)."""

__all__ = ["JSON", "SCALAR_MAP", "Base64", "Duration", "HexBinary", "Long", "Time"]
