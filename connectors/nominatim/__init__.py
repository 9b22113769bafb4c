"""Nominatim connector: OpenStreetMap's geocoder, within its usage policy (1 request/s, an
identifying User-Agent, results cached), behind the ``Geocoder`` port."""

from colonnade import ConnectorPlugin
from colonnade.connectors.geocoding.port import Geocoder
from colonnade.connectors.nominatim.connector import NominatimConnector
from colonnade.connectors.nominatim.settings import NominatimSettings

PLUGIN = ConnectorPlugin(
    name="nominatim",
    settings=NominatimSettings,
    build=NominatimConnector,
    provides=(Geocoder,),
    sandbox="colonnade.sandboxes.nominatim:NominatimSandbox",
    description="Nominatim-shaped geocoding (OpenStreetMap): /search, jsonv2",
)

__all__ = ["PLUGIN", "NominatimConnector", "NominatimSettings"]
