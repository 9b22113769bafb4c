"""The FX connector passes the standard connector suite (colonnade.testing)."""

from datetime import date

from colonnade.connectors.fx import PLUGIN
from colonnade.testing import ConnectorSuite


class TestFxConnector(ConnectorSuite):
    plugin = PLUGIN
    auth_header = None  # a public API: no credentials
    drift_field = {"latest": "rates", "historical": "rates"}
    samples = {
        "latest": lambda c: c.latest_rates("EUR"),
        "historical": lambda c: c.rates_on(date(2024, 3, 15), "USD"),
        "currencies": lambda c: c.currencies(),
    }
