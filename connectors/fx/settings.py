"""The FX connector's settings (``[connectors.fx]``)."""

from __future__ import annotations

from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import Field, field_validator

from colonnade import ConnectorSettings


class FxSettings(ConnectorSettings):
    publishes_at: time = time(16, 0)
    """When new rates appear, local time in ``publication_zone`` (the ECB's: ~16:00 CET)."""
    publication_zone: str = "Europe/Berlin"
    recheck_late_s: float = Field(600.0, gt=0)
    """After a publication time, while the provider still answers the previous day's rates
    (it publishes late), ask again at most this often."""

    @field_validator("publication_zone")
    @classmethod
    def _known_zone(cls, zone: str) -> str:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"{zone!r} is not an IANA time zone") from None
        return zone
