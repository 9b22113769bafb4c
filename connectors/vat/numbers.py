"""VAT numbers as the client writes them → what VIES is asked: checked before any call.

A number is a member-state prefix and that state's national format (``DE123456789``,
``ATU12345678``; spaces, dots and dashes are ignored, letters may be lower case). VIES itself
only checks ``[A-Z]{2}`` and ``[0-9A-Za-z+*.]{2,12}`` and answers anything else with
INVALID_INPUT after a round trip; refusing here costs nothing and says what is wrong.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from colonnade import BadUserInput

FORMATS: dict[str, str] = {
    "AT": r"U\d{8}",
    "BE": r"[01]\d{9}",
    "BG": r"\d{9,10}",
    "CY": r"\d{8}[A-Z]",
    "CZ": r"\d{8,10}",
    "DE": r"\d{9}",
    "DK": r"\d{8}",
    "EE": r"\d{9}",
    "EL": r"\d{9}",
    "ES": r"[A-Z0-9]\d{7}[A-Z0-9]",
    "FI": r"\d{8}",
    "FR": r"[0-9A-HJ-NP-Z]{2}\d{9}",
    "HR": r"\d{11}",
    "HU": r"\d{8}",
    "IE": r"\d{7}[A-W][A-IW]?|\d[A-Z+*]\d{5}[A-W]",
    "IT": r"\d{11}",
    "LT": r"\d{9}|\d{12}",
    "LU": r"\d{8}",
    "LV": r"\d{11}",
    "MT": r"\d{8}",
    "NL": r"\d{9}B\d{2}",
    "PL": r"\d{10}",
    "PT": r"\d{9}",
    "RO": r"[1-9]\d{1,9}",
    "SE": r"\d{10}01",
    "SI": r"\d{8}",
    "SK": r"\d{10}",
    "XI": r"\d{9}|\d{12}|GD[0-4]\d{2}|HA[5-9]\d{2}",
}
"""Member state (VIES's prefix: Greece is EL; XI is Northern Ireland) → national format."""

_COMPILED = {country: re.compile(f"(?:{pattern})") for country, pattern in FORMATS.items()}
_IGNORED = re.compile(r"[\s.\-]")
_HINTS = {"GR": "Greece's VAT prefix is EL", "GB": "VIES checks Northern Ireland (XI) only"}


@dataclass(frozen=True, slots=True)
class VatNumber:
    country: str
    """The member state prefix (``DE``): also the breaker group its checks go through."""
    number: str
    """The national part, as VIES wants it (``123456789``)."""

    def __str__(self) -> str:
        return f"{self.country}{self.number}"


def parse(text: str) -> VatNumber:
    """The VAT number ``text`` names, or ``BadUserInput`` saying why it is not one."""
    compact = _IGNORED.sub("", text).upper()
    country, number = compact[:2], compact[2:]
    if country not in _COMPILED:
        hint = _HINTS.get(country)
        raise BadUserInput(
            f"{text[:40]!r} does not start with an EU member state's VAT prefix"
            + (f" ({hint})" if hint else f" (one of {', '.join(sorted(FORMATS))})")
        )
    if not _COMPILED[country].fullmatch(number):
        raise BadUserInput(
            f"{text[:40]!r} is not a {country} VAT number: after {country} it must match "
            f"{FORMATS[country]}"
        )
    return VatNumber(country, number)


def member_state(vat: VatNumber | str) -> str:
    """The breaker group of a check (``KeyGroups``): its member state."""
    return vat.country if isinstance(vat, VatNumber) else str(vat)[:2].upper()
