"""A value and where it came from: what the pipeline hands resolvers.

Its own module so that resolvers (and anything labelling stale data for a client) can use it
without importing the pipeline that produces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class Fetched(Generic[T]):
    """A value and where it came from, so resolvers can label stale data for the client."""

    value: T
    stale: bool = False
    as_of: float | None = None
    """Wall-clock time the provider produced it (None: just now)."""
    reason: str | None = None
    """Why stale data was served: stale_while_revalidate, stale_if_error or last_known_good."""
    error_code: str | None = None
    """With stale_if_error: the code of the failure the stale value stood in for."""


def as_fetched(value: Any) -> Fetched[Any]:
    """``value`` as a ``Fetched`` (a plain value was just fetched)."""
    return value if isinstance(value, Fetched) else Fetched(value)
