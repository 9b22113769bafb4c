"""What a connector declares about each operation: the pipeline reads only this."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Kind(StrEnum):
    READ = "read"
    WRITE = "write"


@dataclass(frozen=True, slots=True)
class Operation:
    """One provider operation.

    ``tier`` names a cache tier (reads only; ``None`` or ``"live"`` means never cached).
    ``native_idempotency``: the provider itself honours an idempotency key (Stripe); otherwise a
    keyed write is made safe by Colonnade's own idempotency record plus a reconcile step.
    """

    connector: str
    name: str
    kind: Kind = Kind.READ
    tier: str | None = None
    native_idempotency: bool = False
    last_known_good_s: float = 0.0
    """Keep the last good answer this long and serve it (labelled) when the provider fails."""
    version: str = "1"
    """Bump when the domain shape of the result changes: old cache entries stop matching."""

    @property
    def qualified(self) -> str:
        return f"{self.connector}.{self.name}"

    @property
    def is_read(self) -> bool:
        return self.kind is Kind.READ
