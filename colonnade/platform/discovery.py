"""Finding plugins: every installed package's ``colonnade.plugins`` entry points.

Colonnade's own connectors, graph and sandboxes are found the same way as a team's connector
installed from its own repository (``pip install acme-colonnade-invoices``): an entry point whose
object is a plugin, an iterable of plugins, or a function returning them. Nothing here names a
connector.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any

from colonnade.errors import ConfigError
from colonnade.platform.plugin import (
    PLUGIN_TYPES,
    ConnectorKind,
    ConnectorPlugin,
    GraphPart,
    Plugin,
    SandboxHost,
)

ENTRY_POINT_GROUP = "colonnade.plugins"


@dataclass(frozen=True, eq=False)  # compared (and cached) by identity
class Registry:
    """Every plugin this installation has, in a stable order (entry point name, then the
    order the entry point lists them)."""

    connectors: tuple[ConnectorPlugin[Any], ...] = ()
    parts: tuple[GraphPart, ...] = ()
    sandbox_host: SandboxHost | None = None
    origins: dict[str, str] = field(default_factory=dict)
    """Connector name → the entry point that declared it (for error messages)."""
    kinds: tuple[ConnectorKind, ...] = ()
    """Kinds of connector a configuration table alone can make (``colonnade.platform.kinds``)."""

    def connector(self, name: str) -> ConnectorPlugin[Any] | None:
        return next((c for c in self.connectors if c.name == name), None)

    def providers_of(self, port: type) -> tuple[ConnectorPlugin[Any], ...]:
        return tuple(c for c in self.connectors if port in c.provides)

    @classmethod
    def of(cls, plugins: Iterable[Plugin], origin: str = "(given)") -> Registry:
        connectors: list[ConnectorPlugin[Any]] = []
        parts: list[GraphPart] = []
        host: SandboxHost | None = None
        origins: dict[str, str] = {}
        kinds: list[ConnectorKind] = []
        for plugin in plugins:
            where = getattr(plugin, "_origin", origin)
            if isinstance(plugin, ConnectorPlugin):
                if plugin.name in origins:
                    raise ConfigError(
                        f"two connectors are named {plugin.name!r}: one from "
                        f"{origins[plugin.name]}, one from {where}; uninstall or rename one"
                    )
                origins[plugin.name] = where
                connectors.append(plugin)
            elif isinstance(plugin, GraphPart):
                if any(p.name == plugin.name for p in parts):
                    raise ConfigError(f"two graph parts are named {plugin.name!r} ({where})")
                parts.append(plugin)
            elif isinstance(plugin, SandboxHost):
                if host is not None:
                    raise ConfigError(f"a second sandbox host came from {where}: keep one")
                host = plugin
            elif isinstance(plugin, ConnectorKind):
                if any(k.key == plugin.key for k in kinds):
                    raise ConfigError(f"two connector kinds use the key {plugin.key!r} ({where})")
                kinds.append(plugin)
            else:
                raise ConfigError(
                    f"{where} gave {plugin!r}: a colonnade plugin must be a ConnectorPlugin, "
                    "a GraphPart, a SandboxHost or a ConnectorKind"
                )
        return cls(tuple(connectors), tuple(parts), host, origins, tuple(kinds))


def _expand(loaded: Any) -> Iterable[Plugin]:
    if isinstance(loaded, PLUGIN_TYPES):
        return (loaded,)
    if callable(loaded):
        return _expand_iterable(loaded())
    return _expand_iterable(loaded)


def _expand_iterable(loaded: Any) -> Iterable[Plugin]:
    if isinstance(loaded, PLUGIN_TYPES):
        return (loaded,)
    return tuple(loaded)


@functools.cache
def discover() -> Registry:
    """The installed plugins (read once per process: entry points do not change under it)."""
    found: list[tuple[str, Callable[[], Any]]] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        found.append((f"entry point {ep.name!r} ({ep.value})", ep.load))
    plugins: list[Plugin] = []
    for origin, load in found:
        try:
            loaded = _expand(load())
        except ConfigError:
            raise
        except Exception as exc:  # a broken third-party package must say which one it is
            raise ConfigError(f"cannot load colonnade plugin {origin}: {exc!r}") from exc
        for plugin in loaded:
            if not isinstance(plugin, PLUGIN_TYPES):
                raise ConfigError(
                    f"{origin} gave {plugin!r}: a colonnade plugin must be a ConnectorPlugin, "
                    "a GraphPart, a SandboxHost or a ConnectorKind"
                )
            if isinstance(plugin, ConnectorPlugin):
                object.__setattr__(plugin, "_origin", origin)
            plugins.append(plugin)
    return Registry.of(plugins)
