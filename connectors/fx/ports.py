"""What the FX graph asks for, whichever connector answers it (Frankfurter here)."""

from __future__ import annotations

from datetime import date
from typing import Protocol

from colonnade import Fetched
from colonnade.connectors.fx.models import Currency, FxRates


class ExchangeRates(Protocol):
    async def latest_rates(self, base: str) -> Fetched[FxRates]:
        """The rates last published, good until the next publication."""
        ...

    async def rates_on(self, day: date, base: str) -> Fetched[FxRates]: ...

    async def currencies(self) -> Fetched[list[Currency]]: ...
