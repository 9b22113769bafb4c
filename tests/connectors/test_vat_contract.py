"""The VAT connector's recorded contract (connectors/vat/contract.json) holds against its
sandbox, and a renamed element of VIES's reply is reported by name."""

from __future__ import annotations

from typing import Any

from colonnade.contracts import run
from colonnade.sandboxes import Fault, ServedSandbox


def _table(providers: Any, server: ServedSandbox) -> dict[str, Any]:
    return {**providers.vat.connector_settings(), "base_url": f"{server.base_url}/vat"}


async def test_the_committed_contract_holds(
    make_facade: Any, providers_server: ServedSandbox, providers: Any
) -> None:
    facade = await make_facade(
        cache={"enabled": False}, connectors={"vat": _table(providers, providers_server)}
    )
    connector = facade.connector("vat")
    path, drifts = run.verify(connector, await run.probe(connector), live=False)
    assert path.is_file()
    assert [str(d) for d in drifts] == [], "run `colonnade contracts record` and review the diff"


async def test_a_renamed_element_is_drift(
    make_facade: Any, providers_server: ServedSandbox, providers: Any
) -> None:
    facade = await make_facade(
        cache={"enabled": False}, connectors={"vat": _table(providers, providers_server)}
    )
    providers.vat.faults.add(Fault("rename_field", match="vat.*", rename=("name", "traderName")))
    connector = facade.connector("vat")
    _, drifts = run.verify(connector, await run.probe(connector), live=False)
    assert any("checkVatResponse.name" in str(d) and d.severity == "error" for d in drifts)
