"""A new provider in about 40 lines: exchange rates, API key in the query, paged history."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from pydantic import BaseModel

from colonnade.pipeline.core import Fetched
from colonnade.rest import ApiKey, ErrorBody, Keys, PageNumber, PerKey, RestConnector, RestOperation


class FxRates(BaseModel):
    base: str
    date: date
    rates: dict[str, Decimal]


class DayRate(BaseModel):
    date: date
    rate: Decimal


class FxConnector(RestConnector):
    name = "fx"
    credentials = ApiKey(query="api_key")
    errors = ErrorBody(code="error.code", message="error.message")
    latest = RestOperation(
        "GET",
        "/latest",
        FxRates,
        params={"base": "{key}"},
        tier="static",
        keys=Keys(r"[A-Z]{3}", "an ISO 4217 currency code"),
    )
    series = RestOperation(
        "GET", "/timeseries", DayRate, pages=PageNumber(size=10), tier="standard"
    )

    async def rates(self, bases: Sequence[str]) -> PerKey[FxRates]:
        return await self.call_each(self.latest, bases)

    async def history(self) -> Fetched[list[DayRate]]:
        return await self.call(self.series)
