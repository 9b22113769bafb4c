"""Photon (Komoot's OSM geocoder): ``GET /api?q=…&limit=1&lang=en``.

The answer is a GeoJSON FeatureCollection (no features: no such place); a point's coordinates
are ``[lon, lat]``, and there is no display name, so one is composed from the properties.
Photon sends no licence: its data is OpenStreetMap's, whose notice is shown with the point.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel

from colonnade import ErrorBody, Keys, RestOperation
from colonnade.connectors.geocoding.port import ADDRESS_PATTERN, ADDRESS_WHAT, Place
from colonnade.connectors.geocoding.rest import GeocoderConnector

OSM_LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. https://osm.org/copyright"


class PhotonGeometry(BaseModel):
    type: Literal["Point"]
    coordinates: tuple[float, float]
    """``[lon, lat]``: GeoJSON's order."""


class PhotonProperties(BaseModel):
    osm_id: int | None = None
    osm_type: str | None = None
    osm_key: str | None = None
    osm_value: str | None = None
    type: str | None = None
    name: str | None = None
    housenumber: str | None = None
    street: str | None = None
    postcode: str | None = None
    city: str | None = None
    state: str | None = None
    country: str | None = None
    countrycode: str | None = None
    extent: list[float] | None = None


class PhotonFeature(BaseModel):
    type: Literal["Feature"]
    geometry: PhotonGeometry
    properties: PhotonProperties


class PhotonCollection(BaseModel):
    type: Literal["FeatureCollection"]
    features: list[PhotonFeature]


def display_name(p: PhotonProperties) -> str:
    street = " ".join(x for x in (p.street, p.housenumber) if x)
    parts = [p.name, street, p.postcode, p.city, p.state, p.country]
    named = list(dict.fromkeys(x for x in parts if x))  # a city's name is its city too
    if not named:
        raise ValueError("a feature without any name")
    return ", ".join(named)


def best_match(found: PhotonCollection) -> Place | None:
    if not found.features:
        return None
    f = found.features[0]
    lon, lat = f.geometry.coordinates
    return Place(
        latitude=lat,
        longitude=lon,
        display_name=display_name(f.properties),
        attribution=OSM_LICENCE,
    )


class PhotonConnector(GeocoderConnector):
    name = "photon"
    api_version = "geojson"
    errors = ErrorBody(message="message")
    search = RestOperation(
        "GET",
        "/api",
        PhotonCollection,
        best_match,
        params={"q": "{key}", "limit": "1", "lang": "{settings.language}"},
        tier="static",
        keys=Keys(ADDRESS_PATTERN, ADDRESS_WHAT),
    )


SEARCH = PhotonConnector.search.operation
