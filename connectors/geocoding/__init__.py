"""Geocoding: the ``Geocoder`` port, the failover across its providers and the graph part
(``Customer.location``, ``Query.geocode``). Providers are connectors of their own
(``connectors/nominatim``, ``connectors/photon``); this package names none of them."""

from colonnade import GraphPart
from colonnade.connectors.geocoding.failover import Answer, Failover, NoGeocoderAnswered
from colonnade.connectors.geocoding.graph import CustomerLocation, GeocodeQuery, GeoPoint
from colonnade.connectors.geocoding.port import Geocoder, Place

PLUGIN = GraphPart(
    name="geocoding",
    query=GeocodeQuery,
    extends={"Customer": CustomerLocation},
    needs={"Customer": ("city", "country")},  # the address geocoded
    requires=(Geocoder,),
)

__all__ = [
    "PLUGIN",
    "Answer",
    "CustomerLocation",
    "Failover",
    "GeoPoint",
    "GeocodeQuery",
    "Geocoder",
    "NoGeocoderAnswered",
    "Place",
]
