"""``Fetched``: a value and where it came from, in its own module so a resolver can label
stale data without importing the pipeline that produced it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

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
