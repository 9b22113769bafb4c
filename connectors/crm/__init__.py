"""CRM connector: Salesforce REST (SObject Collections, SOQL), OAuth2 client credentials."""

from colonnade.connectors.crm.connector import CrmConnector

__all__ = ["CrmConnector"]
