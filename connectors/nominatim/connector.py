"""Nominatim (OpenStreetMap's geocoder): ``GET /search?q=…&format=jsonv2&limit=1``.

The answer is a JSON array (empty: no such place) whose ``lat``/``lon`` are strings; the best
match is the first. Cached in the long ``static`` tier (addresses rarely move) per normalized
address, which is also what the policy asks; the 1 request/s bucket and the User-Agent are in
``NominatimSettings``. Nominatim sends no rate-limit headers: only the configured bucket counts.
"""

from __future__ import annotations

from pydantic import BaseModel, TypeAdapter

from colonnade import (
    ErrorBody,
    Keys,
    RateLimitHeaders,
    RestOperation,
)
from colonnade.connectors.geocoding.port import ADDRESS_PATTERN, ADDRESS_WHAT, Place
from colonnade.connectors.geocoding.rest import GeocoderConnector


class NominatimPlace(BaseModel):  # jsonv2 field names, docs/api/Output.md
    place_id: int | str
    licence: str | None = None
    osm_type: str | None = None
    osm_id: int | str | None = None
    lat: str
    lon: str
    display_name: str
    category: str | None = None
    type: str | None = None
    place_rank: int | None = None
    importance: float | None = None
    boundingbox: list[str] | None = None


def best_match(places: list[NominatimPlace]) -> Place | None:
    if not places:
        return None
    p = places[0]
    return Place(
        latitude=float(p.lat),
        longitude=float(p.lon),
        display_name=p.display_name,
        attribution=p.licence,
    )


class NominatimConnector(GeocoderConnector):
    name = "nominatim"
    api_version = "jsonv2"
    rate_limit_headers = RateLimitHeaders.NONE
    errors = ErrorBody(code="error.code", message="error.message")
    search = RestOperation(
        "GET",
        "/search",
        TypeAdapter(list[NominatimPlace]),
        best_match,
        params={
            "q": "{key}",
            "format": "jsonv2",
            "limit": "1",
            "accept-language": "{settings.language}",
        },
        tier="static",
        keys=Keys(ADDRESS_PATTERN, ADDRESS_WHAT),
    )


SEARCH = NominatimConnector.search.operation
