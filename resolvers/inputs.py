"""The rules a client's arguments must meet, checked before any provider is asked.

A value that cannot even be put on the wire (a control character in a SOAP string, a non-ASCII
header, a lone surrogate in a query string) would otherwise fail inside an attempt, where it is
indistinguishable from a provider's failure. So every argument is checked here first, and a
violation is ``BadUserInput`` with a message that says what to fix. The bounds come from the
providers' own field definitions (SAP's MATNR/BSTNK/VBELN lengths, CURR 15,2 and QUAN 13,3,
Stripe's 255-character idempotency keys) and ISO 4217 (pycountry's maintained table).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal

import pycountry

from colonnade.errors import BadUserInput

MAX_KEY_LENGTH = 255
"""Stripe's limit for an Idempotency-Key; ours too, so one rule fits every connector."""
MAX_TEXT = 255
MAX_DESCRIPTION = 1000
MAX_MATERIAL = 40  # SAP MATNR (S/4HANA)
MAX_PURCHASE_ORDER = 35  # SAP BSTNK
MAX_LINES = 100
MAX_DECIMAL_CHARS = 40
"""A number longer than this is refused before any arithmetic is done on it."""

_KEY = re.compile(rf"[!-~](?:[ -~]{{0,{MAX_KEY_LENGTH - 2}}}[!-~])?")
_ORDER_NUMBER = re.compile(r"[A-Za-z0-9]{1,10}")  # SAP VBELN: CHAR 10
_CRM_ID = re.compile(r"[A-Za-z0-9]{15}(?:[A-Za-z0-9]{3})?")
_NONCHARACTERS = {0xFFFE, 0xFFFF}


def text(field: str, value: str, *, max_length: int = MAX_TEXT, required: bool = True) -> str:
    """Printable text: no control characters, no lone surrogates, no noncharacters (none of
    them can be carried by XML 1.0, a header or strict UTF-8), bounded in length."""
    if required and not value.strip():
        raise BadUserInput(f"`{field}` must not be empty")
    if len(value) > max_length:
        raise BadUserInput(f"`{field}` must be at most {max_length} characters, got {len(value)}")
    for position, char in enumerate(value):
        if _unprintable(char):
            raise BadUserInput(
                f"`{field}` contains a control or invalid character (U+{ord(char):04X}) at "
                f"position {position}; use printable text only"
            )
    return value


def encodable(field: str, value: str, *, max_length: int = MAX_TEXT) -> str:
    """Looser than ``text``, for values that echo a provider's own data (a cursor's name may
    hold whatever the CRM stores): only what no wire can carry — a lone surrogate — is out."""
    if len(value) > max_length:
        raise BadUserInput(f"`{field}` must be at most {max_length} characters, got {len(value)}")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise BadUserInput(f"`{field}` is not valid Unicode text (a lone surrogate)") from None
    return value


def _unprintable(char: str) -> bool:
    code = ord(char)
    if code in _NONCHARACTERS or 0xFDD0 <= code <= 0xFDEF:
        return True
    return unicodedata.category(char) in ("Cc", "Cs")


def idempotency_key(value: str | None, *, required: bool) -> str | None:
    if value is None:
        if required:
            raise BadUserInput("`idempotencyKey` is required")
        return None
    if not _KEY.fullmatch(value):
        raise BadUserInput(
            f"`idempotencyKey` must be 1 to {MAX_KEY_LENGTH} printable ASCII characters "
            "(letters, digits, punctuation; inner spaces allowed), e.g. a UUID"
        )
    return value


def order_number(value: str) -> str:
    if not _ORDER_NUMBER.fullmatch(value):
        raise BadUserInput("`number` must be a sales order number: 1 to 10 letters or digits")
    return value


def crm_id(field: str, value: str) -> str:
    if not _CRM_ID.fullmatch(value):
        raise BadUserInput(f"`{field}` must be a CRM record id: 15 or 18 letters or digits")
    return value


def currency(value: str) -> str:
    """An active ISO 4217 code, upper-cased (``eur`` is accepted as ``EUR``)."""
    code = value.strip().upper()
    if not (len(code) == 3 and code.isascii() and code.isalpha()) or (
        pycountry.currencies.get(alpha_3=code) is None
    ):
        shown = value[:10].encode("ascii", "backslashreplace").decode()
        raise BadUserInput(f"`currency` must be an ISO 4217 code such as EUR or USD, got {shown!r}")
    return code


def decimal(
    field: str,
    value: Decimal,
    *,
    max_integer_digits: int,
    max_decimals: int,
    minimum: Decimal,
    inclusive: bool,
) -> Decimal:
    """A finite number within bounds and with at most ``max_decimals`` places — checked
    on its digits, never by arithmetic on a huge or special value (``1e9999999``, ``NaN``)."""
    if not value.is_finite():
        raise BadUserInput(f"`{field}` must be a finite number, got {value}")
    _, digits, exponent = value.as_tuple()
    assert isinstance(exponent, int)  # finite
    if len(digits) > MAX_DECIMAL_CHARS or abs(exponent) > MAX_DECIMAL_CHARS:
        raise BadUserInput(f"`{field}` has too many digits")
    trailing_zeros = len(digits) - len("".join(map(str, digits)).rstrip("0"))
    places = max(0, -exponent - trailing_zeros) if any(digits) else 0  # exact, no rounding
    if places > max_decimals:
        raise BadUserInput(f"`{field}` may have at most {max_decimals} decimal places")
    if abs(value) >= Decimal(10) ** max_integer_digits:
        raise BadUserInput(f"`{field}` must be less than 10^{max_integer_digits}")
    too_small = value < minimum if inclusive else value <= minimum
    if too_small:
        bound = f"at least {minimum}" if inclusive else f"greater than {minimum}"
        raise BadUserInput(f"`{field}` must be {bound}, got {value}")
    return value
