"""A minimal valid GraphQL input for an operation, from its generated types: what the round
trip (and, later, a generated sandbox) sends. Only required fields are filled, with values that
satisfy the field's enumeration and length facets; recursion stops at optional fields."""

from __future__ import annotations

import re
from collections.abc import Mapping
from re import _parser as re_parser  # type: ignore[attr-defined]  # Python 3.11+'s own
from typing import Any

from elementpath.regex import translate_pattern

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
    "JSON": "0000000010",  # xs:any(Type): text is content every such element accepts
}


def pattern_sample(pattern: str) -> str | None:
    """A short string matching an XSD pattern (``\\d{4}-\\d{2}-\\d{2}`` → ``0000-00-00``):
    the pattern in Python's dialect (``elementpath``, as ``validate`` does), then built from
    Python's own parse of it; None when a construct has no simple sample."""
    try:
        python = translate_pattern(pattern, anchors=False)
        text = "".join(_build(re_parser.parse(python)))
    except (re.error, ValueError, _Unsupported, RecursionError):
        return None
    return text if re.fullmatch(python, text) else None


class _Unsupported(Exception):
    pass


def _build(items: Any) -> list[str]:
    out: list[str] = []
    for op, av in items:
        name = str(op)
        if name == "LITERAL":
            out.append(chr(av))
        elif name == "NOT_LITERAL":
            out.append("~" if av != ord("~") else "!")
        elif name == "ANY":
            out.append("a")
        elif name == "IN":
            out.append(_first_in(av))
        elif name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            low, _high, inner = av
            out.extend(_build(inner) * low)
        elif name == "SUBPATTERN":
            out.extend(_build(av[-1]))
        elif name == "BRANCH":
            out.extend(_build(av[1][0]))
        elif name in ("AT", "ASSERT", "ASSERT_NOT"):
            continue
        elif name == "CATEGORY":
            out.append(_CATEGORIES.get(str(av), "a"))
        else:
            raise _Unsupported(name)
    return out


_CATEGORIES = {"CATEGORY_DIGIT": "0", "CATEGORY_WORD": "a", "CATEGORY_SPACE": " "}


def _first_in(items: Any) -> str:
    negated = any(str(op) == "NEGATE" for op, _ in items)
    if negated:
        return "~"  # not in a class that excludes it: good enough for a sample
    op, av = items[0]
    name = str(op)
    if name == "LITERAL":
        return chr(av)
    if name == "RANGE":
        return chr(av[0])
    if name == "CATEGORY":
        return _CATEGORIES.get(str(av), "a")
    raise _Unsupported(name)


def _scalar(f: FieldModel, enums: Mapping[str, EnumModel]) -> Any:
    if f.kind == "enum":
        return next(iter(enums[f.type_name].values))
    r = f.restriction
    if r and r.enumeration:
        return r.enumeration[0] if f.type_name == "String" else _SAMPLES[f.type_name]
    value = _SAMPLES.get(f.type_name, "x")
    if r and "pattern" in r.facets and f.type_name == "String":
        matching = pattern_sample(r.facets["pattern"][0])
        if matching is not None:
            return matching
    if isinstance(value, str) and r and f.type_name == "String":
        for facet in ("length", "maxLength"):
            if facet in r.facets:
                value = value[-int(r.facets[facet][0]) :] if int(r.facets[facet][0]) else ""
    return value


_MAX_DEPTH = 12


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
    first_branch = branches[0] if branches and _depth < _MAX_DEPTH else None
    for f in fields:
        if not f.required and f is not first_branch:
            continue
        if f.kind == "object" and _depth >= _MAX_DEPTH:
            # a recursive input ends here: its lists empty, its required parts with only
            # their scalars, and nothing at all past a few more levels
            if f.is_list:
                out[f.name] = []
            elif _depth < _MAX_DEPTH + 4:
                out[f.name] = sample_input(objects[f.type_name].fields, objects, enums, _depth + 1)
            continue
        if f.source == "any":
            out[f.name] = (
                ["<value>0000000010</value>"] if f.is_list else "<value>0000000010</value>"
            )
            continue
        if f.kind == "object":
            value: Any = sample_input(objects[f.type_name].fields, objects, enums, _depth + 1)
        else:
            value = _scalar(f, enums)
            if value is None:
                continue
        out[f.name] = [value] if f.is_list else value
    return out


# Reply samples: values a lossy mapping would change (leading zeros, 2^53+1, a trailing zero,
# a +02:00 zone, non-ASCII bytes), so a round trip that keeps them proves the rules hold.
_OUTPUT: dict[str, Any] = {
    "Int": 7,
    "Long": "9007199254740993",  # 2^53 + 1: beyond 32 bits and beyond a double
    "Decimal": "1234.50",
    "Float": 2.5,
    "Boolean": True,
    "DateTime": "2024-03-31T01:30:00+02:00",
    "Date": "2024-03-31",
    "Time": "01:30:00+02:00",
    "Duration": "P1DT2H",
    "Base64": "AAH/",  # bytes 00 01 ff
    "HexBinary": "00FF",
}


