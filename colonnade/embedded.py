"""The embedded default: with no providers configured, serve the sandbox providers in-process.

``colonnade serve`` with no config must show the whole product on a fresh machine, so every
installed connector that declares a sandbox gets one on a loopback port and is pointed at it.
Credentials are generated per process by each sandbox (never written in code or config) and
handed to both sides. The sandboxes are a plugin (``SandboxHost``): an installation without
them refuses the embedded mode with a clear message instead of failing on an import.
"""

from __future__ import annotations

import json
import secrets
from typing import Any

from pydantic import SecretStr

from colonnade.config import Settings, WebhookSourceSettings
from colonnade.errors import ConfigError
from colonnade.platform import Registry, SandboxGroup, discover
from colonnade.platform.kinds import configured
from colonnade.platform.settings import connector_settings


def wants_sandbox(settings: Settings) -> bool:
    mode = settings.sandbox.embedded
    if mode != "auto":
        return mode == "on"
    typed = connector_settings(settings, configured(settings.connectors, discover()))
    return not any(s.enabled and s.base_url for s in typed.values())


def sandbox_group(
    customers: int, registry: Registry | None = None, *, fresh: bool = True
) -> SandboxGroup:
    """Every connector's sandbox, under one app (``/<connector>/…``, ``/__sandbox``).
    ``fresh``: credentials made for this process (embedded); else the public demo ones
    (``colonnade sandbox``, for configs and benchmarks written against them)."""
    registry = registry or discover()
    if registry.sandbox_host is None:
        raise ConfigError(
            "the embedded sandboxes are not installed here: configure the connectors "
            "(connectors.<name>.base_url) or set sandbox.embedded = 'off'"
        )
    providers = {c.name: c.sandbox for c in registry.connectors if c.sandbox is not None}
    return registry.sandbox_host.build(providers, customers, fresh)


def start_sandbox(
    settings: Settings, webhook_url: str | None = None, registry: Registry | None = None
) -> tuple[Settings, Any]:
    """Start the sandboxes; returns settings pointed at them and the running server. With
    ``webhook_url`` (``…/webhooks``) a sandbox that sends signed webhooks sends them to
    ``<webhook_url>/<connector>``, with a generated secret shared with that event source
    (unless the source is configured already)."""
    registry = configured(settings.connectors, registry or discover())
    group = sandbox_group(settings.sandbox.customers, registry)
    group.set_base_latency(settings.sandbox.latency_ms / 1000)
    served = group.serve().start()
    connectors: dict[str, dict[str, Any]] = {}
    sources = dict(settings.events.sources)
    typed = connector_settings(settings, registry)
    for plugin in registry.connectors:
        raw = dict(settings.connectors.get(plugin.name, {}))
        if plugin.sandbox is None or not typed[plugin.name].enabled:
            if raw:
                connectors[plugin.name] = raw
            continue
        raw.update(group.connector_settings(plugin.name))
        raw["base_url"] = f"{served.base_url}/{plugin.name}"
        connectors[plugin.name] = raw
        if webhook_url is not None and plugin.name not in sources:
            secret = "whsec_" + secrets.token_urlsafe(24)
            if group.send_webhooks(plugin.name, f"{webhook_url}/{plugin.name}", secret):
                sources[plugin.name] = WebhookSourceSettings(secrets=[SecretStr(secret)])
    update: dict[str, object] = {"connectors": connectors}
    if sources != settings.events.sources:
        update["events"] = settings.events.model_copy(update={"sources": sources})
    return settings.model_copy(update=update), served


def sandbox_env(
    group: SandboxGroup, base_url: str, registry: Registry | None = None
) -> dict[str, str]:
    """The ``COLONNADE_CONNECTORS__*`` variables that point every connector at ``group``, served
    at ``base_url``: what replicas started apart from the sandboxes need (``colonnade sandbox
    --env-file``, read by ``scripts/scale-out``; ``ops/compose.yaml`` is checked against it)."""
    env: dict[str, str] = {}
    for plugin in (registry or discover()).connectors:
        if plugin.sandbox is None:
            continue
        prefix = f"COLONNADE_CONNECTORS__{plugin.name.upper()}__"
        env[prefix + "BASE_URL"] = f"{base_url.rstrip('/')}/{plugin.name}"
        for key, value in group.connector_settings(plugin.name).items():
            env[prefix + key.upper()] = value if isinstance(value, str) else json.dumps(value)
    return env
