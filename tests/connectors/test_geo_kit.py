"""Both geocoders pass the standard connector suite (colonnade.testing) against their
sandboxes. Neither takes credentials; Nominatim's 1 request/s bucket is off here (the suite
calls back to back: the bucket has tests of its own in tests/geocoding)."""

from colonnade.connectors.nominatim import PLUGIN as NOMINATIM
from colonnade.connectors.photon import PLUGIN as PHOTON
from colonnade.testing import ConnectorSuite


class TestNominatimConnector(ConnectorSuite):
    plugin = NOMINATIM
    auth_header = None
    drift_field = "lat"
    settings = {"rate_limit": {"rate_per_s": None}}
    samples = {"search": lambda c: c.geocode(["berlin, de"])}


class TestPhotonConnector(ConnectorSuite):
    plugin = PHOTON
    auth_header = None
    drift_field = "coordinates"
    samples = {"search": lambda c: c.geocode(["berlin, de"])}
