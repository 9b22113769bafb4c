"""The composition root: what this deployment's configuration makes of the installed plugins.

Each connector is validated by its own settings model, then built, or left out because the
operator disabled it or never configured it — never a start-up failure, so adding a connector
to the installation cannot break an existing configuration. Each graph part is in the schema
when the ports it needs are provided; otherwise it is left out, or kept with its fields
answering ``CONNECTOR_UNAVAILABLE`` (``graph.unavailable_fields = "error"``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from colonnade.config import ConnectorSettings, Settings
from colonnade.platform.discovery import Registry, discover
from colonnade.platform.plugin import ConnectorPlugin, GraphPart
from colonnade.platform.services import Services
from colonnade.platform.settings import connector_settings
from colonnade.runtime import Runtime


@dataclass(frozen=True)
class Assembly:
    registry: Registry
    settings: dict[str, ConnectorSettings]
    services: Services
    parts: tuple[GraphPart, ...]
    """The graph parts this deployment serves."""


def _why_unbuilt(plugin: ConnectorPlugin[Any], settings: ConnectorSettings) -> str | None:
    key = f"connectors.{plugin.name}"
    if not settings.enabled:
        return f"disabled ({key}.enabled = false)"
    if not plugin.configured(settings):
        return f"not configured ({key}.base_url is not set)"
    return None


def connector_parts(registry: Registry) -> list[tuple[GraphPart, str | None]]:
    """Every graph part, with the connector that owns it (None: written against ports)."""
    owned = [(c.graph, c.name) for c in registry.connectors if c.graph is not None]
    return [*owned, *((p, None) for p in registry.parts)]


def assemble(settings: Settings, runtime: Runtime, registry: Registry | None = None) -> Assembly:
    """Build every configured connector (WSDLs load now, at start-up, never per request)."""
    registry = registry or discover()
    typed = connector_settings(settings, registry)
    built: dict[str, Any] = {}
    unavailable: dict[str, str] = {}
    for plugin in registry.connectors:
        why = _why_unbuilt(plugin, typed[plugin.name])
        if why is None:
            built[plugin.name] = plugin.build(typed[plugin.name], runtime)
        else:
            unavailable[plugin.name] = why
    ports: dict[type, tuple[Any, ...]] = {}
    owners: dict[type, tuple[str, ...]] = {}
    for plugin in registry.connectors:
        for port in plugin.provides:
            owners[port] = (*owners.get(port, ()), plugin.name)
            if plugin.name in built:
                ports[port] = (*ports.get(port, ()), built[plugin.name])
    services = Services(built, ports, unavailable, owners)
    keep_all = settings.graph.unavailable_fields == "error"
    parts = tuple(
        part
        for part, owner in connector_parts(registry)
        if keep_all
        or ((owner is None or owner in built) and all(p in ports for p in part.requires))
    )
    return Assembly(registry, typed, services, parts)


def every_part(registry: Registry | None = None) -> tuple[GraphPart, ...]:
    """The whole graph this installation can serve (``colonnade schema`` prints it)."""
    return tuple(part for part, _ in connector_parts(registry or discover()))
