"""What a configured WSDL connector's faults mean: configured rows, then the WSDL's own
declared faults, then the SDK's faultcode defaults (``colonnade.soap_faults.default_rule``).

A ``wsdl:fault`` is part of the operation's contract: a reply carrying its detail element is
the provider answering (an exception it documents), not the provider failing — so by default
it is rejected, not retried and not counted by the breaker, whatever faultcode it came with
(JAX-WS sends declared exceptions as ``soap:Server``). Its provider code is the detail
element's local name. A fault with no declared element keeps the SDK's reading: ``Client``
is the caller's mistake, anything else (``Server``) unavailable and retried.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from lxml import etree

from colonnade.errors import ConfigError
from colonnade.soap_faults import FaultRule, SoapFault
from colonnade.wsdl_import.settings import ERRORS, ErrorName, FaultSetting


def declared_fault_elements(client: Any) -> dict[str, str]:
    """``{namespace}local`` → local name of every detail element a wsdl:fault declares."""
    found: dict[str, str] = {}
    for binding in client.wsdl.bindings.values():
        for operation in getattr(binding, "_operations", {}).values():
            abstract = getattr(operation, "abstract", None)
            messages = getattr(abstract, "fault_messages", None) or {}
            for message in messages.values():
                for part in getattr(message, "parts", {}).values():
                    element = getattr(part, "element", None)
                    qname = getattr(element, "qname", None)
                    if qname is not None:
                        found[str(qname.text)] = str(qname.localname)
    return found


@dataclass(frozen=True)
class _Row:
    rule: FaultRule
    element: str | None  # detail_element: matched by presence
    coded: bool  # the rule reads a code from the faultstring or detail text


def _row(setting: FaultSetting, connector: str, index: int) -> _Row:
    fields = setting.model_dump(exclude={"error", "detail_element"})
    try:
        rule = FaultRule(ERRORS[setting.error], **fields)
    except ConfigError as exc:
        raise ConfigError(f"connectors.{connector}.faults[{index}]: {exc.message}") from None
    coded = any(
        getattr(setting, k) is not None for k in ("faultstring", "faultstring_regex", "detail")
    )
    return _Row(rule, setting.detail_element, coded)


def _elements(detail: etree._Element | None) -> list[etree._Element]:
    if detail is None:
        return []
    return [el for el in detail.iter(etree.Element) if el is not detail]


class FaultTable:
    """Configured rows first (in order), then the connector class's own ``fault_table`` (an
    owned package's code), then the declared faults."""

    def __init__(
        self,
        connector: str,
        rows: Sequence[FaultSetting],
        declared: Mapping[str, str],
        declared_error: ErrorName,
        code_rules: Sequence[FaultRule] = (),
    ) -> None:
        self._rows = [_row(r, connector, i) for i, r in enumerate(rows)]
        self._code = tuple(code_rules)
        self._declared = dict(declared)
        self._local = set(declared.values())
        self._declared_rule = FaultRule(ERRORS[declared_error])

    @property
    def declared(self) -> Mapping[str, str]:
        return self._declared

    def classify(self, fault: SoapFault) -> tuple[FaultRule, str] | None:
        """The rule and provider code for ``fault``; None: the SDK's defaults apply."""
        elements = _elements(fault.detail)
        for row in self._rows:
            if row.element is not None and not any(
                etree.QName(el).localname == row.element for el in elements
            ):
                continue
            code = row.rule.match(fault)
            if code is None:
                continue
            if row.element is not None and not row.coded:
                code = row.element
            return row.rule, code
        for rule in self._code:
            code = rule.match(fault)
            if code is not None:
                return rule, code
        for el in elements:
            qname = etree.QName(el)
            if qname.text in self._declared:
                return self._declared_rule, self._declared[qname.text]
        for el in elements:  # a provider that sends the declared element unqualified
            qname = etree.QName(el)
            if qname.namespace is None and qname.localname in self._local:
                return self._declared_rule, qname.localname
        return None