def _output_string(f: FieldModel, index: int) -> str:
    value = f"{(index + 1) * 10:010d}"  # "0000000010", "0000000020": zeros and order
    facets = f.restriction.facets if f.restriction else {}
    for facet in ("length", "maxLength"):
        if facet in facets:
            size = int(facets[facet][0])
            value = value[-size:] if size else ""
    if "minLength" in facets and len(value) < int(facets["minLength"][0]):
        value = value.rjust(int(facets["minLength"][0]), "0")
    return value


def _output_decimal(f: FieldModel) -> str:
    facets = f.restriction.facets if f.restriction else {}
    whole, fraction = "1234", "50"
    if "fractionDigits" in facets:
        fraction = fraction[: int(facets["fractionDigits"][0])]
    if "totalDigits" in facets:
        whole = whole[-max(1, int(facets["totalDigits"][0]) - len(fraction)) :]
    return f"{whole}.{fraction}" if fraction else whole


def _output_scalar(f: FieldModel, enums: Mapping[str, EnumModel], index: int) -> Any:
    if f.kind == "enum":
        return next(iter(enums[f.type_name].values))
    r = f.restriction
    if r and r.enumeration:
        raw = r.enumeration[0]
        converters: dict[str, Any] = {"Int": int, "Float": float, "Boolean": _boolean}
        return converters.get(f.type_name, str)(raw)
    if f.source == "any":  # xs:any: an element of no schema, as its XML text
        return f'<sample xmlns="urn:colonnade:sample">{_output_string(f, index)}</sample>'
    if f.type_name in ("String", "JSON"):
        return _output_string(f, index)
    if f.type_name == "Decimal":
        return _output_decimal(f)
    if f.type_name == "Int" and r and "maxInclusive" in r.facets:
        return min(_OUTPUT["Int"], int(r.facets["maxInclusive"][0]))
    return _OUTPUT.get(f.type_name, _output_string(f, index))


def _boolean(raw: str) -> bool:
    return raw.strip() in ("true", "1")


class _Budget:
    """How many values one sample may still hold: deep schemas (EWS) fan out quickly."""

    def __init__(self, size: int) -> None:
        self.left = size

    def take(self) -> bool:
        self.left -= 1
        return self.left >= 0


def sample_output(
    f: FieldModel,
    objects: Mapping[str, ObjectModel],
    enums: Mapping[str, EnumModel],
    *,
    items: int = 2,
    budget: int = 400,
) -> Any:
    """A deterministic GraphQL value for a reply field (what ``to_graphql`` should give back).

    Every field is filled, optional ones too, so a round trip sees data; a repeated element
    holds ``items`` entries (0 and 1 are the interesting edge cases; never fewer than its
    minOccurs); a choice sends its first branch; a type already on the path is entered again
    only when required (recursion ends), and once ``budget`` values are spent only required
    fields are filled."""
    return _value(f, objects, enums, items, _Budget(budget), frozenset(), 0)


def _value(
    f: FieldModel,
    objects: Mapping[str, ObjectModel],
    enums: Mapping[str, EnumModel],
    items: int,
    budget: _Budget,
    path: frozenset[str],
    depth: int,
) -> Any:
    def one(index: int) -> Any:
        budget.take()
        if f.kind != "object":
            return _output_scalar(f, enums, index)
        return _object(objects[f.type_name], objects, enums, items, budget, path, depth + 1)

    if f.is_list:
        return [one(i) for i in range(max(items, f.min_occurs))]
    return one(0)


def _object(
    obj: ObjectModel,
    objects: Mapping[str, ObjectModel],
    enums: Mapping[str, EnumModel],
    items: int,
    budget: _Budget,
    path: frozenset[str],
    depth: int,
) -> dict[str, Any]:
    out: dict[str, Any] = {}
    here = path | {obj.name}
    branch = next((g for g in obj.fields if g.in_choice and g.source != "any"), None)
    for g in obj.fields:
        if g.name == "_empty" or (g.in_choice and g is not branch):
            continue
        required = g.required or g is branch
        if g.type_name == "JSON" and not required:
            continue  # no schema says what to put there: left out unless it must be sent
        if g.kind == "object" and (g.type_name in here or depth > 12):
            if g.is_list and required:  # a tree's required list ends as an empty one
                out[g.name] = []
                continue
            if not required or depth > 12:  # recursion ends at an optional field
                continue
        elif not required and budget.left <= 0:
            continue
        out[g.name] = _value(g, objects, enums, items, budget, here, depth)
    return out
