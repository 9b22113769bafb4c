"""ERP connector: SAP-shaped SOAP 1.1 document/literal, from the WSDL in wsdl/erp/."""

from colonnade.connectors.erp.connector import ErpConnector

__all__ = ["ErpConnector"]
