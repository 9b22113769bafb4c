"""Stripe PaymentIntent → domain Payment, and money between minor units and decimals."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from colonnade.connectors.domain import Money, Payment, PaymentStatus
from colonnade.connectors.payments.models import StripePaymentIntent

# Stripe's zero-decimal and three-decimal currencies (docs: "Zero-decimal currencies").
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


def to_payment(intent: StripePaymentIntent) -> Payment:
    return Payment(
        id=intent.id,
        amount=from_minor(intent.amount, intent.currency),
        status=PaymentStatus(intent.status),
        created_at=datetime.fromtimestamp(intent.created, tz=UTC),
        description=intent.description,
        customer_id=intent.customer,
    )
