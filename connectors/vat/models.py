"""VIES's checkVat reply (the wire model) and the registration it maps to (the domain)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict

_NOT_GIVEN = {"", "---"}
"""What VIES sends for a name or address a member state does not disclose."""


class CheckVatReply(BaseModel):
    """``checkVatResponse``: every element the WSDL requires is required here."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    countryCode: str
    vatNumber: str
    requestDate: date
    valid: bool
    name: str | None = None
    address: str | None = None


class VatRegistration(BaseModel):
    model_config = ConfigDict(frozen=True)

    country_code: str
    vat_number: str
    valid: bool
    name: str | None
    address: str | None
    request_date: date


def to_registration(reply: CheckVatReply) -> VatRegistration:
    return VatRegistration(
        country_code=reply.countryCode,
        vat_number=reply.vatNumber,
        valid=reply.valid,
        name=_given(reply.name),
        address=_given(reply.address),
        request_date=reply.requestDate,
    )


def _given(text: str | None) -> str | None:
    stripped = (text or "").strip()
    return None if stripped in _NOT_GIVEN else stripped
