"""A minimal valid GraphQL input for an operation, from its generated types: what the round
trip (and, later, a generated sandbox) sends. Only required fields are filled, with values that
satisfy the field's enumeration and length facets; recursion stops at optional fields."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from colonnade.wsdl_import.model import EnumModel, FieldModel, ObjectModel

_SAMPLES: dict[str, Any] = {
    "String": "0000000010",
    "Int": 1,
    "Long": "1",
    "Decimal": "1",
    "Float": 1.5,
    "Boolean": True,
    "DateTime": "2024-03-31T01:30:00+02:00",
    "Date": "2024-03-31",
    "Time": "01:30:00+02:00",
    "Duration": "P1D",
    "Base64": "AAE=",
    "HexBinary": "0001",
    "JSON": None,  # no schema says what XML to build: a sample leaves it out
}


def _scalar(f: FieldModel, enums: Mapping[str, EnumModel]) -> Any:
    if f.kind == "enum":
        return next(iter(enums[f.type_name].values))
    r = f.restriction
    if r and r.enumeration:
        return r.enumeration[0] if f.type_name == "String" else _SAMPLES[f.type_name]
    value = _SAMPLES.get(f.type_name, "x")
    if isinstance(value, str) and r and f.type_name == "String":
        for facet in ("length", "maxLength"):
            if facet in r.facets:
                value = value[-int(r.facets[facet][0]) :] if int(r.facets[facet][0]) else ""
    return value


def sample_input(
    fields: list[FieldModel],
    objects: Mapping[str, ObjectModel],
    enums: Mapping[str, EnumModel],
    _depth: int = 0,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    branches = [f for f in fields if f.in_choice]
    # a choice's branches are all optional in GraphQL, but the choice itself usually is
    # not: send its first branch
    first_branch = branches[0] if branches and _depth <= 12 else None
    for f in fields:
        if (not f.required and f is not first_branch) or _depth > 12:
            continue
        if f.kind == "object":
            value: Any = sample_input(objects[f.type_name].fields, objects, enums, _depth + 1)
        else:
            value = _scalar(f, enums)
            if value is None:
                continue
        out[f.name] = [value] if f.is_list else value
    return out
