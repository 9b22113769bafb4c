"""Webhooks in, subscriptions out: the events feature wired from the plugins' declarations
(each connector's webhook handler, each graph part's feed), naming none of them."""

from __future__ import annotations

from colonnade.events.feature import EventsFeature, HandlerFactory
from colonnade.platform.assembly import Assembly
from colonnade.runtime import Runtime


def build_events(runtime: Runtime, assembly: Assembly) -> EventsFeature:
    handlers: dict[str, HandlerFactory] = {}
    for plugin in assembly.registry.connectors:
        if plugin.webhooks is not None and plugin.name in assembly.services.names:
            handlers[plugin.name] = plugin.webhooks(
                assembly.services.connector(plugin.name), runtime
            )
    feature = EventsFeature(runtime.settings, handlers, runtime.telemetry)
    for part in assembly.parts:
        if part.start is not None:
            part.start(feature, runtime)
    return feature
