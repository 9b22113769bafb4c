"""What the event engine knows about an event, and what a handler must provide.

The engine never parses a provider's payload: a source's handler ``describe``\\ s a verified
body (id, type, which object it is about, the object's version), and the engine dedups,
stores, orders and retries on that description alone.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol


@dataclass(frozen=True, slots=True)
class Described:
    id: str
    type: str
    object_key: str
    """Events about one object are applied in version order (e.g. ``payment_intent:pi_1``)."""
    created: int
    rank: int = 0
    """Breaks ties of ``created`` (seconds): the object's position in its state machine."""
    final: bool = False
    """The object reaches a state it never leaves (later versions are refused)."""
    state: str = ""


@dataclass(frozen=True, slots=True)
class Event:
    source: str
    meta: Described
    payload: bytes
    received_at: float
    attempts: int = 0
    last_error: str | None = None
    tag: str = ""
    """Where the store keeps the delivery (SQLite row, Redis stream entry)."""

    @property
    def id(self) -> str:
        return self.meta.id

    @property
    def version(self) -> tuple[int, int]:
        return (self.meta.created, self.meta.rank)

    def with_(self, **changes: Any) -> Event:
        return replace(self, **changes)


class EventHandler(Protocol):
    def describe(self, payload: Any) -> Described:
        """Raise ``ValueError`` for a body that is not an event of this source (→ 400)."""
        ...

    async def handle(self, event: Event, *, current: bool) -> str:
        """Apply the event; ``current`` is False when a newer version of the object was
        already applied (the event is history, not news). Returns the outcome; raising
        means "retry later"."""
        ...

    async def reconcile(self, objects: Sequence[ObjectState]) -> list[tuple[Described, bytes]]:
        """Pull the truth for objects stuck in a non-final state: an event (description and
        body) for each that changed, handled like a delivered one (ordered, audited)."""
        ...


@dataclass(frozen=True, slots=True)
class ObjectState:
    key: str
    created: int
    rank: int
    final: bool
    state: str
    event_id: str
    updated_at: float
