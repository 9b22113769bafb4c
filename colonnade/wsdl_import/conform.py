"""Does a GraphQL value fit the generated SDL's type? Checked strictly against the schema
graphql-core built from the SDL — not against our own model — so a mapping bug and an SDL bug
both show: a non-null list that is not a list, a ``null`` inside ``[T!]!``, an ``Int`` beyond 32
bits, a ``Decimal`` that is a float, an enum name the type does not declare, a field the type
does not have. (graphql-core's own serializers would coerce ``1`` into ``"1"``; this does not.)
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from graphql import (
    GraphQLEnumType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
)

_INT32 = (-(2**31), 2**31 - 1)
_DECIMAL = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")
_LONG = re.compile(r"[+-]?\d+")


def _base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


def _hex(value: str) -> bool:
    try:
        bytes.fromhex(value)
    except ValueError:
        return False
    return True


def _json(value: Any) -> bool:
    try:
        json.dumps(value)
    except (TypeError, ValueError):
        return False
    return True


_SCALARS: dict[str, Callable[[Any], bool]] = {
    "String": lambda v: isinstance(v, str),
    "ID": lambda v: isinstance(v, str),
    "Boolean": lambda v: isinstance(v, bool),
    "Int": lambda v: isinstance(v, int) and not isinstance(v, bool) and _INT32[0] <= v <= _INT32[1],
    "Float": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "Decimal": lambda v: isinstance(v, str) and _DECIMAL.fullmatch(v) is not None,
    "Long": lambda v: isinstance(v, str) and _LONG.fullmatch(v) is not None,
    "Base64": lambda v: isinstance(v, str) and _base64(v),
    "HexBinary": lambda v: isinstance(v, str) and _hex(v),
    "JSON": _json,
}


def violations(value: Any, gql_type: GraphQLOutputType, path: str = "") -> list[str]:
    """Every place ``value`` does not fit ``gql_type`` (empty: it fits)."""
    where = path or "<root>"
    if isinstance(gql_type, GraphQLNonNull):
        if value is None:
            return [f"{where}: null for non-null {gql_type}"]
        return violations(value, gql_type.of_type, path)
    if value is None:
        return []
    if isinstance(gql_type, GraphQLList):
        if not isinstance(value, list):
            return [f"{where}: {type(value).__name__} for list {gql_type}"]
        out: list[str] = []
        for i, item in enumerate(value):
            out += violations(item, gql_type.of_type, f"{path}[{i}]")
        return out
    if isinstance(gql_type, GraphQLObjectType):
        if not isinstance(value, dict):
            return [f"{where}: {type(value).__name__} for object {gql_type.name}"]
        out = [
            f"{where}.{k}: not a field of {gql_type.name}"
            for k in value
            if k not in gql_type.fields
        ]
        for name, gql_field in gql_type.fields.items():
            out += violations(value.get(name), gql_field.type, f"{path}.{name}" if path else name)
        return out
    if isinstance(gql_type, GraphQLEnumType):
        if value not in gql_type.values:
            return [f"{where}: {value!r} is not a value of enum {gql_type.name}"]
        return []
    if isinstance(gql_type, GraphQLScalarType):
        check = _SCALARS.get(gql_type.name, lambda v: isinstance(v, str))
        if not check(value):
            return [f"{where}: {type(value).__name__} {value!r} is not a {gql_type.name}"]
        return []
    return [f"{where}: unexpected GraphQL type {gql_type}"]
