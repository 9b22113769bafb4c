"""VAT connector: EU VAT numbers checked at VIES, SOAP 1.1 document/literal.

``vies.wsdl`` is the EU's public contract (``checkVatService``), copied unchanged from the
shared WSDL corpus (``savon__vies_checkVatService.wsdl``, itself savon's copy of
https://ec.europa.eu/taxation_customs/vies/checkVatService.wsdl); it is theirs, not ours, so
it is never edited here — ``tests/connectors/test_vat_corpus.py`` checks it still matches.
"""

from colonnade.connectors.vat.connector import CHECK_VAT, VatConnector
from colonnade.connectors.vat.graph import VAT_GRAPH
from colonnade.connectors.vat.settings import VatSettings
from colonnade.platform import ConnectorPlugin

PLUGIN = ConnectorPlugin(
    name="vat",
    settings=VatSettings,
    build=VatConnector,
    graph=VAT_GRAPH,
    sandbox="colonnade.sandboxes.vat:VatSandbox",
    description="EU VIES: VAT number checks, with per-member-state breakers",
)

__all__ = ["CHECK_VAT", "PLUGIN", "VatConnector", "VatSettings"]
