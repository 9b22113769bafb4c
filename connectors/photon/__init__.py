"""Photon connector: Komoot's GeoJSON geocoder over OSM data, the second provider behind the
``Geocoder`` port (the failover asks it when Nominatim cannot answer)."""

from colonnade import ConnectorPlugin
from colonnade.connectors.geocoding.port import Geocoder
from colonnade.connectors.photon.connector import PhotonConnector
from colonnade.connectors.photon.settings import PhotonSettings

PLUGIN = ConnectorPlugin(
    name="photon",
    settings=PhotonSettings,
    build=PhotonConnector,
    provides=(Geocoder,),
    sandbox="colonnade.sandboxes.photon:PhotonSandbox",
    description="Photon-shaped geocoding (Komoot): /api, GeoJSON",
)

__all__ = ["PLUGIN", "PhotonConnector", "PhotonSettings"]
