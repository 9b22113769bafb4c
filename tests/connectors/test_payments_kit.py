"""The payments connector passes the standard connector suite (colonnade.testing)."""

from decimal import Decimal

from colonnade.connectors.domain import Money, PaymentDraft
from colonnade.connectors.payments import PLUGIN
from colonnade.testing import ConnectorSuite

DRAFT = PaymentDraft(
    customer_id="cus_00000000000002", amount=Money(amount=Decimal("9.99"), currency="EUR")
)


class TestPaymentsConnector(ConnectorSuite):
    plugin = PLUGIN
    drift_field = "amount"
    samples = {
        "payments_by_customer": lambda c: c.payments_by_customer(["cus_00000000000002"]),
        "payment_by_id": lambda c: c.payments_by_id(["pi_000000000000000000000001"]),
        "create_payment": lambda c, key: c.create_payment(DRAFT, key),
    }
