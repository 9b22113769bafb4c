"""Real-world WSDLs (../shared/corpus/wsdl): each loads offline, or fails at start-up with a
message that says what to do — never a network fetch, never a hang."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pytest

from colonnade.errors import ConfigError
from colonnade.soap import load_wsdl

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "wsdl"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not beside this clone"),
]


def entries() -> list[tuple[Path, dict[str, str]]]:
    if not CORPUS.is_dir():
        return []
    found = [(p, {}) for p in sorted(CORPUS.glob("*.wsdl"))]
    for folder in sorted(p for p in CORPUS.iterdir() if p.is_dir()):
        manifest = json.loads((folder / "manifest.json").read_text())
        for entry in manifest.get("entry_points", []):
            found.append((folder / entry, manifest.get("url_map", {})))
    return found


# What the corpus's own notes say zeep cannot do offline, and why.
EXPECTED_FAILURES = {
    "services.wsdl": "https://www.w3.org/2001/xml.xsd",  # EWS needs xml.xsd, not in the corpus
    "savon3__iws.wsdl": "",  # a broken WSDL: an unresolvable type
    "ImageViewService.wsdl": "",  # server-style '?xsd=' locations that do not exist on disk
    # imports the SOAP-encoding schema by URL: save it and map it to load this one
    "wsdltophp__OmnitureAdminServices.wsdl": "http://schemas.xmlsoap.org/soap/encoding/",
}


@pytest.mark.parametrize(("wsdl", "url_map"), entries(), ids=lambda v: getattr(v, "name", ""))
def test_real_world_wsdl_loads_offline_or_says_why(wsdl: Path, url_map: dict[str, str]) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # zeep warns about quirky parts; that is the corpus
        expected = EXPECTED_FAILURES.get(wsdl.name)
        if expected is None:
            client = load_wsdl(wsdl, {u: Path(p) for u, p in url_map.items()})
            assert client.wsdl.services is not None
            return
        with pytest.raises(ConfigError) as failure:
            load_wsdl(wsdl, {u: Path(p) for u, p in url_map.items()})
    message = str(failure.value)
    assert str(wsdl) in message
    if expected:
        assert expected in message
        assert "wsdl_url_map" in message  # tells the operator what to do


def test_an_unmapped_import_is_refused_not_fetched() -> None:
    folder = CORPUS / "savon3__bydexchange"
    with pytest.raises(ConfigError, match=r"network location.*wsdl_url_map"):
        load_wsdl(folder / "bydexchange.wsdl")
