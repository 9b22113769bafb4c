"""An ``xs:any`` in the middle of a sequence must not swallow the elements after it.

zeep reads an ``xs:any`` greedily: every remaining child, up to its maxOccurs. A base type that
ends in ``<any maxOccurs="unbounded"/>`` (PayPal's AbstractResponseType: "extension point")
followed, in a type extending it, by the extension's own elements then loses those elements:
``RefundTransactionID`` reaches the client as raw XML inside the any, and the typed field is
null. Here such an ``xs:any`` stops at the first element that a later particle of the same
sequence names. zeep shares one Any object between every type that extends the base, so the
sequence gets its own bounded copy (and its cached element lists are dropped).
"""

from __future__ import annotations

import copy
import types
from typing import Any

from lxml import etree
from zeep.xsd import elements as xe


def _names(particles: list[Any]) -> set[str]:
    found: set[str] = set()
    for particle in particles:
        if isinstance(particle, xe.Element):
            found.add(
                str(particle.qname.text if hasattr(particle.qname, "text") else particle.qname)
            )
        elif isinstance(particle, list):  # a nested sequence, choice or all
            found |= _names(list(particle))
        elif isinstance(particle, xe.Group):
            found |= _names([particle.child])
    return found


def _stops(stop: frozenset[str], node: etree._Element) -> bool:
    qname = etree.QName(node)
    if qname.text in stop:
        return True
    # zeep matches an unqualified element by local name: so does the stop
    return any(s.rsplit("}", 1)[-1] == qname.localname and not s.startswith("{") for s in stop)


def _bounded_parse(
    self: Any, xmlelements: Any, schema: Any, name: Any = None, context: Any = None
) -> Any:
    result: list[Any] = []
    limit = None if self.max_occurs == "unbounded" else int(self.max_occurs)
    taken = 0
    while limit is None or taken < limit:
        if not xmlelements or _stops(self.colonnade_stop, xmlelements[0]):
            break
        taken += 1
        item = self.parse(xmlelements.popleft(), schema, context=context)
        if item is not None:
            result.append(item)
    if not self.accepts_multiple:
        return result[0] if result else None
    return result


def bound_any(sequence: Any) -> None:
    """Give each ``xs:any`` of ``sequence`` that precedes named elements a bounded copy."""
    changed = False
    for i, child in enumerate(list(sequence)):
        if not isinstance(child, xe.Any) or hasattr(child, "colonnade_stop"):
            continue
        stop = frozenset(_names(list(sequence)[i + 1 :]))
        if not stop:
            continue
        bounded: Any = copy.copy(child)  # zeep's Any (untyped): an instance-level override
        bounded.colonnade_stop = stop
        bounded.parse_xmlelements = types.MethodType(_bounded_parse, bounded)
        sequence[i] = bounded
        changed = True
    if changed:
        for cached in ("elements", "elements_nested"):
            sequence.__dict__.pop(cached, None)
