"""The FX connector: latest rates cached until the next publication (a controllable clock,
provider calls counted), past days kept, exact decimals, and its part of the graph through
the facade — ``fxRates``, ``currencies`` and ``Money.convertedTo`` on real payments."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from support import Facade

from colonnade.connectors.domain import Money
from colonnade.connectors.fx import PLUGIN
from colonnade.connectors.fx.calendar import Publication, is_working_day
from colonnade.connectors.fx.convert import convert, minor_units
from colonnade.errors import BadUserInput
from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox
from colonnade.sandboxes.fx import FxSandbox, rates
from colonnade.testing import Harness

BERLIN = ZoneInfo("Europe/Berlin")
ECB = Publication(time(16, 0), "Europe/Berlin")


def berlin(*args: int) -> datetime:
    return datetime(*args, tzinfo=BERLIN)  # type: ignore[misc]


# ---------------------------------------------------------------- the publication calendar
def test_the_rates_in_force_are_the_last_working_days_after_its_publication() -> None:
    tuesday = date(2026, 3, 10)
    assert ECB.last(berlin(2026, 3, 10, 15, 59, 59)) == ECB.instant(tuesday - timedelta(days=1))
    assert ECB.last(berlin(2026, 3, 10, 16, 0, 0)) == ECB.instant(tuesday)
    assert ECB.last(berlin(2026, 3, 14, 12)) == ECB.instant(date(2026, 3, 13))  # Saturday
    assert ECB.next(berlin(2026, 3, 13, 16, 0, 1)) == ECB.instant(date(2026, 3, 16))  # Monday


def test_target_holidays_publish_nothing() -> None:
    # Easter 2026 is 5 April: Good Friday and Easter Monday are closed, as are 1 May, 25/26 Dec.
    closed = [date(2026, 4, 3), date(2026, 4, 6), date(2026, 5, 1), date(2026, 12, 25)]
    assert not any(is_working_day(d) for d in closed)
    assert is_working_day(date(2026, 4, 2))
    assert is_working_day(date(2026, 4, 7))
    assert ECB.next(berlin(2026, 4, 2, 17)) == ECB.instant(date(2026, 4, 7))


def test_publication_is_16_00_local_time_summer_and_winter() -> None:
    assert ECB.instant(date(2026, 7, 1)).astimezone(UTC).hour == 14  # CEST
    assert ECB.instant(date(2026, 1, 5)).astimezone(UTC).hour == 15  # CET


# ---------------------------------------------------------------- caching by publication
class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
async def fx() -> AsyncIterator[tuple[Harness, Clock]]:
    clock = Clock(berlin(2026, 3, 10, 10, 0))  # a Tuesday morning: Monday's rates in force
    async with Harness(PLUGIN, cache=True) as harness:
        harness.connector.clock = clock
        harness.forget()
        yield harness, clock


async def test_latest_is_cached_until_the_next_publication_not_a_fixed_time(
    fx: tuple[Harness, Clock],
) -> None:
    harness, clock = fx
    await harness.connector.latest_rates("EUR")
    assert harness.calls() == 1
    clock.now = berlin(2026, 3, 10, 15, 59, 59)  # six hours on, a second before publication
    await harness.connector.latest_rates("EUR")
    assert harness.calls() == 1
    clock.now = berlin(2026, 3, 10, 16, 0, 1)  # a second after: the provider has new rates
    await harness.connector.latest_rates("EUR")
    assert harness.calls() == 2
    clock.now = berlin(2026, 3, 11, 15, 0)
    await harness.connector.latest_rates("EUR")
    assert harness.calls() == 2
    await harness.connector.latest_rates("USD")  # another base is another answer
    assert harness.calls() == 3


async def test_a_late_publication_is_asked_again_but_not_on_every_read(
    fx: tuple[Harness, Clock],
) -> None:
    harness, clock = fx
    sandbox: Any = harness.sandbox
    sandbox.published_through = date(2026, 3, 9)  # 16:05 Tuesday, still Monday's rates
    clock.now = berlin(2026, 3, 10, 16, 5)
    got = await harness.connector.latest_rates("EUR")
    assert got.value.date == date(2026, 3, 9)
    assert harness.calls() == 2  # the edition's answer was behind: asked again once
    clock.now = berlin(2026, 3, 10, 16, 9)
    await harness.connector.latest_rates("EUR")
    assert harness.calls() == 2  # within recheck_late_s: no new call
    sandbox.published_through = date(2026, 3, 10)  # published at last
    clock.now = berlin(2026, 3, 10, 16, 16)
    got = await harness.connector.latest_rates("EUR")
    assert got.value.date == date(2026, 3, 10)
    assert harness.calls() == 3  # the edition (cached, behind), then a recheck: caught up
    clock.now = berlin(2026, 3, 10, 17, 0)
    await harness.connector.latest_rates("EUR")
    assert harness.calls() == 4  # the stale edition entry was dropped: fetched once more
    clock.now = berlin(2026, 3, 10, 20, 0)
    got = await harness.connector.latest_rates("EUR")
    assert (got.value.date, harness.calls()) == (date(2026, 3, 10), 4)  # and kept


async def test_a_past_day_is_kept_and_an_unpublished_one_expires_at_publication(
    fx: tuple[Harness, Clock],
) -> None:
    harness, clock = fx
    for _ in range(2):
        past = await harness.connector.rates_on(date(2024, 3, 15), "EUR")
    assert (past.value.date, harness.calls()) == (date(2024, 3, 15), 1)
    await harness.connector.rates_on(date(2026, 3, 10), "EUR")  # today, not published yet
    clock.now = berlin(2026, 3, 10, 16, 1)
    await harness.connector.rates_on(date(2026, 3, 10), "EUR")
    assert harness.calls() == 3


async def test_rates_are_exact_decimals(fx: tuple[Harness, Clock]) -> None:
    harness, _ = fx
    got = await harness.connector.rates_on(date(2024, 3, 15), "USD")
    assert got.value.rates == rates(date(2024, 3, 15), "USD")
    assert all(isinstance(r, Decimal) for r in got.value.rates.values())


async def test_a_bad_currency_is_refused_before_any_call(fx: tuple[Harness, Clock]) -> None:
    harness, _ = fx
    with pytest.raises(BadUserInput):
        await harness.connector.latest_rates("usd")
    with pytest.raises(BadUserInput):  # well-formed, but the provider has no such base: 404
        await harness.connector.latest_rates("XYZ")
    assert harness.calls() == 1


def test_conversion_rounds_half_even_to_the_minor_units() -> None:
    eur = Money(amount=Decimal("10.00"), currency="EUR")
    assert convert(eur, Decimal("1.0825"), "USD").amount == Decimal("10.82")  # 10.825 → even
    assert convert(eur, Decimal("1.0835"), "USD").amount == Decimal("10.84")  # 10.835 → even
    assert convert(eur, Decimal("162.35"), "JPY").amount == Decimal("1624")
    assert (minor_units("KWD"), minor_units("JPY"), minor_units("CHF")) == (3, 0, 2)


# ---------------------------------------------------------------- the graph, end to end
@pytest.fixture
async def facade(make_facade: Any, providers_server: ServedSandbox) -> Facade:
    fast = {"base_delay_s": 0.01, "max_delay_s": 0.05}
    fx = {"base_url": f"{providers_server.base_url}/fx", "retry": fast}
    made: Facade = await make_facade(connectors={"fx": fx})
    return made


def fx_of(providers: SandboxSet) -> FxSandbox:
    sandbox = providers.providers["fx"]
    assert isinstance(sandbox, FxSandbox)
    return sandbox


def fx_calls(providers: SandboxSet) -> int:
    return len(fx_of(providers).recorder.calls())


async def test_fx_rates_and_currencies_through_the_graph(
    facade: Facade, providers: SandboxSet
) -> None:
    body = await facade.query(
        '{ fxRates(base: "USD", date: "2024-03-16") { base date rates { currency rate } }'
        " latest: fxRates { base date } currencies { code name } }"
    )
    assert "errors" not in body, body
    saturday = body["data"]["fxRates"]
    assert (saturday["base"], saturday["date"]) == ("USD", "2024-03-15")  # the Friday before
    expected = rates(date(2024, 3, 15), "USD")
    assert {r["currency"]: Decimal(r["rate"]) for r in saturday["rates"]} == expected
    assert all(isinstance(r["rate"], str) for r in saturday["rates"])  # exact, as a string
    assert body["data"]["latest"]["base"] == "EUR"
    assert {"code": "USD", "name": "United States Dollar"} in body["data"]["currencies"]


PAYMENTS_IN = """
query($to: String!) { customers(first: 20) { edges { node { payments(first: 5) {
  amount { amount currency convertedTo(currency: $to) { amount currency } }
} } } } }
"""


def amounts(body: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        p["amount"]
        for edge in body["data"]["customers"]["edges"]
        for p in edge["node"]["payments"] or []
    ]


async def test_money_converted_to_on_real_payments_one_call_per_base(
    facade: Facade, providers: SandboxSet
) -> None:
    fx_of(providers).recorder.reset()
    body = await facade.query(PAYMENTS_IN, {"to": "JPY"})
    assert "errors" not in body, body
    paid = amounts(body)
    bases = {m["currency"] for m in paid}
    assert len(paid) > len(bases) >= 2  # many payments, a few currencies
    assert fx_calls(providers) == len(bases)  # one FX call per base, not per payment
    day = fx_of(providers).latest_day()
    for money in paid:
        rate = rates(day, money["currency"])["JPY"]
        exact = Decimal(money["amount"]) * rate
        assert money["convertedTo"] == {
            "amount": str(exact.quantize(Decimal(1), ROUND_HALF_EVEN)),
            "currency": "JPY",
        }
    await facade.query(PAYMENTS_IN, {"to": "JPY"})
    assert fx_calls(providers) == len(bases)  # the next request: the cache, until publication


async def test_two_targets_from_one_base_share_the_request_s_one_call(
    facade: Facade, providers: SandboxSet
) -> None:
    fx_of(providers).recorder.reset()
    body = await facade.query(
        '{ payment(id: "pi_000000000000000000000001") { amount { currency'
        ' chf: convertedTo(currency: "CHF") { amount } sek: convertedTo(currency: "SEK") { amount }'
        " } } }"
    )
    assert "errors" not in body, body
    assert fx_calls(providers) == 1


async def test_without_the_fx_connector_its_fields_are_not_in_the_graph(
    make_facade: Any,
) -> None:
    facade = await make_facade()  # tests/support.py configures no [connectors.fx]
    body = await facade.query("{ fxRates { base } }")
    assert codes(body) == {"GRAPHQL_VALIDATION_FAILED"}, body
    kept = await make_facade(graph={"unavailable_fields": "error"})
    body = await kept.query("{ fxRates { base } }")
    assert body["data"] == {"fxRates": None}
    assert codes(body) == {"CONNECTOR_UNAVAILABLE"}, body


def codes(body: dict[str, Any]) -> set[str]:
    return {e["extensions"]["code"] for e in body.get("errors", [])}


@pytest.mark.parametrize("currency", ["XYZ", "usd"])
async def test_an_unknown_currency_is_bad_user_input(
    facade: Facade, providers: SandboxSet, currency: str
) -> None:
    body = await facade.query(PAYMENTS_IN, {"to": currency})
    assert codes(body) == {"BAD_USER_INPUT"}, body
    assert all(m["convertedTo"] is None for m in amounts(body))
    assert all(m["amount"] for m in amounts(body))  # the payments themselves are served


async def test_fx_down_nulls_the_conversion_alone_with_a_typed_error(
    facade: Facade, providers: SandboxSet
) -> None:
    fx_of(providers).faults.add(Fault("status", status=503))
    body = await facade.query(PAYMENTS_IN, {"to": "CHF"})
    assert codes(body) == {"UPSTREAM_UNAVAILABLE"}, body
    paid = amounts(body)
    assert paid
    assert all(m["convertedTo"] is None for m in paid)
    assert all(Decimal(m["amount"]) > 0 for m in paid)
    paths = {tuple(e["path"][-2:]) for e in body["errors"]}
    assert paths == {("amount", "convertedTo")}


async def test_a_same_currency_conversion_needs_no_rates(
    facade: Facade, providers: SandboxSet
) -> None:
    fx_of(providers).faults.add(Fault("status", status=503))
    body = await facade.query(
        '{ payment(id: "pi_000000000000000000000001") { amount { amount currency'
        ' convertedTo(currency: "EUR") { amount currency } } } }'
    )
    money = body["data"]["payment"]["amount"]
    if money["currency"] != "EUR":
        pytest.skip("the seed's first payment is not in EUR")
    assert money["convertedTo"] == {"amount": money["amount"], "currency": "EUR"}
    assert fx_calls(providers) == 0
