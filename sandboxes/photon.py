"""Photon sandbox: ``GET /api`` answering GeoJSON FeatureCollections (``[lon, lat]``) for the
same places as the Nominatim sandbox (both read OpenStreetMap), errors as ``{"message"}``."""

from __future__ import annotations

from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from colonnade.sandboxes.nominatim import Place, search
from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.wire import CaptureCycle


def _feature(p: Place) -> dict[str, Any]:
    lat, lon = float(p.lat), float(p.lon)
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [lon, lat]},
        "properties": {
            "osm_type": "R",
            "osm_id": p.osm_id,
            "osm_key": "place",
            "osm_value": "city",
            "type": "city",
            "name": p.city,
            "postcode": p.postcode,
            "state": p.state,
            "country": p.country,
            "countrycode": p.country_code,
            "extent": [
                round(lon - 0.3, 7),
                round(lat + 0.2, 7),
                round(lon + 0.3, 7),
                round(lat - 0.2, 7),
            ],
        },
    }


def photon_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"message": message}, status_code=status)


class PhotonSandbox(Provider):
    name: ClassVar[str] = "photon"

    def __init__(self, customers: int = 200) -> None:
        super().__init__()
        self.customers_seeded = customers
        self.app = CaptureCycle(
            Starlette(routes=[self.route("/api", "photon.search", self._search, ["GET"])])
        )

    async def _search(self, request: Request) -> Response:
        params = request.query_params
        query = params.get("q", "").strip()
        if not query:
            return photon_error(400, "missing search term 'q': /?q=berlin")
        limit = params.get("limit", "15")
        if not limit.isdigit():
            return photon_error(400, "invalid parameter 'limit', must be a number")
        found = search(query, max(1, min(int(limit), 50)))
        return JSONResponse({"type": "FeatureCollection", "features": [_feature(p) for p in found]})

    # Fault shapes ---------------------------------------------------------------------
    def status_response(self, operation: str, status: int) -> Response:
        if status >= 500:
            return photon_error(status, "Internal server error")
        return photon_error(status, f"Sandbox injected HTTP {status}")

    def malformed_response(self, operation: str) -> Response:
        return Response(
            b'{"type": "FeatureCollection", "features": [{"ty', media_type="application/json"
        )
