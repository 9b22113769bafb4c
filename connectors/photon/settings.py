"""Photon's settings (``[connectors.photon]``): the second geocoder, asked after Nominatim.

Komoot's public server asks for fair use, not a fixed rate, so no bucket is configured by
default; set ``rate_limit.rate_per_s`` for your own server's capacity."""

from __future__ import annotations

from colonnade.connectors.geocoding.settings import GeocoderSettings


class PhotonSettings(GeocoderSettings):
    priority: int = 20
