"""Geocoding through the facade, against the Nominatim and Photon sandboxes over real HTTP:
Nominatim answers first, within its policy (an identifying User-Agent on every call, one
request per second, a repeat served from the cache); when its breaker is open or its second
is spent, Photon answers, and the response says so for that path."""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest

from colonnade.connectors.nominatim import NominatimSettings
from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox

FAST = {"base_delay_s": 0.01, "max_delay_s": 0.05}
CITIES = ["Berlin, DE", "Paris, FR", "London, GB", "Amsterdam, NL", "Chicago, US"]
POINT = "latitude longitude displayName provider attribution"


def geocoders(base: str, nominatim: dict[str, Any] | None = None, **photon: Any) -> Any:
    return {
        "nominatim": {"base_url": f"{base}/nominatim", "retry": FAST, **(nominatim or {})},
        "photon": {"base_url": f"{base}/photon", "retry": FAST, **photon},
    }


def calls(providers: SandboxSet, name: str) -> list[Any]:
    return list(getattr(providers, name).recorder.calls())


def burst(addresses: list[str]) -> str:
    fields = " ".join(
        f'g{i}: geocode(address: "{a}") {{ {POINT} }}' for i, a in enumerate(addresses)
    )
    return "{ " + fields + " }"


@pytest.fixture
def base(providers_server: ServedSandbox) -> str:
    return providers_server.base_url


async def test_nominatim_answers_with_its_licence(make_facade: Any, providers: Any, base: str):
    facade = await make_facade(connectors=geocoders(base))
    body = await facade.query(burst(["Berlin, DE"]))
    assert body == {
        "data": {
            "g0": {
                "latitude": 52.5170365,
                "longitude": 13.3888599,
                "displayName": "Berlin, Germany",
                "provider": "nominatim",
                "attribution": "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright",
            }
        }
    }
    [call] = calls(providers, "nominatim")
    assert "format=jsonv2" in call.query
    assert "q=berlin%2C+de" in call.query
    assert calls(providers, "photon") == []


async def test_a_spent_second_is_answered_by_photon_at_once_and_labelled(
    make_facade: Any, providers: Any, base: str
) -> None:
    facade = await make_facade(connectors=geocoders(base))
    started = time.monotonic()
    body = await facade.query(burst(CITIES))
    elapsed = time.monotonic() - started
    answered = {alias: point["provider"] for alias, point in body["data"].items()}
    assert sorted(answered.values()) == ["nominatim"] + ["photon"] * 4
    # One request to Nominatim in the burst (its policy), the rest to Photon, none queued.
    [first] = calls(providers, "nominatim")
    assert len(calls(providers, "photon")) == 4
    assert elapsed < 1.0  # nobody waited for Nominatim's next second
    by_nominatim = next(a for a, p in answered.items() if p == "nominatim")
    asked = CITIES[int(by_nominatim[1:])].lower().replace(", ", "%2C+")
    assert f"q={asked}&" in first.query
    fallbacks = body["extensions"]["colonnade"]["fallbacks"]
    assert sorted(f["path"][0] for f in fallbacks) == sorted(
        a for a, p in answered.items() if p == "photon"
    )
    assert {(f["connector"], f["kind"], f["code"], f["answeredBy"]) for f in fallbacks} == {
        ("nominatim", "failover", "UPSTREAM_RATE_LIMITED", "photon")
    }
    assert "errors" not in body


async def test_the_budget_refills_after_a_second(make_facade: Any, providers: Any, base: str):
    facade = await make_facade(connectors=geocoders(base))
    await facade.query(burst(["Berlin, DE"]))
    [first] = calls(providers, "nominatim")
    # One token a second: the next is there a second after the first call, not before.
    await asyncio.sleep(max(0.0, first.at + 1.0 - time.monotonic()) + 0.02)
    body = await facade.query(burst(["Paris, FR"]))
    assert body["data"]["g0"]["provider"] == "nominatim"
    assert len(calls(providers, "nominatim")) == 2
    spacing = calls(providers, "nominatim")[1].at - calls(providers, "nominatim")[0].at
    assert spacing >= 1.0


async def test_a_repeat_is_served_from_the_cache(make_facade: Any, providers: Any, base: str):
    facade = await make_facade(connectors=geocoders(base))
    first = await facade.query(burst(["Berlin, DE"]))
    again = await facade.query(burst(["  BERLIN,   de "]))  # same address, spelt otherwise
    assert again == first
    assert len(calls(providers, "nominatim")) == 1
    assert calls(providers, "photon") == []  # not rate limited: never asked at all


