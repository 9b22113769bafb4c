"""Nominatim sandbox: ``GET /search`` answering jsonv2 arrays for the seed customers' cities,
with the public server's manners: a stock or missing User-Agent is blocked (403, as OSMF does),
errors are ``{"error": {"code", "message"}}``. ``GAZETTEER`` is the places both geocoder
sandboxes know (Photon's imports it): every city the seed puts a customer in.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from typing import Any, ClassVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.ratelimit import RateLimiter
from colonnade.sandboxes.wire import CaptureCycle

LICENCE = "Data © OpenStreetMap contributors, ODbL 1.0. http://osm.org/copyright"
_STOCK_AGENTS = re.compile(r"^(python-httpx|python-requests|python-urllib|curl|wget)\b", re.I)


@dataclass(frozen=True)
class Place:
    city: str
    country_code: str
    country: str
    state: str
    lat: str
    lon: str
    osm_id: int
    postcode: str

    def matches(self, query: str) -> bool:
        """Free text naming this city (and, when its last part names a country, this one)."""
        text = query.casefold()
        if not set(self.city.casefold().split()) <= set(re.findall(r"\w+", text)):
            return False
        last = text.rsplit(",", 1)[-1].strip() if "," in text else ""
        countries = {
            c for p in GAZETTEER for c in (p.country_code.casefold(), p.country.casefold())
        }
        return last not in countries or last in (
            self.country_code.casefold(),
            self.country.casefold(),
        )


# The cities of colonnade.sandboxes.data's seed, where OpenStreetMap puts them.
GAZETTEER = (
    Place("Berlin", "DE", "Germany", "Berlin", "52.5170365", "13.3888599", 62422, "10117"),
    Place("Hamburg", "DE", "Germany", "Hamburg", "53.5503410", "10.0006540", 62782, "20095"),
    Place("Munich", "DE", "Germany", "Bavaria", "48.1371079", "11.5753822", 62428, "80331"),
    Place("Paris", "FR", "France", "Ile-de-France", "48.8534951", "2.3483915", 7444, "75001"),
    Place(
        "Lyon", "FR", "France", "Auvergne-Rhône-Alpes", "45.7578137", "4.8320114", 120965, "69001"
    ),
    Place(
        "Amsterdam", "NL", "Netherlands", "North Holland", "52.3730796", "4.8924534", 271110, "1012"
    ),
    Place(
        "London", "GB", "United Kingdom", "England", "51.5073219", "-0.1276474", 65606, "EC1A 1BB"
    ),
    Place(
        "Manchester",
        "GB",
        "United Kingdom",
        "England",
        "53.4794892",
        "-2.2451148",
        146656,
        "M1 1AE",
    ),
    Place(
        "New York", "US", "United States", "New York", "40.7127281", "-74.0060152", 175905, "10001"
    ),
    Place(
        "Chicago", "US", "United States", "Illinois", "41.8755616", "-87.6244212", 122604, "60601"
    ),
)


def search(query: str, limit: int) -> list[Place]:
    return [p for p in GAZETTEER if p.matches(query)][:limit]


def _jsonv2(p: Place) -> dict[str, Any]:
    lat, lon = float(p.lat), float(p.lon)
    return {
        "place_id": 100_000_000 + p.osm_id,  # not persistent at the real one either
        "licence": LICENCE,
        "osm_type": "relation",
        "osm_id": p.osm_id,
        "lat": p.lat,
        "lon": p.lon,
        "category": "boundary",
        "type": "administrative",
        "place_rank": 8 if p.city == p.state else 16,
        "importance": 0.85,
        "addresstype": "city",
        "name": p.city,
        "display_name": ", ".join(dict.fromkeys((p.city, p.state, p.country))),
        "boundingbox": [
            f"{lat - 0.2:.7f}",
            f"{lat + 0.2:.7f}",
            f"{lon - 0.3:.7f}",
            f"{lon + 0.3:.7f}",
        ],
    }


def nominatim_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": status, "message": message}}, status_code=status)


class NominatimSandbox(Provider):
    name: ClassVar[str] = "nominatim"

    def __init__(self, customers: int = 200, *, rate_limit_per_s: float | None = None) -> None:
        super().__init__()
        self.customers_seeded = customers
        self.rate_limiter = RateLimiter(rate_limit_per_s)
        self._lock = threading.Lock()
        self.user_agents: list[str | None] = []
        """The User-Agent of every request answered (faults included), in order."""
        self.app = CaptureCycle(
            Starlette(routes=[self.route("/search", "nominatim.search", self._search, ["GET"])])
        )

    def reset(self) -> None:
        with self._lock:
            self.user_agents.clear()
        self.rate_limiter.reset()

    async def _search(self, request: Request) -> Response:
        agent = request.headers.get("user-agent", "")
        if not agent or _STOCK_AGENTS.match(agent):
            # What OSMF does to an application that does not say who it is.
            return Response(
                "<html><body><h1>Access blocked</h1><p>Identify your application in the "
                "User-Agent (usage policy).</p></body></html>",
                status_code=403,
                media_type="text/html",
            )
        if not self.rate_limiter.allow():
            return nominatim_error(429, "Too Many Requests: at most 1 request per second")
        params = request.query_params
        if params.get("format", "xml") not in ("json", "jsonv2"):
            return nominatim_error(
                400, "Parameter 'format' must be one of: xml, json, jsonv2, geojson, geocodejson"
            )
        query = params.get("q", "").strip()
        if not query:
            return nominatim_error(400, "Nominatim needs a query: 'q' or structured fields")
        limit = params.get("limit", "10")
        if not limit.isdigit():
            return nominatim_error(400, "Integer parameter 'limit' is not a number")
        found = search(query, max(1, min(int(limit), 40)))
        return JSONResponse([_jsonv2(p) for p in found])

    # Fault shapes ---------------------------------------------------------------------
    def status_response(self, operation: str, status: int) -> Response:
        if status == 429:
            return nominatim_error(429, "Too Many Requests")
        if status >= 500:
            return nominatim_error(status, "Internal Server Error")
        return nominatim_error(status, f"Sandbox injected HTTP {status}")

    def malformed_response(self, operation: str) -> Response:
        return Response(b'[{"place_id": 1, "lat": "52.5', media_type="application/json")

    def finalize(self, request: Request, response: Response) -> None:
        with self._lock:
            self.user_agents.append(request.headers.get("user-agent"))
