"""SOAP faults classified by a declarative table: by faultcode, by a code in the faultstring,
or by a code inside ``detail``.

Providers disagree on where a fault's meaning lives. SOAP puts it in the faultcode (``Client``:
the caller's mistake; ``Server``: the provider's), but many services send every fault as
``Server`` and carry the real code elsewhere: VIES writes ``MS_UNAVAILABLE`` as the whole
faultstring, SAP and WCF services put an error code in an element of ``detail``. A connector
lists ``FaultRule`` rows (``SoapConnector.fault_table``); the first row that matches decides the
typed error, whether it is retried and whether the circuit breaker counts it. No match falls
back to the faultcode's class (``CLIENT_FAULT`` / ``SERVER_FAULT``).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from lxml import etree

from colonnade.errors import (
    CircuitOpen,
    ConfigError,
    ErrorCode,
    UpstreamContractViolation,
    UpstreamError,
    UpstreamNotFound,
    UpstreamOutcomeUnknown,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamResponseTooLarge,
    UpstreamTimeout,
    UpstreamUnavailable,
)

SOAP11_ENV = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_ENV = "http://www.w3.org/2003/05/soap-envelope"

ERROR_FOR_CODE: Mapping[ErrorCode, type[UpstreamError]] = {
    ErrorCode.UPSTREAM_UNAVAILABLE: UpstreamUnavailable,
    ErrorCode.UPSTREAM_TIMEOUT: UpstreamTimeout,
    ErrorCode.UPSTREAM_RATE_LIMITED: UpstreamRateLimited,
    ErrorCode.UPSTREAM_REJECTED: UpstreamRejected,
    ErrorCode.NOT_FOUND: UpstreamNotFound,
    ErrorCode.UPSTREAM_CONTRACT_VIOLATION: UpstreamContractViolation,
    ErrorCode.UPSTREAM_OUTCOME_UNKNOWN: UpstreamOutcomeUnknown,
}
"""The error class a ``FaultRule`` given as an ``ErrorCode`` raises."""

CLIENT_CLASSES = frozenset({"Client", "Sender", "VersionMismatch", "MustUnderstand"})
"""Faultcode classes (SOAP 1.1 and 1.2) that say the request itself was wrong."""

_NAME = re.compile(r"^[A-Za-z_][\w.-]*$")


@dataclass(frozen=True, slots=True)
class SoapFault:
    """A fault as the provider sent it (SOAP 1.1 or 1.2), prefixes stripped from the codes."""

    faultcode: str
    """Local name with SOAP 1.1 dotted subcodes: ``Server``, ``Client.Authentication``."""
    faultstring: str
    detail: etree._Element | None = None
    subcodes: tuple[str, ...] = ()
    """SOAP 1.2 ``Subcode/Value`` local names, outermost first."""

    @property
    def fault_class(self) -> str:
        """``Client`` for ``Client.Authentication``: the part SOAP itself defines."""
        return self.faultcode.split(".", 1)[0]


def local_code(code: str) -> str:
    """``soap-env:Client.Auth`` or ``{ns}Client.Auth`` → ``Client.Auth``."""
    return code.strip().rsplit("}", 1)[-1].rsplit(":", 1)[-1]


@dataclass(frozen=True)
class FaultRule:
    """One row of a fault table: what to match, and what the match means.

    Every matcher given must match (a rule may pair ``faultcode="Server"`` with a faultstring
    code); a rule with none matches every fault (a catch-all at the end of a table).

    - ``faultcode``: the fault's code, or a dotted parent of it (``Client`` matches
      ``Client.Authentication``), or one of its SOAP 1.2 subcodes.
    - ``faultstring``: the faultstring, trimmed, equals this code (VIES: ``MS_UNAVAILABLE``).
    - ``faultstring_regex``: searched in the faultstring; the code is its ``code`` group, else
      the whole match (``r"^(?P<code>[A-Z]{2}\\d{3})\\b"``).
    - ``detail``: an element inside ``detail`` — a local name (any depth) or an XPath relative
      to the ``detail`` element, with ``namespaces`` for its prefixes; its text is the code.
      ``detail_code`` then requires that text exactly, ``detail_regex`` searches it (the code
      as for the faultstring); without either, any non-empty text matches and is the code.

    ``error`` is a ``colonnade.errors`` class or an ``ErrorCode``; ``retryable`` and
    ``counts_for_breaker`` (sets the error's ``counts_as_failure``, which the breaker reads)
    default to that class's own. The code found becomes the error's ``provider_code``.
    """

    error: type[UpstreamError] | ErrorCode
    faultcode: str | None = None
    faultstring: str | None = None
    faultstring_regex: str | None = None
    detail: str | None = None
    detail_code: str | None = None
    detail_regex: str | None = None
    namespaces: Mapping[str, str] = field(default_factory=dict)
    retryable: bool | None = None
    counts_for_breaker: bool | None = None
    _regex: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)
    _detail_regex: re.Pattern[str] | None = field(
        default=None, init=False, repr=False, compare=False
    )
    _xpath: etree.XPath | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.error_class  # noqa: B018 - raises ConfigError for an unusable error
        if self.faultstring is not None and self.faultstring_regex is not None:
            raise ConfigError(f"{self}: give faultstring or faultstring_regex, not both")
        if (self.detail_code is not None or self.detail_regex is not None) and self.detail is None:
            raise ConfigError(f"{self}: detail_code/detail_regex need detail (the element)")
        if self.detail_code is not None and self.detail_regex is not None:
            raise ConfigError(f"{self}: give detail_code or detail_regex, not both")
        if self.faultcode is not None:
            object.__setattr__(self, "faultcode", local_code(self.faultcode))
        for source, target in (("faultstring_regex", "_regex"), ("detail_regex", "_detail_regex")):
            pattern = getattr(self, source)
            if pattern is None:
                continue
            try:
                object.__setattr__(self, target, re.compile(pattern))
            except re.error as exc:
                raise ConfigError(f"{self}: {source} does not compile ({exc})") from None
        if self.detail is not None and not _NAME.match(self.detail):
            try:
                xpath = etree.XPath(self.detail, namespaces=dict(self.namespaces))
            except etree.XPathSyntaxError as exc:
                raise ConfigError(f"{self}: detail is not a valid XPath ({exc})") from None
            object.__setattr__(self, "_xpath", xpath)

    @property
    def error_class(self) -> type[UpstreamError]:
        error = self.error
        if isinstance(error, ErrorCode):
            if error not in ERROR_FOR_CODE:
                raise ConfigError(
                    f"a fault cannot be {error.value}; use one of "
                    + ", ".join(c.value for c in ERROR_FOR_CODE)
                )
            return ERROR_FOR_CODE[error]
        if not (isinstance(error, type) and issubclass(error, UpstreamError)) or issubclass(
            error, UpstreamResponseTooLarge | CircuitOpen
        ):
            raise ConfigError(f"a fault rule's error must be an upstream error class, not {error}")
        return error

    def match(self, fault: SoapFault) -> str | None:
        """The provider code this rule finds in ``fault``, or None when it does not match."""
        found = f"soap:{fault.faultcode}"
        if self.faultcode is not None and not _code_matches(self.faultcode, fault):
            return None
        text = fault.faultstring.strip()
        if self.faultstring is not None:
            if text != self.faultstring:
                return None
            found = text
        if self._regex is not None:
            hit = _code_in(self._regex, fault.faultstring)
            if hit is None:
                return None
            found = hit
        if self.detail is not None:
            code = self._detail_text(fault.detail)
            if not code or (self.detail_code is not None and code != self.detail_code):
                return None
            if self._detail_regex is not None:
                code = _code_in(self._detail_regex, code)
                if code is None:
                    return None
            found = code
        return found

    def _detail_text(self, detail: etree._Element | None) -> str | None:
        if detail is None or self.detail is None:
            return None
        if self._xpath is None:
            for el in detail.iter(etree.Element):
                if etree.QName(el).localname == self.detail:
                    return (el.text or "").strip()
            return None
        result = self._xpath(detail)
        first = result[0] if isinstance(result, list) and result else result
        if isinstance(first, etree._Element):
            return (first.text or "").strip()
        if isinstance(first, str | bytes):
            return (first.decode() if isinstance(first, bytes) else first).strip()
        return None


def _code_in(pattern: re.Pattern[str], text: str) -> str | None:
    """The ``code`` group of the first match, else the whole match; None: no match."""
    hit = pattern.search(text)
    if hit is None:
        return None
    return hit.group("code") if "code" in pattern.groupindex else hit.group(0)


def _code_matches(wanted: str, fault: SoapFault) -> bool:
    code = fault.faultcode
    return code == wanted or code.startswith(wanted + ".") or wanted in fault.subcodes


CLIENT_FAULT = FaultRule(UpstreamRejected, retryable=False, counts_for_breaker=False)
"""The default for a ``Client``/``Sender`` fault: the caller's mistake; resent, it fails again."""
SERVER_FAULT = FaultRule(UpstreamUnavailable, retryable=True, counts_for_breaker=True)
"""The default for every other fault: the provider failing, worth another try, the breaker's."""


def default_rule(fault: SoapFault) -> FaultRule:
    return CLIENT_FAULT if fault.fault_class in CLIENT_CLASSES else SERVER_FAULT


def find_fault(root: etree._Element) -> SoapFault | None:
    """The fault in a parsed SOAP 1.1 or 1.2 envelope, if its body carries one."""
    fault = root.find(f"{{{SOAP11_ENV}}}Body/{{{SOAP11_ENV}}}Fault")
    if fault is not None:
        detail = fault.find("detail")
        if detail is None:
            detail = fault.find(f"{{{SOAP11_ENV}}}detail")
        return SoapFault(
            local_code(fault.findtext("faultcode") or ""),
            fault.findtext("faultstring") or "",
            detail,
        )
    fault = root.find(f"{{{SOAP12_ENV}}}Body/{{{SOAP12_ENV}}}Fault")
    if fault is None:
        return None
    env = f"{{{SOAP12_ENV}}}"
    code = fault.find(f"{env}Code")
    subcodes: list[str] = []
    sub = code.find(f"{env}Subcode") if code is not None else None
    while sub is not None:
        subcodes.append(local_code(sub.findtext(f"{env}Value") or ""))
        sub = sub.find(f"{env}Subcode")
    return SoapFault(
        local_code(code.findtext(f"{env}Value") or "") if code is not None else "",
        fault.findtext(f"{env}Reason/{env}Text") or "",
        fault.find(f"{env}Detail"),
        tuple(subcodes),
    )
