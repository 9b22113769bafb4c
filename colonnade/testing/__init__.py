"""The connector test kit, shipped with Colonnade so a connector in another repository uses
it too: ``ConnectorSuite`` (the standard checks, generated per operation) and ``Harness`` (a
connector against its own sandbox over loopback HTTP).

    from colonnade.testing import ConnectorSuite
    from colonnade.connectors.fx import PLUGIN

    class TestFx(ConnectorSuite):
        plugin = PLUGIN
        samples = {"latest": lambda fx: fx.latest("EUR")}
"""

from colonnade.testing.harness import Harness
from colonnade.testing.suite import ConnectorSuite, Sample, one

__all__ = ["ConnectorSuite", "Harness", "Sample", "one"]
