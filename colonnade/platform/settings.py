"""Each connector's settings, validated by the model its plugin declares.

``Settings.connectors`` is a plain table (``[connectors.acme]``, ``COLONNADE_CONNECTORS__ACME__…``),
so adding a connector never adds a required key to anyone's configuration and removing one
leaves nothing to migrate. The tables are validated as one pydantic model made from the
installed plugins, so a bad value is reported like any other setting (key, value, variable);
a table for a connector this installation does not have is a typo, refused with the names
that exist — unless it carries a ``ConnectorKind``'s key (``wsdl = "…"``): then it is a
connector made from that table alone (``colonnade.platform.kinds``), validated by its kind.
"""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel, ConfigDict, ValidationError, create_model

from colonnade.config import ConnectorSettings, Settings, describe_errors
from colonnade.errors import ConfigError
from colonnade.platform.discovery import Registry, discover
from colonnade.platform.kinds import kind_for


@functools.cache
def _model(registry: Registry) -> type[BaseModel]:
    fields: Any = {c.name: (c.settings, _default(c.settings)) for c in registry.connectors}
    return create_model(
        "ConnectorTables", __config__=ConfigDict(extra="forbid", frozen=True), **fields
    )


def _default(settings: type[ConnectorSettings]) -> Any:
    """An installed connector needs no table; one made from a table (a ``ConnectorKind``'s,
    whose settings have required keys) is only there with it."""
    if any(f.is_required() for f in settings.model_fields.values()):
        return ...
    return settings()


def check_tables(raw: dict[str, Any]) -> None:
    """``Settings``' validator: each installed connector's table, and no table for another."""
    registry = discover()
    _refuse_unknown(raw, registry)
    _model(registry).model_validate(_installed_tables(raw, registry))
    for name, table in raw.items():
        kind = kind_for(name, table, registry)
        if kind is not None:
            try:
                kind.settings.model_validate(table)
            except ValidationError as exc:  # named from the top: connectors.<name>.<key>
                raise ValueError("; ".join(describe_errors(exc, ("connectors", name)))) from None


def _installed_tables(raw: dict[str, Any], registry: Registry) -> dict[str, Any]:
    return {n: t for n, t in raw.items() if kind_for(n, t, registry) is None}


def _refuse_unknown(raw: dict[str, Any], registry: Registry) -> None:
    known = {c.name for c in registry.connectors}
    unknown = sorted(set(_installed_tables(raw, registry)) - known)
    if unknown:
        kinds = "".join(f", or give it `{k.key} = …` ({k.description})" for k in registry.kinds)
        raise ValueError(
            f"no connector named {unknown[0]!r} is installed "
            f"(installed: {', '.join(sorted(known)) or 'none'}{kinds})"
        )


def connector_settings(settings: Settings, registry: Registry) -> dict[str, ConnectorSettings]:
    """Every known connector's validated settings (defaults where the config says nothing)."""
    known = {c.name for c in registry.connectors}
    try:
        _refuse_unknown(settings.connectors, registry)
    except ValueError as exc:
        raise ConfigError(f"connectors: {exc}") from None
    try:
        tables = _model(registry).model_validate(_installed_tables(settings.connectors, registry))
    except ValidationError as exc:
        lines = describe_errors(exc, ("connectors",))
        raise ConfigError("\n".join(["invalid configuration:", *lines])) from None
    return {name: getattr(tables, name) for name in known}
