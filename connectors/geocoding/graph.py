"""``Customer.location`` and ``Query.geocode``, written against the ``Geocoder`` port.

Every location in one request goes through one DataLoader (one tick's addresses, one batch per
geocoder), answered by the failover. Which geocoder answered is the ``provider`` field; when
one was passed over, ``extensions.colonnade.fallbacks`` says so for that path
(``kind: "failover"``, the code of the one that could not answer, ``answeredBy``), next to the
stale entries the engine already reports: a UI can say "located by Photon" with no engine edit.
"""

from __future__ import annotations

from typing import Any

import strawberry
from aiodataloader import DataLoader
from strawberry.types import Info

from colonnade import Fetched, RequestContext, context_of, cost, requires
from colonnade.connectors.geocoding.failover import Answer, Failover
from colonnade.connectors.geocoding.port import Geocoder, normalized


@strawberry.type(description="Where an address is, as a geocoder found it (WGS 84).")
class GeoPoint:
    latitude: float = strawberry.field(description="Degrees north (WGS 84); negative: south.")
    longitude: float = strawberry.field(description="Degrees east (WGS 84); negative: west.")
    display_name: str = strawberry.field(
        description="The place as the geocoder names it (city, region, country)."
    )
    provider: str = strawberry.field(
        description="The geocoder that answered (a connector name such as nominatim or "
        "photon): another one answers when the first is unavailable or over its rate."
    )
    attribution: str | None = strawberry.field(
        description="The data licence notice to show with the point (OpenStreetMap's ODbL)."
    )


def loader(ctx: RequestContext) -> DataLoader[str, Any]:
    return ctx.loaders.get(
        "geocode", lambda: Failover(ctx.services.providers(Geocoder)).geocode, 50
    )


async def locate(info: Info[Any, Any], address: str) -> GeoPoint | None:
    """The point for ``address`` (None: no geocoder knows it), labelled by who answered."""
    ctx = context_of(info)
    fetched: Fetched[Answer] = await loader(ctx).load(normalized(address))
    answer = fetched.value
    path = info.path.as_list()
    if fetched.stale:
        ctx.report.note(path, answer.provider, fetched)
    for skipped in answer.passed_over:
        ctx.report.fallbacks.append(
            {
                "path": path,
                "connector": skipped.provider,
                "kind": "failover",
                "code": skipped.code,
                "answeredBy": answer.provider,
            }
        )
    place = answer.place
    if place is None:
        return None
    return GeoPoint(
        latitude=place.latitude,
        longitude=place.longitude,
        display_name=place.display_name,
        provider=answer.provider,
        attribution=place.attribution,
    )


def customer_address(customer: Any) -> str | None:
    """What is geocoded for a customer: its city and country (the CRM's billing address)."""
    city = getattr(customer, "city", None)
    if not city:
        return None
    return ", ".join(p for p in (city, getattr(customer, "country", None)) if p)


async def _location(root: strawberry.Parent[Any], info: Info[Any, Any]) -> GeoPoint | None:
    address = customer_address(root)  # the parent is the domain Customer
    return None if address is None else await locate(info, address)


async def _geocode(info: Info[Any, Any], address: str) -> GeoPoint | None:
    return await locate(info, address)


@strawberry.type
class CustomerLocation:
    """``Customer.location``: in the graph where a ``Geocoder`` is."""

    location: GeoPoint | None = strawberry.field(
        resolver=_location,
        description="Where the customer's billing city is; null if it has none or no geocoder "
        "knows it, null with an error if every geocoder failed. Geocoded once per address "
        "and cached for a day.",
        extensions=[requires("customers:read")],
        directives=cost(1, batched=True),  # one batch per geocoder asked
    )


@strawberry.type
class GeocodeQuery:
    geocode: GeoPoint | None = strawberry.field(
        resolver=_geocode,
        description="The point for a free-text address (e.g. 'Berlin, DE'); null if no "
        "geocoder knows it, null with an error if every geocoder failed. For stored "
        "addresses, not search-as-you-type: Nominatim's usage policy forbids autocomplete.",
        extensions=[requires("geocode:read")],
        directives=cost(1),
    )
