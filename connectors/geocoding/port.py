"""The ``Geocoder`` port and what it answers: an address → a ``Place`` (or none).

Every geocoder (Nominatim, Photon, a paid one later) implements this one Protocol, so swapping
or adding a provider means writing one implementation; the graph and the failover never name
a provider. ``Place`` is the domain value (and the cache codec): no provider's field survives.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from pydantic import BaseModel, ConfigDict, Field

from colonnade import BadUserInput, Fetched

MAX_ADDRESS = 200
ADDRESS_PATTERN = r"[^\x00-\x1f\x7f]{1,200}"
"""What a geocoder accepts as a key: one line of text (a control character is never an
address, and a search of any length is no lookup anyone needs)."""
ADDRESS_WHAT = f"an address (1 to {MAX_ADDRESS} characters on one line)"


class Place(BaseModel):
    model_config = ConfigDict(frozen=True)

    latitude: float = Field(ge=-90, le=90)
    longitude: float = Field(ge=-180, le=180)
    display_name: str
    attribution: str | None = None
    """The data licence the provider asks to be shown (OSM's ODbL notice)."""


class Geocoder(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def priority(self) -> int:
        """Lower answers first; the failover asks the next one when this one cannot."""
        ...

    async def geocode(
        self, addresses: Sequence[str]
    ) -> dict[str, Fetched[Place | None] | BaseException]:
        """Each address's best match (``None``: the provider knows no such place), or the
        error of that address alone."""
        ...


def normalized(address: str) -> str:
    """One cache key per address however it is spaced; refused when it is no address."""
    text = " ".join(address.split()).casefold()  # geocoders ignore case and spacing
    if not re.fullmatch(ADDRESS_PATTERN, text):
        raise BadUserInput(f"{address[:40]!r} is not {ADDRESS_WHAT}")
    return text
