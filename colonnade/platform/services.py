"""The built connectors, found by name or by the port they implement.

Resolvers ask for a port (``services.port(CustomerDirectory)``), never for a connector class,
so whichever connector provides it answers. A port or connector that is disabled or not
configured answers ``ConnectorUnavailable`` with the reason, a typed error for the one field.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar

from colonnade.errors import ConnectorUnavailable

P = TypeVar("P")


class Services:
    """This deployment's built connectors, by name and by port."""

    def __init__(
        self,
        connectors: Mapping[str, Any],
        ports: Mapping[type, tuple[Any, ...]],
        unavailable: Mapping[str, str] | None = None,
        port_owners: Mapping[type, tuple[str, ...]] | None = None,
    ) -> None:
        self._connectors = dict(connectors)
        self._ports = dict(ports)
        self.unavailable: dict[str, str] = dict(unavailable or {})
        """Connector name → why it is not built (disabled, not configured)."""
        self._owners = dict(port_owners or {})

    @property
    def closers(self) -> tuple[Any, ...]:
        """Every built connector (readiness reports them, shutdown closes them)."""
        return tuple(self._connectors.values())

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(self._connectors)

    def connector(self, name: str) -> Any:
        try:
            return self._connectors[name]
        except KeyError:
            why = self.unavailable.get(name, "not installed")
            raise ConnectorUnavailable(
                f"the {name} connector is unavailable on this deployment: {why}", connector=name
            ) from None

    def has(self, port: type) -> bool:
        return bool(self._ports.get(port))

    def port(self, port: type[P]) -> P:
        """The first connector providing ``port`` (see ``providers`` for all of them)."""
        providers = self.providers(port)
        return providers[0]

    def providers(self, port: type[P]) -> tuple[P, ...]:
        found: tuple[P, ...] = self._ports.get(port, ())
        if found:
            return found
        owners = self._owners.get(port, ())
        reasons = "; ".join(f"{n}: {self.unavailable.get(n, 'not installed')}" for n in owners)
        raise ConnectorUnavailable(
            f"no connector providing {port.__name__} is available on this deployment"
            + (f" ({reasons})" if reasons else ""),
            connector=owners[0] if len(owners) == 1 else None,
        )

    async def aclose(self) -> None:
        for connector in self._connectors.values():
            await connector.aclose()
