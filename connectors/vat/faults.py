"""What each VIES fault means: the typed error, whether to retry, whether a breaker counts it,
and which breaker — the member state's or VIES's own.

VIES sends every fault as ``soap:Server`` with the code as the whole faultstring (the codes
are listed in the WSDL's documentation and in the EU's VIES technical information; the
``*_TIME`` variants and the blocking codes are only in the latter). A member state's register
failing (MS_UNAVAILABLE, TIMEOUT) is that member state's: it opens its breaker and no other.
VIES failing as a whole (SERVICE_UNAVAILABLE, and any fault or transport failure no row
names) opens the breaker every check goes through. Rate limits are never failures.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from colonnade import (
    ErrorCode,
    FaultRule,
    UpstreamError,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnavailable,
)


class InvalidVatInput(UpstreamRejected):
    """VIES found the number malformed: the client's input (BAD_USER_INPUT), not retried."""

    code = ErrorCode.BAD_USER_INPUT


class Scope(StrEnum):
    MEMBER_STATE = "member_state"
    """The member state's register: its breaker (``KeyGroups("member_state", ...)``)."""
    VIES = "vies"
    """VIES itself: the breaker every check passes (``service.VIES_SERVICE``)."""
    NONE = "none"
    """About this request only (the input, this number): no breaker's business."""


@dataclass(frozen=True, slots=True)
class ViesCode:
    code: str
    error: type[UpstreamError]
    retryable: bool
    counts_for_breaker: bool
    scope: Scope
    meaning: str


CODES: tuple[ViesCode, ...] = (
    ViesCode("INVALID_INPUT", InvalidVatInput, False, False, Scope.NONE,
             "the country code is invalid or the VAT number is empty"),
    ViesCode("INVALID_REQUESTER_INFO", UpstreamRejected, False, False, Scope.NONE,
             "the requester's VAT number sent with the check is invalid"),
    ViesCode("VAT_BLOCKED", UpstreamRejected, False, False, Scope.NONE,
             "this VAT number may not be checked"),
    ViesCode("IP_BLOCKED", UpstreamUnavailable, False, True, Scope.VIES,
             "VIES refuses requests from this deployment's address"),
    ViesCode("SERVICE_UNAVAILABLE", UpstreamUnavailable, True, True, Scope.VIES,
             "VIES is unavailable"),
    ViesCode("SERVER_BUSY", UpstreamRateLimited, True, False, Scope.VIES,
             "VIES is too busy to process the request"),
    ViesCode("GLOBAL_MAX_CONCURRENT_REQ", UpstreamRateLimited, True, False, Scope.VIES,
             "VIES has too many concurrent requests"),
    ViesCode("GLOBAL_MAX_CONCURRENT_REQ_TIME", UpstreamRateLimited, True, False, Scope.VIES,
             "VIES has had too many requests in its time window"),
    ViesCode("MS_UNAVAILABLE", UpstreamUnavailable, True, True, Scope.MEMBER_STATE,
             "the member state's VAT register is unavailable"),
    ViesCode("TIMEOUT", UpstreamTimeout, True, True, Scope.MEMBER_STATE,
             "the member state's VAT register did not answer VIES in time"),
    ViesCode("MS_MAX_CONCURRENT_REQ", UpstreamRateLimited, True, False, Scope.MEMBER_STATE,
             "the member state's VAT register has too many concurrent requests"),
    ViesCode("MS_MAX_CONCURRENT_REQ_TIME", UpstreamRateLimited, True, False, Scope.MEMBER_STATE,
             "the member state's VAT register has had too many requests in its time window"),
)  # fmt: skip
BY_CODE = {c.code: c for c in CODES}

FAULT_TABLE: tuple[FaultRule, ...] = tuple(
    FaultRule(
        c.error,
        faultstring=c.code,
        retryable=c.retryable,
        counts_for_breaker=c.counts_for_breaker,
    )
    for c in CODES
)
"""``SoapConnector.fault_table``; a fault no row names keeps the SDK's default (Server:
unavailable, retried, counted — VIES's scope)."""


def scope_of(error: UpstreamError) -> Scope:
    """Whose failure ``error`` is; one no row names is VIES's (its single endpoint failed)."""
    known = BY_CODE.get(error.provider_code or "")
    if known is not None:
        return known.scope
    return Scope.VIES if error.counts_as_failure else Scope.NONE
