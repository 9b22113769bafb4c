"""Money through a day's rates, exactly: ``Decimal`` all the way, then rounded once to the
target currency's minor units (ISO 4217) with ROUND_HALF_EVEN — unbiased over many
conversions, and what IEEE 754 and most ledgers use. Rates themselves are never rounded."""

from __future__ import annotations

import re
from decimal import ROUND_HALF_EVEN, Decimal

from colonnade import BadUserInput
from colonnade.connectors.domain import Money
from colonnade.connectors.fx.models import FxRates

_CODE = re.compile(r"[A-Z]{3}")
# ISO 4217 exponents other than 2, among currencies central banks publish rates for.
_EXPONENT = {
    **dict.fromkeys(["BIF", "CLP", "DJF", "GNF", "ISK", "JPY", "KMF", "KRW", "PYG"], 0),
    **dict.fromkeys(["RWF", "UGX", "VND", "VUV", "XAF", "XOF", "XPF"], 0),
    **dict.fromkeys(["BHD", "IQD", "JOD", "KWD", "LYD", "OMR", "TND"], 3),
}


def minor_units(currency: str) -> int:
    return _EXPONENT.get(currency, 2)


def currency_code(currency: str) -> str:
    """A client's currency argument: an ISO 4217 code, or refused before any call."""
    if not _CODE.fullmatch(currency):
        raise BadUserInput(f"{currency!r} is not a currency code (three capital letters)")
    return currency


def rate(rates: FxRates, currency: str) -> Decimal:
    """Units of ``currency`` per one ``rates.base``; a currency without a rate is refused."""
    if currency == rates.base:
        return Decimal(1)
    if currency not in rates.rates:
        known = ", ".join(sorted(rates.rates))
        raise BadUserInput(f"no rate from {rates.base} to {currency!r} (known: {known})")
    return rates.rates[currency]


def convert(money: Money, rate: Decimal, currency: str) -> Money:
    """``money`` times ``rate``, exact, then rounded once to ``currency``'s minor units."""
    exact = money.amount * rate
    minor = Decimal(1).scaleb(-minor_units(currency))
    return Money(amount=exact.quantize(minor, ROUND_HALF_EVEN), currency=currency)
