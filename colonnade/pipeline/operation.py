"""What a connector declares about each operation: the pipeline reads only this."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Kind(StrEnum):
    READ = "read"
    WRITE = "write"


class BreakerScope(StrEnum):
    """Which calls share one circuit breaker (see ``Operation.breaker_scope``)."""

    CONNECTOR = "connector"
    """Every operation of the connector: one failing endpoint pauses them all."""
    OPERATION = "operation"
    """This operation alone: its failures never pause the connector's other operations."""


@dataclass(frozen=True, slots=True)
class KeyGroups:
    """One breaker per group of keys: ``group(key)`` names the group a key belongs to.

    For a provider that fails per partition — the EU VIES VAT service is down per member
    state — ``KeyGroups("member_state", lambda vat: vat[:2].upper())``: DE failing opens only
    DE's breaker, FR is still called. ``name`` names the grouping; operations declaring the
    same name share their groups' breakers (``<connector>.<name>:<group>``). Keep groups
    few (member states, regions, shards; never one per key): each is a breaker, a metric
    series and an entry of ``/readyz``.
    """

    name: str
    group: Callable[[Any], str]


@dataclass(frozen=True, slots=True)
class Operation:
    """One provider operation.

    ``tier`` names a cache tier (reads only; ``None`` or ``"live"`` means never cached).
    ``native_idempotency``: the provider itself honours an idempotency key (Stripe); otherwise a
    keyed write is made safe by Colonnade's own idempotency record plus a reconcile step.

    ``breaker_scope``: which calls share its circuit breaker — ``BreakerScope.CONNECTOR``
    (one for all the connector's operations), ``BreakerScope.OPERATION`` (its own), or
    ``KeyGroups`` (one per group of keys). The group function is given what the pipeline is
    given as the key: ``read``'s and ``write``'s ``args``, each key of ``read_each`` and
    ``read_many`` (a ``read_many`` batch is then sent as one call per group, so an open group
    fails only its own keys). ``None`` (the default): the connector's configuration decides
    (``connectors.<name>.breaker.per_operation``, else per connector).
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
    breaker_scope: BreakerScope | KeyGroups | None = None

    @property
    def qualified(self) -> str:
        return f"{self.connector}.{self.name}"

    @property
    def is_read(self) -> bool:
        return self.kind is Kind.READ

    def group_of(self, key: Any) -> str | None:
        """The breaker group of ``key`` (None: the operation is not grouped by key)."""
        return self.breaker_scope.group(key) if isinstance(self.breaker_scope, KeyGroups) else None
