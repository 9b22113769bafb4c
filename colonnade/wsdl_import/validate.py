"""Enforce on input what the XSD says, before any call: required elements, enumerations,
patterns, lengths, ranges and digits — the facets zeep does not check when it serializes.

Patterns are XSD regular expressions (implicitly anchored, with ``\\i``/``\\c`` classes and
no back-references); ``elementpath`` (a dependency of ``xmlschema``) translates them to
Python's dialect, which is why they are not handled with ``re`` directly.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from elementpath.regex import translate_pattern

from colonnade.errors import BadUserInput
from colonnade.http_request import count_values
from colonnade.wsdl_import.model import FieldModel, ObjectModel


@dataclass(frozen=True, slots=True)
class Violation:
    path: str
    rule: str
    message: str


@lru_cache(maxsize=1024)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(translate_pattern(pattern, anchors=False))


def _decimal(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except InvalidOperation:
        return None


MAX_VALUES = 10_000
"""Values in one operation's input: a real request sends a few hundred; more is refused before
any work is done on them (a 1 MB body of empty objects is 200,000 values)."""
MAX_DIGITS = 1_000
"""Digits a number may take written out: ``1e49999999`` is 50 MB of SOAP."""
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def _check_lexical(f: FieldModel, value: Any, path: str) -> list[Violation]:
    """What every value of the type must be, restrictions or not: XML can carry it, and a
    number is a finite one of sane size."""
    if isinstance(value, str) and _NOT_XML.search(value):
        return [Violation(path, "xml", "contains a character XML 1.0 cannot carry")]
    if f.type_name in ("Decimal", "Long"):
        number = _decimal(value)
        if number is None or not number.is_finite():
            return [Violation(path, "number", f"{str(value)[:40]!r} is not a finite number")]
        exponent = int(number.as_tuple().exponent)
        if len(number.as_tuple().digits) + abs(exponent) > MAX_DIGITS:
            return [Violation(path, "number", f"more than {MAX_DIGITS} digits written out")]
    return []


def _check_value(f: FieldModel, value: Any, path: str) -> list[Violation]:
    lexical = _check_lexical(f, value, path)
    if lexical:
        return lexical
    r = f.restriction
    if r is None:
        return []
    out: list[Violation] = []
    text = value if isinstance(value, str) else str(value)
    if r.enumeration and f.kind != "enum" and text not in r.enumeration:
        out.append(Violation(path, "enumeration", f"must be one of {r.enumeration[:10]}"))
    facets = r.facets
    for pattern in facets.get("pattern", [])[:1]:  # several patterns in one step: any matches
        if not any(_compiled(p).fullmatch(text) for p in facets["pattern"]):
            out.append(Violation(path, "pattern", f"does not match the pattern {pattern!r}"))
    size = len(text)
    for rule, compare in (
        ("length", operator.eq),
        ("minLength", operator.ge),
        ("maxLength", operator.le),
    ):
        for bound in facets.get(rule, []):
            if not compare(size, int(bound)):
                out.append(Violation(path, rule, f"{rule} is {bound}, got {size} characters"))
    number = _decimal(value) if any(k.endswith(("clusive", "Digits")) for k in facets) else None
    if number is not None and number.is_finite():
        for rule, compare in (
            ("minInclusive", operator.ge),
            ("maxInclusive", operator.le),
            ("minExclusive", operator.gt),
            ("maxExclusive", operator.lt),
        ):
            for bound in facets.get(rule, []):
                limit = _decimal(bound)
                if limit is not None and not compare(number, limit):
                    out.append(Violation(path, rule, f"must be {rule} {bound}"))
        canonical = number.normalize().as_tuple()  # 12.50 → 1 2 5 E-1: zeros do not count
        exponent = int(canonical.exponent)
        fraction = max(0, -exponent)
        total = len(canonical.digits) + max(0, exponent)
        for bound in facets.get("totalDigits", []):
            if total > int(bound):
                out.append(Violation(path, "totalDigits", f"at most {bound} digits"))
        for bound in facets.get("fractionDigits", []):
            if fraction > int(bound):
                out.append(Violation(path, "fractionDigits", f"at most {bound} decimals"))
    return out


def violations(
    fields: list[FieldModel],
    values: Mapping[str, Any],
    objects: Mapping[str, ObjectModel],
    path: str = "",
    _depth: int = 0,
) -> list[Violation]:
    """Every way ``values`` (GraphQL input, by field name) breaks the XSD's rules."""
    out: list[Violation] = []
    if _depth > 64:
        return [Violation(path, "depth", "nested deeper than 64 levels")]
    for f in fields:
        here = f"{path}.{f.name}" if path else f.name
        value = values.get(f.name)
        if value is None:
            if f.required:
                out.append(Violation(here, "required", f"{f.xml_name} is required by the WSDL"))
            continue
        items = value if f.is_list and isinstance(value, list) else [value]
        for i, item in enumerate(items):
            at = f"{here}[{i}]" if f.is_list else here
            if f.kind == "object" and isinstance(item, Mapping):
                out += violations(objects[f.type_name].fields, item, objects, at, _depth + 1)
            elif item is not None:
                out += _check_value(f, item, at)
    return out


def check_input(
    fields: list[FieldModel], values: Mapping[str, Any], objects: Mapping[str, ObjectModel]
) -> None:
    """Refuse bad input before anything is sent (BAD_USER_INPUT, naming each field)."""
    if count_values(values, MAX_VALUES) > MAX_VALUES:
        raise BadUserInput(
            f"the input holds more than {MAX_VALUES} values: send it in several requests",
            violations=[{"path": "", "rule": "size"}],
        )
    found = violations(fields, values, objects)
    if found:
        detail = "; ".join(f"{v.path}: {v.message}" for v in found[:10])
        raise BadUserInput(
            f"the input does not fit the WSDL: {detail}",
            violations=[{"path": v.path, "rule": v.rule} for v in found],
        )
