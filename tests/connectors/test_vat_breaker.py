"""Breakers per member state, and one for VIES: a German register outage pauses German checks
only; VIES itself failing pauses them all; rate limits pause nothing."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from colonnade.connectors.vat import PLUGIN
from colonnade.errors import CircuitOpen, UpstreamError
from colonnade.testing import Harness, one

SETTINGS = {
    "retry": {"max_attempts": 1},
    "breaker": {"enabled": True, "min_calls": 3, "failure_ratio": 0.5, "break_s": 30.0},
}
DE, FR = "DE100000001", "FR10100000001"


@pytest.fixture
async def vat() -> AsyncIterator[Harness]:
    async with Harness(PLUGIN, settings=SETTINGS) as harness:
        yield harness


async def check(vat: Harness, number: str) -> UpstreamError | None:
    try:
        one(await vat.connector.registrations([number]))
    except UpstreamError as err:
        return err
    return None


async def states(vat: Harness) -> dict[str, str]:
    caller = vat.connector.pipeline.caller
    return {
        b.key: (await b.state()).value
        for op in vat.connector.operations
        for b in caller.breakers_of(op)
    }


async def test_a_member_state_outage_opens_its_breaker_only(vat: Harness) -> None:
    vat.sandbox.fail("MS_UNAVAILABLE", "DE")  # type: ignore[attr-defined]
    assert await check(vat, FR) is None  # FR's breaker exists, closed
    errors = [await check(vat, DE) for _ in range(5)]
    assert [type(e).__name__ for e in errors] == ["UpstreamUnavailable"] * 3 + ["CircuitOpen"] * 2
    assert vat.sandbox.recorder.count("vat.checkVat.DE") == 3  # then no call while open
    for _ in range(5):
        assert await check(vat, FR) is None  # still called, still answered
    assert vat.sandbox.recorder.count("vat.checkVat.FR") == 6
    assert await states(vat) == {
        "cb:vat.member_state:DE": "open",
        "cb:vat.member_state:FR": "closed",
        "cb:vat": "closed",  # VIES itself answered every time
    }


async def test_vies_failing_opens_the_breaker_every_member_state_passes(vat: Harness) -> None:
    for _ in range(4):
        assert await check(vat, FR) is None
    vat.sandbox.fail("SERVICE_UNAVAILABLE")  # type: ignore[attr-defined]
    for _ in range(3):  # enough to open DE's breaker, were VIES's failure DE's
        assert type(await check(vat, DE)).__name__ == "UpstreamUnavailable"
    assert (await states(vat))["cb:vat.member_state:DE"] == "closed"
    seen = [type(await check(vat, FR)).__name__ for _ in range(4)]
    assert "CircuitOpen" in seen
    called = vat.calls()
    refused = await check(vat, "NL100000001B01")  # a member state never called before
    assert isinstance(refused, CircuitOpen)
    assert vat.calls() == called  # refused without a call
    found = await states(vat)
    assert found.pop("cb:vat") == "open"
    # VIES's failure is not the member states': theirs stay closed, ready when VIES is back.
    assert found == {
        "cb:vat.member_state:DE": "closed",
        "cb:vat.member_state:FR": "closed",
        "cb:vat.member_state:NL": "closed",
    }


@pytest.mark.parametrize("code", ["MS_MAX_CONCURRENT_REQ", "GLOBAL_MAX_CONCURRENT_REQ"])
async def test_a_rate_limit_opens_no_breaker(vat: Harness, code: str) -> None:
    vat.sandbox.fail(code, "DE")  # type: ignore[attr-defined]
    for _ in range(6):
        assert type(await check(vat, DE)).__name__ == "UpstreamRateLimited"
    assert vat.sandbox.recorder.count("vat.checkVat.DE") == 6
    assert set((await states(vat)).values()) == {"closed"}
