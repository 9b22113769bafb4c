"""What every REST geocoder shares: it names itself in the User-Agent, takes its place in the
failover, and answers the ``Geocoder`` port with one declared ``search`` per address."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from colonnade import PerKey, RestConnector, RestOperation, Runtime
from colonnade.connectors.geocoding.port import Place
from colonnade.connectors.geocoding.settings import GeocoderSettings


class GeocoderConnector(RestConnector):
    search: RestOperation[Any]
    """A subclass declares it: one address (``{key}``) → its best ``Place``, or None."""

    def __init__(self, settings: GeocoderSettings, runtime: Runtime) -> None:
        super().__init__(settings, runtime)
        self.http.headers["User-Agent"] = settings.identity()
        self.priority = settings.priority

    # ----------------------------------------------------------------- port: Geocoder
    async def geocode(self, addresses: Sequence[str]) -> PerKey[Place | None]:
        return await self.call_each(self.search, addresses)

    async def contract_probe(self) -> None:
        """One seeded city (live: contract_samples.address)."""
        await self.geocode([self.settings.contract_samples.get("address", "berlin, de")])
