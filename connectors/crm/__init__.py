"""CRM connector: Salesforce REST (SObject Collections, SOQL), OAuth2 client credentials."""

from colonnade import ConnectorPlugin
from colonnade.connectors.crm.connector import CrmConnector
from colonnade.connectors.crm.settings import CrmSettings
from colonnade.connectors.ports import CustomerDirectory

PLUGIN = ConnectorPlugin(
    name="crm",
    settings=CrmSettings,
    build=CrmConnector,
    provides=(CustomerDirectory,),
    sandbox="colonnade.sandboxes.crm:CrmSandbox",
    description="Salesforce-shaped CRM: customers (accounts)",
)

__all__ = ["PLUGIN", "CrmConnector", "CrmSettings"]
