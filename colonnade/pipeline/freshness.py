"""The freshness decision: what one cache entry means for the read that found it.

Written once, for every read path (one key, one call per key, one call for many keys): a
fresh entry answers; a stale one answers and asks for a refresh behind; anything else is a
miss, and an entry still inside stale-if-error or last-known-good is kept as the stand-in
should the load fail.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Generic, Literal, TypeVar

from pydantic import TypeAdapter

from colonnade.errors import UpstreamError
from colonnade.fetched import Fetched
from colonnade.pipeline.cache import Entry, Freshness, Tier, decode_value

T = TypeVar("T")
Outcome = Literal["hit", "stale", "miss"]


@dataclass(frozen=True, slots=True)
class Lookup(Generic[T]):
    """The verdict on one key. ``outcome`` is also the cache counter's label."""

    outcome: Outcome
    served: Fetched[T] | None = None
    """Answer now: a fresh hit, or a stale one while a refresh runs behind."""
    fallback: tuple[T, Entry] | None = None
    """On a miss: a stored value that may stand in if the load fails."""


_MISS: Lookup[object] = Lookup("miss")


def look(entry: Entry | None, codec: TypeAdapter[T], tier: Tier, now: float) -> Lookup[T]:
    """Decide for one entry (None: nothing stored). An entry the codec no longer accepts (an
    older deployment wrote it) is a plain miss."""
    cached = None if entry is None else decode_value(entry, codec)
    if cached is None or entry is None:
        return _MISS  # type: ignore[return-value]
    freshness = tier.freshness(entry.age(now))
    if freshness is Freshness.FRESH:
        return Lookup("hit", Fetched(cached[0], as_of=entry.stored_at))
    if freshness is Freshness.STALE:
        return Lookup("stale", Fetched(cached[0], True, entry.stored_at, "stale_while_revalidate"))
    return Lookup("miss", fallback=(cached[0], entry))


def stand_in(
    tier: Tier, fallback: tuple[T, Entry] | None, err: UpstreamError
) -> tuple[Fetched[T], str] | None:
    """The stored value served (labelled, with the reason) in place of ``err``; None when
    there is none, or it has aged past every period that allows it by now."""
    if fallback is None:
        return None
    value, entry = fallback
    freshness = tier.freshness(entry.age(time.time()))
    if freshness is Freshness.EXPIRED:
        return None
    reason = "last_known_good" if freshness is Freshness.LAST_KNOWN_GOOD else "stale_if_error"
    return Fetched(value, True, entry.stored_at, reason, err.code.value), reason
