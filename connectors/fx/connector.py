"""Frankfurter (ECB reference rates), declared: no credentials, three reads. The latest rates
are cached per publication ("edition" in the key, not sent), so they expire when the ECB
publishes, not after a fixed time; a past day's rates never change, so they are kept long."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Any

import httpx
from pydantic import TypeAdapter

from colonnade import (
    Anonymous,
    BadUserInput,
    ErrorBody,
    Fetched,
    RestConnector,
    RestOperation,
    Runtime,
    UpstreamNotFound,
)
from colonnade.connectors.fx.calendar import Publication
from colonnade.connectors.fx.convert import currency_code
from colonnade.connectors.fx.models import (
    Currency,
    FrankfurterRates,
    FxRates,
    to_currencies,
    to_rates,
)
from colonnade.connectors.fx.settings import FxSettings

_EDITION_TAG = "fx:latest:{base}:{edition}"


class FxConnector(RestConnector):
    name = "fx"
    credentials = Anonymous()
    errors = ErrorBody(message="message")
    # The edition's TTL is the static tier's day: it only matters over a weekend or holiday.
    latest = RestOperation(
        "GET",
        "/latest",
        FrankfurterRates,
        to_rates,
        params={"base": "{base}"},
        tier="static",
        tags=(_EDITION_TAG,),
    )
    historical = RestOperation(
        "GET",
        "/{day}",
        FrankfurterRates,
        to_rates,
        params={"base": "{base}"},
        tier="static",
        last_known_good_s=365 * 86_400,
    )
    currency_names = RestOperation(
        "GET",
        "/currencies",
        TypeAdapter(dict[str, str]),
        to_currencies,
        name="currencies",
        tier="static",
    )

    def __init__(self, settings: FxSettings, runtime: Runtime, **kwargs: Any) -> None:
        super().__init__(settings, runtime, **kwargs)
        self.publication = Publication(settings.publishes_at, settings.publication_zone)
        self.recheck_s = settings.recheck_late_s
        self.clock: Callable[[], datetime] = lambda: datetime.now(UTC)

    async def latest_rates(self, base: str) -> Fetched[FxRates]:
        edition = self.publication.last(self.clock())
        args = {"base": currency_code(base), "edition": edition.isoformat()}
        got = await self._rates(self.latest, args)
        if got.value.date < edition.date():  # published late: ask again, every recheck_s
            late = (self.clock() - edition).total_seconds() // self.recheck_s
            got = await self._rates(self.latest, {**args, "late": int(late)})
            if got.value.date >= edition.date():  # caught up: the edition's entry is wrong
                await self.runtime.cache.invalidate(tags=self.latest.tags_for(args))
        return got

    async def rates_on(self, day: date, base: str) -> Fetched[FxRates]:
        """A day's rates; one not yet published is cached like the latest."""
        edition = self.publication.last(self.clock())
        unsettled = edition.isoformat() if day >= edition.date() else None
        args = {"day": day.isoformat(), "base": currency_code(base), "edition": unsettled}
        return await self._rates(self.historical, args)

    async def currencies(self) -> Fetched[list[Currency]]:
        return await self.call(self.currency_names)

    async def _rates(self, op: RestOperation[FxRates], args: dict[str, Any]) -> Fetched[FxRates]:
        try:
            return await self.call(op, **args)
        except UpstreamNotFound:
            day = f" on {args['day']}" if "day" in args else ""
            raise BadUserInput(f"the provider has no rates for {args['base']}{day}") from None

    def decode(self, op: RestOperation[Any], response: httpx.Response) -> Any:
        """Numbers read as the decimals written: a float is binary (Decimal(1.1) is
        1.1000000000000000888…), and every digit of a rate is money."""
        try:
            return json.loads(response.content, parse_float=Decimal, parse_constant=_refuse)
        except ValueError as exc:
            raise self.contract_violation(op.operation, exc) from None

    async def contract_probe(self) -> None:
        await self.latest_rates("EUR")


def _refuse(constant: str) -> Any:
    raise ValueError(f"{constant} is not a rate")
