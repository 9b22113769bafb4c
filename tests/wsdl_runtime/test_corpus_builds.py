"""Every WSDL of the real-world corpus that imports builds a runtime connector (no call is
made): each operation has a port that binds it, declared faults and headers are read, and a
list-of-keys read is detected only where one key list names a field of the one record list."""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from pathlib import Path
from types import ModuleType

import pytest

from colonnade.config import Settings
from colonnade.runtime import Runtime
from colonnade.state import MemoryBackend
from colonnade.wsdl_import.connector import WsdlConnector, import_for
from colonnade.wsdl_import.settings import WsdlSettings


def _corpus() -> ModuleType:
    """The corpus index the SOAP tests use (tests/soap/wsdl_corpus.py), loaded by path."""
    path = Path(__file__).parents[1] / "soap" / "wsdl_corpus.py"
    spec = importlib.util.spec_from_file_location("wsdl_corpus_index", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


CORPUS = _corpus()
pytestmark = CORPUS.needs_corpus
ENTRIES = CORPUS.entries()


@pytest.fixture
async def runtime() -> AsyncIterator[Runtime]:
    built = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    yield built
    await built.aclose()


@pytest.mark.parametrize(
    ("path", "url_map"), ENTRIES, ids=[p.relative_to(CORPUS.CORPUS).as_posix() for p, _ in ENTRIES]
)
async def test_an_importable_wsdl_builds_a_connector(
    path: Path, url_map: dict[str, Path], runtime: Runtime
) -> None:
    settings = WsdlSettings(base_url="http://127.0.0.1:9", wsdl=path, wsdl_url_map=url_map)
    report = import_for(settings, "legacy")
    if not report.ok:
        pytest.skip("the import reports this WSDL unusable (its own tests say why)")
    connector = WsdlConnector(settings, runtime, name="legacy", report=report)
    try:
        assert report.model is not None
        assert {op.name for op in connector.operations} == {o.name for o in report.model.operations}
        for exposed in connector._exposed.values():
            bindings = {ref.binding for ref in exposed.model.bindings}
            assert exposed.model.name in exposed.port.operations
            assert str(exposed.port.binding.name.text) in bindings
    finally:
        await connector.aclose()


async def test_betfair_s_bet_lookups_are_detected_as_key_batches(runtime: Runtime) -> None:
    [(path, url_map)] = [(p, m) for p, m in ENTRIES if p.name == "savon3__betfair.wsdl"]
    settings = WsdlSettings(base_url="http://127.0.0.1:9", wsdl=path, wsdl_url_map=url_map)
    connector = WsdlConnector(settings, runtime, name="legacy")
    try:
        found = {k: (v.keys_path, v.match_path) for k, v in connector.batches.items()}
    finally:
        await connector.aclose()
    assert found == {
        "getMUBets": ("request.betIds.betId", "Result.bets.MUBet.betId"),
        "getMUBetsLite": ("request.betIds.betId", "Result.betLites.MUBetLite.betId"),
    }


async def test_two_bindings_each_send_their_own_operations(runtime: Runtime) -> None:
    [(path, url_map)] = [(p, m) for p, m in ENTRIES if p.name == "PayPalSvc.wsdl"]
    settings = WsdlSettings(base_url="http://127.0.0.1:9", wsdl=path, wsdl_url_map=url_map)
    connector = WsdlConnector(settings, runtime, name="legacy")
    try:
        ports = {e.port.name for e in connector._exposed.values()}
    finally:
        await connector.aclose()
    assert len(ports) == 2


async def test_headers_are_named_by_element_or_part_and_serialized_by_zeep(
    runtime: Runtime,
) -> None:
    """zeep's own header fixture: parts ``header`` (Authentication) and ``token`` (Token)."""
    [(path, url_map)] = [(p, m) for p, m in ENTRIES if p.name == "zeep__soap_header.wsdl"]
    settings = WsdlSettings(
        base_url="http://127.0.0.1:9",
        wsdl=path,
        wsdl_url_map=url_map,
        soap_headers={
            "Authentication.password": "pw-1",  # by element name
            "header.username": "user-1",  # by part name, the same header
            "token.value": "tok-1",
        },
    )
    connector = WsdlConnector(settings, runtime, name="legacy")
    try:
        [exposed] = connector._exposed.values()
        headers = connector.headers.for_operation(exposed.zeep_operation)
        assert headers == {
            "header": {"password": "pw-1", "username": "user-1"},
            "token": {"value": "tok-1"},
        }
        envelope = connector.client.create_message(
            exposed.port.proxy, exposed.model.name, tickerSymbol="ACME", _soapheaders=headers
        )
        header = envelope.find("{http://schemas.xmlsoap.org/soap/envelope/}Header")
        texts = {el.tag.rsplit("}", 1)[-1]: el.text for el in header.iter() if el.text}
        assert texts == {"username": "user-1", "password": "pw-1", "value": "tok-1"}
    finally:
        await connector.aclose()
