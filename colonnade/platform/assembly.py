"""The composition root: what this deployment's configuration makes of the installed plugins.

Each connector is validated by its own settings model, then built, or left out because the
operator disabled it or never configured it — never a start-up failure, so adding a connector
to the installation cannot break an existing configuration. Each graph part is in the schema
when the ports it needs are provided; otherwise it is left out, or kept with its fields
answering ``CONNECTOR_UNAVAILABLE`` (``graph.unavailable_fields = "error"``).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import structlog

from colonnade.config import ConnectorSettings, Settings
from colonnade.errors import ConfigError
from colonnade.platform.discovery import Registry, discover
from colonnade.platform.kinds import configured
from colonnade.platform.plugin import ConnectorPlugin, GraphPart
from colonnade.platform.services import Services
from colonnade.platform.settings import connector_settings
from colonnade.platform.subgraph import connector_parts, served_parts
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


def _build(
    plugin: ConnectorPlugin[Any],
    settings: ConnectorSettings,
    runtime: Runtime,
    built: dict[str, Any],
    registry: Registry,
) -> Any:
    """The connector, or a ``ConfigError`` naming it (and where it came from); a failure
    never leaves the connectors built before it open."""
    try:
        return plugin.build(settings, runtime)
    except Exception as exc:
        _close_now(built)
        if isinstance(exc, ConfigError):
            raise
        origin = registry.origins.get(plugin.name, "an installed package")
        raise ConfigError(
            f"connector {plugin.name!r} (from {origin}) failed to build: "
            f"{type(exc).__name__}: {exc}"
        ) from exc


def _close_now(built: dict[str, Any]) -> None:
    """Close what was built before a failed start."""

    async def close_all() -> None:
        for connector in built.values():
            await connector.aclose()

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(close_all())
    else:  # inside a running loop (tests build apps there): let it close them
        task = loop.create_task(close_all())
        _CLOSING.add(task)
        task.add_done_callback(_CLOSING.discard)


_CLOSING: set[Any] = set()  # keeps the closing tasks referenced until they finish
_log = structlog.get_logger("colonnade.platform")


def assemble(settings: Settings, runtime: Runtime, registry: Registry | None = None) -> Assembly:
    """Build every configured connector (WSDLs load now, at start-up, never per request)."""
    registry = configured(settings.connectors, registry or discover())
    typed = connector_settings(settings, registry)
    built: dict[str, Any] = {}
    unavailable: dict[str, str] = {}
    for plugin in registry.connectors:
        why = _why_unbuilt(plugin, typed[plugin.name])
        if why is None:
            built[plugin.name] = _build(plugin, typed[plugin.name], runtime, built, registry)
        else:
            unavailable[plugin.name] = why
    ports: dict[type, tuple[Any, ...]] = {}
    owners: dict[type, tuple[str, ...]] = {}
    for plugin in registry.connectors:
        for port in plugin.provides:
            owners[port] = (*owners.get(port, ()), plugin.name)
            if plugin.name in built:
                ports[port] = (*ports.get(port, ()), built[plugin.name])
    for port, providers in ports.items():
        if len(providers) > 1:
            _log.info(
                "port_providers",
                port=port.__name__,
                answers=providers[0].name,
                also=[p.name for p in providers[1:]],
            )
    services = Services(built, ports, unavailable, owners)
    return Assembly(registry, typed, services, served_parts(settings, registry, built))


def buildable(settings: Settings, registry: Registry) -> set[str]:
    """The connectors ``assemble`` would build (enabled and configured), building none."""
    typed = connector_settings(settings, registry)
    return {p.name for p in registry.connectors if _why_unbuilt(p, typed[p.name]) is None}


def every_part(registry: Registry | None = None) -> tuple[GraphPart, ...]:
    """The whole graph this installation can serve (``colonnade schema`` prints it)."""
    return tuple(part for part, _ in connector_parts(registry or discover()))
