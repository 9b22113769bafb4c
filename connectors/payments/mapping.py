"""Money between Stripe's minor units and decimals (docs: "Zero-decimal currencies")."""

from __future__ import annotations

from decimal import Decimal

from colonnade.connectors.domain import Money

_ZERO_DECIMAL = frozenset(
    "bif clp djf gnf jpy kmf krw mga pyg rwf ugx vnd vuv xaf xof xpf".split()  # noqa: SIM905
)
_THREE_DECIMAL = frozenset(["bhd", "jod", "kwd", "omr", "tnd"])


def _exponent(currency: str) -> int:
    c = currency.lower()
    return 0 if c in _ZERO_DECIMAL else 3 if c in _THREE_DECIMAL else 2


def from_minor(amount: int, currency: str) -> Money:
    return Money(amount=Decimal(amount).scaleb(-_exponent(currency)), currency=currency.upper())


def to_minor(money: Money) -> int:
    scaled = money.amount.scaleb(_exponent(money.currency))
    if scaled != scaled.to_integral_value():
        raise ValueError(
            f"{money.amount} {money.currency} has more decimals than the currency allows"
        )
    return int(scaled)
