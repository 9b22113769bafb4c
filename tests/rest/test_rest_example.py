"""The 40-line example connector works end to end against the test provider."""

from __future__ import annotations

from decimal import Decimal

from fx_connector import FxConnector

from colonnade.errors import BadUserInput, UpstreamRejected
from colonnade.pipeline.core import Fetched


async def test_rates_per_base_cached_and_checked(make, provider) -> None:
    fx = await make(FxConnector)
    got = await fx.rates(["EUR", "USD", "eur", "XXX"])
    eur, usd = got["EUR"], got["USD"]
    assert isinstance(eur, Fetched)
    assert isinstance(usd, Fetched)
    assert eur.value.rates["USD"] == Decimal("1.0832")
    assert usd.value.base == "USD"
    assert isinstance(got["eur"], BadUserInput)  # never sent
    assert isinstance(got["XXX"], UpstreamRejected)  # the provider's 422
    assert got["XXX"].provider_code == "invalid_base"
    await fx.rates(["EUR"])  # the static tier answers
    assert provider.recorder.count("rest.fx_latest") == 3
    assert {s.query_params["api_key"] != "" for s in provider.seen} == {True}


async def test_history_walks_every_page(make, provider) -> None:
    fx = await make(FxConnector)
    days = (await fx.history()).value
    assert len(days) == 23
    assert provider.recorder.count("rest.fx_series") == 3
