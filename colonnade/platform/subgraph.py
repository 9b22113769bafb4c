"""Which graph parts this process serves: the whole graph, or one domain's subgraph.

By default a process serves every part whose ports are provided. With ``graph.serve`` it
serves a domain — customers here, orders in another process — and a router composes them.
A part is in a domain when the domain names it, names its connector, or names a connector
providing the first port it ``requires`` (the port the part is about: the orders part needs
the customer directory too, to know whose order it creates, but it is the order book's).
Two kinds of field follow a type rather than a domain:

- an extension of an *entity* another domain owns is served as a stub of that entity
  (``colonnade.platform.stubs``), where the part is served;
- an extension of a *value type* (``Money.convertedTo``) is served wherever the value type
  is and the part's ports are provided: a router can only ask for a value's field from the
  subgraph that returned the value, so every subgraph serving ``Money`` must answer it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Mapping, Sequence

from colonnade.config import Settings
from colonnade.errors import ConfigError
from colonnade.platform.discovery import Registry
from colonnade.platform.graph import exported_types, extension_target
from colonnade.platform.plugin import GraphPart
from colonnade.platform.stubs import keys_of


def connector_parts(registry: Registry) -> list[tuple[GraphPart, str | None]]:
    """Every graph part, with the connector that owns it (None: written against ports)."""
    owned = [(c.graph, c.name) for c in registry.connectors if c.graph is not None]
    return [*owned, *((p, None) for p in registry.parts)]


def providers_of(registry: Registry, built: Collection[str]) -> dict[type, tuple[str, ...]]:
    """Port → the built connectors providing it, the answering one first."""
    providers: dict[type, tuple[str, ...]] = {}
    for plugin in registry.connectors:
        if plugin.name in built:
            for port in plugin.provides:
                providers[port] = (*providers.get(port, ()), plugin.name)
    return providers


def served_parts(
    settings: Settings, registry: Registry, built: Collection[str]
) -> tuple[GraphPart, ...]:
    """The parts this deployment serves, given the connectors it has ``built``."""
    providers = providers_of(registry, built)
    keep_all = settings.graph.unavailable_fields == "error"
    every = connector_parts(registry)
    candidates = [
        (part, owner)
        for part, owner in every
        if keep_all
        or ((owner is None or owner in built) and all(p in providers for p in part.requires))
    ]
    serve = settings.graph.serve
    if serve is None:
        return tuple(part for part, _ in candidates)
    known = [p for p, _ in every]
    _check_names(serve, registry, known)
    chosen = set(serve)
    served: list[GraphPart] = []
    followers: list[GraphPart] = []
    for part, owner in candidates:
        primary = part.requires[0] if part.requires else None
        about = set(providers.get(primary, ())) if primary is not None else set()
        if part.name in chosen or owner in chosen or (owner is None and about & chosen):
            served.append(part)
        elif (follower := _value_extensions(part, known)) is not None:
            followers.append(follower)
    if not served:
        raise ConfigError(
            f"graph.serve = {list(serve)} serves nothing: none of these connectors is built "
            "here, and no graph part they answer has its ports provided"
        )
    return (*served, *followers)


def _check_names(serve: Sequence[str], registry: Registry, parts: Sequence[GraphPart]) -> None:
    names = {c.name for c in registry.connectors} | {p.name for p in parts}
    unknown = sorted(set(serve) - names)
    if unknown:
        raise ConfigError(
            f"graph.serve names {', '.join(map(repr, unknown))}, which is neither an installed "
            f"connector nor a graph part (known: {', '.join(sorted(names))})"
        )


def _value_extensions(part: GraphPart, known: Sequence[GraphPart]) -> GraphPart | None:
    """The part reduced to its extensions of value types (no root fields, no feed)."""
    exported = exported_types(known)
    kept: Mapping[type | str, type] = {
        named: ext
        for named, ext in part.extends.items()
        if not keys_of(extension_target(part, named, exported).__strawberry_definition__)  # type: ignore[attr-defined]
    }
    if not kept:
        return None
    return dataclasses.replace(
        part, query=None, mutation=None, subscription=None, extends=kept, start=None
    )