async def test_an_open_breaker_sends_every_address_to_photon(
    make_facade: Any, providers: Any, base: str
) -> None:
    nominatim = {
        "rate_limit": {"rate_per_s": None},  # this test is about the breaker alone
        "breaker": {"min_calls": 2, "failure_ratio": 0.5, "break_s": 30},
    }
    facade = await make_facade(connectors=geocoders(base, nominatim))
    providers.nominatim.faults.add(Fault("status", status=503))
    for city in ["Berlin, DE", "Paris, FR"]:  # two failures: the breaker opens
        body = await facade.query(burst([city]))
        assert body["data"]["g0"]["provider"] == "photon"
        [label] = body["extensions"]["colonnade"]["fallbacks"]
        assert label["code"] == "UPSTREAM_UNAVAILABLE"
    assert len(calls(providers, "nominatim")) == 2

    body = await facade.query(burst(["London, GB", "Chicago, US"]))
    assert {p["provider"] for p in body["data"].values()} == {"photon"}
    assert {f["code"] for f in body["extensions"]["colonnade"]["fallbacks"]} == {"CIRCUIT_OPEN"}
    assert len(calls(providers, "nominatim")) == 2  # open: not asked again
    assert len(calls(providers, "photon")) == 4


async def test_when_every_geocoder_fails_the_field_is_null_with_a_typed_error(
    make_facade: Any, providers: Any, base: str
) -> None:
    facade = await make_facade(connectors=geocoders(base))
    providers.nominatim.faults.add(Fault("status", status=503))
    providers.photon.faults.add(Fault("status", status=502))
    body = await facade.query(burst(["Berlin, DE"]))
    assert body["data"] == {"g0": None}
    [error] = body["errors"]
    assert error["path"] == ["g0"]
    assert error["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert error["extensions"]["failover"] == [
        {"connector": "nominatim", "code": "UPSTREAM_UNAVAILABLE"},
        {"connector": "photon", "code": "UPSTREAM_UNAVAILABLE"},
    ]


async def test_with_nominatim_alone_a_spent_second_is_a_typed_error(
    make_facade: Any, providers: Any, base: str
) -> None:
    facade = await make_facade(connectors={"nominatim": geocoders(base)["nominatim"]})
    body = await facade.query(burst(["Berlin, DE", "Paris, FR"]))
    [answered] = [p for p in body["data"].values() if p is not None]
    assert answered["provider"] == "nominatim"
    [error] = body["errors"]
    assert error["extensions"]["code"] == "UPSTREAM_RATE_LIMITED"
    assert error["extensions"]["connector"] == "nominatim"
    assert len(calls(providers, "nominatim")) == 1


async def test_every_nominatim_call_names_colonnade_and_its_contact(
    make_facade: Any, providers: Any, base: str
) -> None:
    nominatim = {"contact": "geo-ops@example.com", "rate_limit": {"rate_per_s": None}}
    facade = await make_facade(connectors=geocoders(base, nominatim))
    providers.nominatim.faults.add(Fault("status", status=500, times=1))
    await facade.query(burst(CITIES))
    seen = providers.nominatim.user_agents
    assert len(seen) == len(calls(providers, "nominatim")) == len(CITIES)
    expected = NominatimSettings(contact="geo-ops@example.com").identity()
    assert set(seen) == {expected}
    assert expected.startswith("Colonnade/")
    assert expected.endswith("geo-ops@example.com")


async def test_a_stock_user_agent_is_refused_by_settings_and_blocked_by_the_sandbox(
    providers: Any, base: str
) -> None:
    import httpx

    with pytest.raises(ValueError, match="identify this application"):
        NominatimSettings(user_agent="python-httpx/0.27")
    async with httpx.AsyncClient(base_url=f"{base}/nominatim") as client:
        blocked = await client.get("/search", params={"q": "berlin", "format": "jsonv2"})
    assert blocked.status_code == 403


async def test_the_priority_setting_decides_who_answers_first(
    make_facade: Any, providers: Any, base: str
) -> None:
    facade = await make_facade(connectors=geocoders(base, {"priority": 30}))
    body = await facade.query(burst(["Berlin, DE", "Paris, FR"]))
    assert {p["provider"] for p in body["data"].values()} == {"photon"}
    assert calls(providers, "nominatim") == []
    assert "extensions" not in body  # the first asked answered: nothing to label


async def test_an_unknown_place_is_null_and_a_bad_address_is_refused(
    make_facade: Any, providers: Any, base: str
) -> None:
    facade = await make_facade(connectors=geocoders(base))
    body = await facade.query('{ geocode(address: "Atlantis, XX") { provider } }')
    assert body == {"data": {"geocode": None}}
    body = await facade.query(
        "query($a: String!) { geocode(address: $a) { provider } }", {"a": "x" * 201}
    )
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert len(calls(providers, "nominatim")) == 1  # the refused one was never sent
