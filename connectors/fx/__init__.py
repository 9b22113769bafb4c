"""FX connector: ECB reference rates through Frankfurter's REST API (no credentials)."""

from colonnade import ConnectorPlugin
from colonnade.connectors.fx.connector import FxConnector
from colonnade.connectors.fx.graph import FX_GRAPH
from colonnade.connectors.fx.ports import ExchangeRates
from colonnade.connectors.fx.settings import FxSettings

PLUGIN = ConnectorPlugin(
    name="fx",
    settings=FxSettings,
    build=FxConnector,
    provides=(ExchangeRates,),
    graph=FX_GRAPH,
    sandbox="colonnade.sandboxes.fx:FxSandbox",
    description="ECB reference exchange rates (Frankfurter-shaped)",
)

__all__ = ["PLUGIN", "ExchangeRates", "FxConnector", "FxSettings"]
