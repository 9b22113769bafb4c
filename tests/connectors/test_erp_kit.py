"""The ERP connector passes the standard connector suite (colonnade.testing)."""

from decimal import Decimal

from colonnade.connectors.domain import SalesOrderDraft, SalesOrderLine
from colonnade.connectors.erp import PLUGIN
from colonnade.testing import ConnectorSuite

LINE = SalesOrderLine(material="MAT-1001", quantity=Decimal(1), unit_price=Decimal("9.50"))
DRAFT = SalesOrderDraft(customer_number="0000100002", currency="EUR", lines=[LINE])


class TestErpConnector(ConnectorSuite):
    plugin = PLUGIN
    drift_field = "VBELN"
    samples = {
        "orders_by_customer": lambda c: c.orders_by_customer(["0000100002"]),
        "orders_by_number": lambda c: c.orders_by_number(["0000500001"]),
        "create_order": lambda c, key: c.create_order(DRAFT, key),
    }
