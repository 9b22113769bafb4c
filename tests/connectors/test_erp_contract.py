"""The ERP (SOAP) connector passes the standard connector suite, WSDL loaded offline."""

from connector_kit import ConnectorContract, one


class TestErpConnector(ConnectorContract):
    connector = "erp"
    read_operation = "erp.ZSD_SALESORDER_GETLIST"
    required_field = "VBELN"

    async def read(self, connector):
        return one(await connector.orders_by_customer(["0000100002"]), "0000100002")
