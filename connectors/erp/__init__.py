"""ERP connector: SAP-shaped SOAP 1.1 document/literal, from the WSDL in wsdl/erp/."""

from colonnade import ConnectorPlugin
from colonnade.connectors.erp.connector import ErpConnector
from colonnade.connectors.erp.settings import ErpSettings
from colonnade.connectors.ports import OrderBook

PLUGIN = ConnectorPlugin(
    name="erp",
    settings=ErpSettings,
    build=ErpConnector,
    provides=(OrderBook,),
    sandbox="colonnade.sandboxes.erp:ErpSandbox",
    description="SAP-shaped SOAP ERP: sales orders",
)

__all__ = ["PLUGIN", "ErpConnector", "ErpSettings"]
