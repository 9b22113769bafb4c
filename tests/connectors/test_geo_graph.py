"""``Customer.location`` end to end: the CRM's customers, geocoded through one DataLoader
batch per request (each distinct city once), answered by whichever geocoder could; the graph
part is in the schema only where a geocoder is configured."""

from __future__ import annotations

from typing import Any

from colonnade.connectors.geocoding import GeoPoint
from colonnade.connectors.geocoding.graph import CustomerLocation, GeocodeQuery
from colonnade.sandboxes import SandboxSet, ServedSandbox
from colonnade.sandboxes.data import SeedData
from colonnade.sandboxes.nominatim import search

CUSTOMERS = """{ customers(first: 12) { edges { node {
  id city country location { latitude longitude displayName provider }
} } } }"""


def geocoders(base: str) -> dict[str, Any]:
    return {
        "nominatim": {"base_url": f"{base}/nominatim"},
        "photon": {"base_url": f"{base}/photon"},
    }


async def test_customers_are_located_in_one_batch_per_geocoder(
    make_facade: Any, providers: SandboxSet, providers_server: ServedSandbox
) -> None:
    facade = await make_facade(connectors=geocoders(providers_server.base_url))
    body = await facade.query(CUSTOMERS)
    assert "errors" not in body
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert len(nodes) == 12
    for node in nodes:
        assert node["location"]["displayName"].startswith(node["city"])
        assert node["location"]["provider"] in ("nominatim", "photon")
    cities = {(n["city"], n["country"]) for n in nodes}
    assert len(cities) < len(nodes)  # some share a city: geocoded once each, not per customer
    nominatim = providers.nominatim.recorder.calls()
    photon = providers.photon.recorder.calls()
    assert len(nominatim) == 1  # its one request of this second
    assert len(nominatim) + len(photon) == len(cities)
    labelled = body.get("extensions", {}).get("colonnade", {}).get("fallbacks", [])
    by_photon = [n for n in nodes if n["location"]["provider"] == "photon"]
    assert len(labelled) == len(by_photon)
    assert all(f["path"][-1] == "location" and f["answeredBy"] == "photon" for f in labelled)


async def test_without_a_geocoder_the_field_is_not_in_the_graph(make_facade: Any) -> None:
    facade = await make_facade()
    body = await facade.query('{ customer(id: "001000000000002AAA") { location { provider } } }')
    [error] = body["errors"]
    assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"


def test_every_seeded_customer_city_is_known_to_the_sandboxes() -> None:
    for customer in SeedData.build(customers=200).customers:
        [place] = search(f"{customer.city}, {customer.country}", 5)
        assert place.city == customer.city


def test_every_field_is_described() -> None:
    for cls in (GeoPoint, CustomerLocation, GeocodeQuery):
        fields = cls.__strawberry_definition__.fields  # type: ignore[attr-defined]
        assert fields
        assert all(f.description for f in fields), cls
