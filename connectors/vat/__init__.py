"""VAT connector: EU VAT numbers checked at VIES, SOAP 1.1 document/literal.

``vies.wsdl`` is the EU Commission's public contract (``checkVatService``, published at
https://ec.europa.eu/taxation_customs/vies/checkVatService.wsdl), copied byte for byte from
the shared WSDL corpus (``savon__vies_checkVatService.wsdl``: savonrb/savon @ 6679767,
``spec/fixtures/wsdl/vies.xml``, MIT). It is theirs, not ours: never edited here, and
``tests/connectors/test_vat_corpus.py`` checks it still equals the corpus copy.
"""

from colonnade import ConnectorPlugin
from colonnade.connectors.vat.connector import CHECK_VAT, VatConnector
from colonnade.connectors.vat.graph import VAT_GRAPH
from colonnade.connectors.vat.settings import VatSettings

PLUGIN = ConnectorPlugin(
    name="vat",
    settings=VatSettings,
    build=VatConnector,
    graph=VAT_GRAPH,
    sandbox="colonnade.sandboxes.vat:VatSandbox",
    description="EU VIES: VAT number checks, with per-member-state breakers",
)

__all__ = ["CHECK_VAT", "PLUGIN", "VatConnector", "VatSettings"]
