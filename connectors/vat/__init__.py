"""VAT connector: EU VAT numbers checked at VIES, SOAP 1.1 document/literal.

The EU's WSDL is not shipped (``settings.VIES_WSDL_URL``: save it, point ``wsdl`` at it); the
sandbox describes itself with a stand-in of its own, which a corpus test holds to the real one.
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
