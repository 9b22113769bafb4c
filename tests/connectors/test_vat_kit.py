"""The VAT connector passes the standard connector suite (colonnade.testing)."""

from colonnade.connectors.vat import PLUGIN
from colonnade.testing import ConnectorSuite


class TestVatConnector(ConnectorSuite):
    plugin = PLUGIN
    auth_header = None  # VIES is public: no credentials
    drift_field = "valid"
    samples = {"check_vat": lambda c: c.registrations(["DE100000001"])}
