"""Each geocoder's committed contract.json still holds against its sandbox, and a renamed
field is reported by name (``colonnade contracts verify`` for these two connectors)."""

from __future__ import annotations

from typing import Any

import pytest

from colonnade.contracts import run
from colonnade.sandboxes import Fault, ServedSandbox


@pytest.fixture
async def uncached(make_facade: Any, providers_server: ServedSandbox) -> Any:
    base = providers_server.base_url
    return await make_facade(
        cache={"enabled": False},
        connectors={
            "nominatim": {"base_url": f"{base}/nominatim", "rate_limit": {"rate_per_s": None}},
            "photon": {"base_url": f"{base}/photon"},
        },
    )


@pytest.mark.parametrize("name", ["nominatim", "photon"])
async def test_the_committed_contract_holds(uncached: Any, name: str) -> None:
    connector = uncached.connector(name)
    path, drifts = run.verify(connector, await run.probe(connector), live=False)
    assert path.is_file()
    assert [str(d) for d in drifts] == []


@pytest.mark.parametrize(("name", "field"), [("nominatim", "lat"), ("photon", "coordinates")])
async def test_a_renamed_field_is_drift(uncached: Any, providers: Any, name: str, field: str):
    getattr(providers, name).faults.add(Fault("rename_field", rename=(field, "Renamed")))
    connector = uncached.connector(name)
    _, drifts = run.verify(connector, await run.probe(connector), live=False)
    assert any(
        f"'{field}'" in str(d) or f".{field}'" in str(d) for d in drifts if d.severity == "error"
    )
