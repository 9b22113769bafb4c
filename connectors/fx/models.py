"""Frankfurter's wire shapes and the rates the graph is given (exact decimals throughout)."""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from pydantic import BaseModel, ConfigDict

_CODE = re.compile(r"[A-Z]{3}")


class FrankfurterRates(BaseModel):  # /latest and /{date}: {"amount", "base", "date", "rates"}
    amount: Decimal
    base: str
    date: date
    rates: dict[str, Decimal]


class FxRates(BaseModel):
    model_config = ConfigDict(frozen=True)

    base: str
    date: date
    """The day the rates are of (a weekend or holiday asks for the working day before)."""
    rates: dict[str, Decimal]
    """Currency → units of it per one ``base``."""


class Currency(BaseModel):
    model_config = ConfigDict(frozen=True)

    code: str
    name: str


def to_rates(wire: FrankfurterRates) -> FxRates:
    if wire.amount != 1:
        raise ValueError(f"rates for an amount of {wire.amount}, not 1")
    return FxRates(base=wire.base, date=wire.date, rates=wire.rates)


def to_currencies(wire: dict[str, str]) -> list[Currency]:
    """``{"USD": "United States Dollar", ...}``; a key that is no currency code is drift."""
    odd = [code for code in wire if not _CODE.fullmatch(code)]
    if odd:
        raise ValueError(f"not currency codes: {odd[:3]}")
    return [Currency(code=code, name=name) for code, name in sorted(wire.items())]
