"""Connectors a configuration table makes on its own (``ConnectorKind``).

``[connectors.epm]`` with ``wsdl = "…"`` under a name no package installs is a zero-code
connector of the kind whose ``key`` is ``wsdl``: its table is validated by the kind's settings
model and the kind makes its plugin (types, graph part, sandbox) at start-up. The registry an
``assemble`` works from is the installed one plus these; each is made once per process for a
given table (making one can mean loading a large WSDL).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from colonnade.config import describe_errors
from colonnade.errors import ConfigError
from colonnade.platform.discovery import Registry
from colonnade.platform.plugin import ConnectorKind, ConnectorPlugin

_MADE: dict[tuple[int, str, str], tuple[ConnectorKind, ConnectorPlugin[Any]]] = {}
_REGISTRIES: dict[tuple[int, str], tuple[Registry, Registry]] = {}
# (keyed by id, holding the object itself so that an id is never reused while cached)


def kind_for(name: str, table: Mapping[str, Any], registry: Registry) -> ConnectorKind | None:
    """The kind a table belongs to: none for an installed connector's own table."""
    if registry.connector(name) is not None or not isinstance(table, Mapping):
        return None
    return next((k for k in registry.kinds if k.key in table), None)


def validate_table(name: str, table: Mapping[str, Any], kind: ConnectorKind) -> Any:
    try:
        return kind.settings.model_validate(dict(table))
    except ValidationError as exc:
        lines = describe_errors(exc, ("connectors", name))
        raise ConfigError("\n".join(["invalid configuration:", *lines])) from None


def _fingerprint(tables: Mapping[str, Any]) -> str:
    return json.dumps(tables, sort_keys=True, default=str)


def _only(table: Mapping[str, Any], keys: tuple[str, ...]) -> dict[str, Any]:
    return {k: v for k, v in table.items() if k in keys}


def configured(tables: Mapping[str, Any], registry: Registry) -> Registry:
    """``registry`` plus a plugin for every table of a ``ConnectorKind``."""
    if not registry.kinds:
        return registry
    cache_key = (id(registry), _fingerprint(tables))
    if cache_key in _REGISTRIES:
        return _REGISTRIES[cache_key][1]
    made: list[ConnectorPlugin[Any]] = []
    origins = dict(registry.origins)
    for name, table in tables.items():
        kind = kind_for(name, table, registry)
        if kind is None:
            continue
        relevant = table if kind.made_from is None else _only(table, kind.made_from)
        key = (id(kind), name, _fingerprint(relevant))
        if key not in _MADE:
            _MADE[key] = (kind, kind.plugin(name, validate_table(name, table, kind)))
        made.append(_MADE[key][1])
        origins[name] = f"[connectors.{name}] ({kind.key} = {str(table[kind.key])!r})"
    result = registry
    if made:
        result = Registry(
            (*registry.connectors, *made),
            registry.parts,
            registry.sandbox_host,
            origins,
            registry.kinds,
        )
    _REGISTRIES[cache_key] = (registry, result)
    return result
