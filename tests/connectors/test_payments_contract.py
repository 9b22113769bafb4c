"""The payments connector passes the standard connector suite."""

from connector_kit import ConnectorContract, one


class TestPaymentsConnector(ConnectorContract):
    connector = "payments"
    read_operation = "payments.list_payment_intents"
    required_field = "amount"

    async def read(self, connector):
        return one(
            await connector.payments_by_customer(["cus_00000000000002"]), "cus_00000000000002"
        )
