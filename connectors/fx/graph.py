"""The FX part of the graph: ``Query.fxRates``, ``Query.currencies`` and ``Money.convertedTo``
(added to the commerce graph's ``Money`` without editing it, ``GraphPart.extends``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Annotated, Any

import strawberry
from strawberry.types import Info

from colonnade import Fetched, GraphPart, context_of, cost, requires, unwrap
from colonnade.connectors import domain
from colonnade.connectors.fx.convert import convert, currency_code, rate
from colonnade.connectors.fx.models import Currency, FxRates
from colonnade.connectors.fx.ports import ExchangeRates

CONNECTOR = "fx"
# The commerce graph's Money, named lazily: the type this part extends is found by name too.
MONEY = "colonnade.schema.types"
SCOPE = "fx:read"


@strawberry.type(description="One currency's reference rate against the base.")
class FxRate:
    currency: str = strawberry.field(description="ISO 4217 code of the quoted currency.")
    rate: Decimal = strawberry.field(description="Units of it per one unit of the base, exact.")


@strawberry.type(name="FxRates", description="Reference exchange rates (ECB) of one day.")
class FxRatesResult:
    base: str = strawberry.field(description="ISO 4217 code the rates are quoted against.")
    date: date = strawberry.field(
        description="The day the rates are of: a weekend or holiday gives the working day before."
    )
    rates: list[FxRate] = strawberry.field(description="Every quoted currency, by code.")


@strawberry.type(description="A currency the rates provider quotes.")
class FxCurrency:
    code: str = strawberry.field(description="ISO 4217 code.")
    name: str = strawberry.field(description="The currency's English name.")


def _result(rates: FxRates) -> FxRatesResult:
    quoted = [FxRate(currency=c, rate=r) for c, r in sorted(rates.rates.items())]
    return FxRatesResult(base=rates.base, date=rates.date, rates=quoted)


def _port(info: Info[Any, Any]) -> ExchangeRates:
    return context_of(info).services.port(ExchangeRates)


@strawberry.type
class FxQuery:
    @strawberry.field(
        description="Reference rates of a day (default: the latest published); null on failure.",
        extensions=[requires(SCOPE)],
        directives=cost(1),
    )
    async def fx_rates(
        self,
        info: Info[Any, Any],
        base: Annotated[
            str, strawberry.argument(description="ISO 4217 code to quote against.")
        ] = "EUR",
        on: Annotated[
            date | None,
            strawberry.argument(name="date", description="The day; omitted: the latest."),
        ] = None,
    ) -> FxRatesResult | None:
        port = _port(info)
        fetched = await (port.latest_rates(base) if on is None else port.rates_on(on, base))
        return _result(unwrap(info, CONNECTOR, fetched))

    @strawberry.field(
        description="Every currency the provider quotes, by code; null on failure.",
        extensions=[requires(SCOPE)],
        directives=cost(1),
    )
    async def currencies(self, info: Info[Any, Any]) -> list[FxCurrency] | None:
        listed: list[Currency] = unwrap(info, CONNECTOR, await _port(info).currencies())
        return [FxCurrency(code=c.code, name=c.name) for c in listed]


def _latest_by_base(info: Info[Any, Any]) -> Any:
    """One provider call per base currency for the whole request (a DataLoader)."""
    port = _port(info)

    async def batch(bases: Sequence[str]) -> dict[str, Fetched[FxRates] | BaseException]:
        # Each base fails alone, typed; the others (and the rest of the response) do not.
        answers = await asyncio.gather(*map(port.latest_rates, bases), return_exceptions=True)
        return dict(zip(bases, answers, strict=True))

    return context_of(info).loaders.get("fx.latest_by_base", lambda: batch)


@strawberry.type
class MoneyConversion:
    """``Money.convertedTo``: in the graph where ``ExchangeRates`` are."""

    @strawberry.field(
        description=(
            "This amount in another currency at the latest reference rate, rounded half-even "
            "to that currency's minor units; null (with an error) if the rates are unavailable."
        ),
        extensions=[requires(SCOPE)],
        directives=cost(1, batched=True),  # one call per base currency
    )
    async def converted_to(
        self,
        info: Info[Any, Any],
        currency: Annotated[str, strawberry.argument(description="ISO 4217 code to convert to.")],
    ) -> Annotated["Money", strawberry.lazy(MONEY)] | None:  # type: ignore[name-defined]  # noqa: F821, UP037
        parent: Any = self  # the parent Money: a domain.Money from the resolvers
        money = domain.Money(amount=parent.amount, currency=parent.currency)
        currency_code(currency)
        if currency == money.currency:
            return convert(money, Decimal(1), currency)
        loaded: Fetched[FxRates] = await _latest_by_base(info).load(money.currency)
        rates = unwrap(info, CONNECTOR, loaded)
        return convert(money, rate(rates, currency), currency)


FX_GRAPH = GraphPart(
    name="fx", query=FxQuery, extends={"Money": MoneyConversion}, requires=(ExchangeRates,)
)
