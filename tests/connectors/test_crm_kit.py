"""The CRM connector passes the standard connector suite (colonnade.testing)."""

from colonnade.connectors.crm import PLUGIN
from colonnade.testing import ConnectorSuite


class TestCrmConnector(ConnectorSuite):
    plugin = PLUGIN
    drift_field = {
        "accounts_by_id": "Name",
        "accounts_by_erp_number": "Name",
        "account_page": "Name",
    }
    samples = {
        "accounts_by_id": lambda c: c.customers_by_id(["001000000000002AAA"]),
        "accounts_by_erp_number": lambda c: c.customers_by_erp_number(["0000100002"]),
        "account_page": lambda c: c.customer_page(20, None),
        "account_count": lambda c: c.customer_count(),
    }
