"""The CRM connector passes the standard connector suite."""

from connector_kit import ConnectorContract, one


class TestCrmConnector(ConnectorContract):
    connector = "crm"
    read_operation = "crm.sobject_collection"
    required_field = "Name"

    async def read(self, connector):
        return one(await connector.customers_by_id(["001000000000002AAA"]), "001000000000002AAA")
