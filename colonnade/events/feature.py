"""The events feature of one process: store, audit log, broker, dispatcher and the route.

Built from ``settings.events`` and ``redis_url`` (Redis → streams, Redis audit list, Redis
pub/sub; none → SQLite files under ``events.data_dir`` and in-process fan-out). The engine
names no connector: the composition root passes a factory per handler name, and each
configured source picks one (``events.sources.<name>.handler``, default its own name).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Protocol

from starlette.routing import Route

from colonnade.config import Settings
from colonnade.errors import ConfigError
from colonnade.events.audit import AuditLog, RedisAuditLog, SqliteAuditLog
from colonnade.events.dispatcher import Dispatcher
from colonnade.events.model import EventHandler
from colonnade.events.pubsub import Broker, LocalBroker, RedisBroker
from colonnade.events.redis_store import RedisEventStore
from colonnade.events.signatures import build_verifier
from colonnade.events.store import EventStore, SqliteEventStore
from colonnade.events.webhooks import Source, webhook_endpoint
from colonnade.telemetry import Telemetry

HandlerFactory = Callable[["EventsFeature"], EventHandler]


class Service(Protocol):
    async def start(self) -> None: ...

    async def aclose(self) -> None: ...


def open_store(settings: Settings) -> EventStore:
    ev = settings.events
    if settings.redis_url:
        url = settings.redis_url.get_secret_value()
        return RedisEventStore(url, settings.state_prefix, claim_idle_s=ev.claim_idle_s)
    return SqliteEventStore(ev.data_dir / "events.sqlite3")


def open_audit(settings: Settings) -> AuditLog:
    if settings.redis_url:
        return RedisAuditLog(settings.redis_url.get_secret_value(), settings.state_prefix)
    return SqliteAuditLog(settings.events.data_dir / "audit.sqlite3")


class EventsFeature:
    def __init__(
        self,
        settings: Settings,
        handlers: Mapping[str, HandlerFactory],
        telemetry: Telemetry | None = None,
    ) -> None:
        ev = settings.events
        telemetry = telemetry or Telemetry()
        self.settings = settings
        self.store = open_store(settings)
        self.audit = open_audit(settings)
        self.broker: Broker = (
            RedisBroker(
                settings.redis_url.get_secret_value(), settings.state_prefix, ev.subscriber_queue
            )
            if settings.redis_url
            else LocalBroker(ev.subscriber_queue)
        )
        built: dict[str, EventHandler] = {}
        sources: dict[str, Source] = {}
        for name, source in ev.sources.items():
            kind = source.handler or name
            if kind not in handlers:
                raise ConfigError(
                    f"events.sources.{name}.handler = {kind!r} is not a known handler "
                    f"(known: {', '.join(sorted(handlers))})"
                )
            handler = built.get(name) or handlers[kind](self)
            built[name] = handler
            sources[name] = Source(name, build_verifier(name, source), handler)
        self.handlers = built
        self.services: list[Service] = []
        self.sensors: Any = None
        """The desk occupancy board when ``sensors.enabled`` (set by the composition root)."""
        self.dispatcher = Dispatcher(
            self.store,
            built,
            max_attempts=ev.max_attempts,
            retry_base_s=ev.retry_base_s,
            retry_max_s=ev.retry_max_s,
            poll_interval_s=ev.poll_interval_s,
            reconcile_interval_s=ev.reconcile_interval_s,
            reconcile_after_s=ev.reconcile_after_s,
            reconcile_max=ev.reconcile_max,
            count=lambda source, outcome: telemetry.count("events_handled", source, outcome),
        )
        self.routes = [
            Route(
                "/webhooks/{source}",
                webhook_endpoint(
                    sources,
                    self.store,
                    max_body_bytes=ev.max_body_bytes,
                    body_timeout_s=ev.body_timeout_s,
                    on_stored=self.dispatcher.wake,
                    count=lambda source, outcome: telemetry.count("webhooks", source, outcome),
                ),
                methods=["POST"],
            )
        ]

    def add_service(self, service: Service) -> None:
        """Something else that lives as long as the app (e.g. an MQTT subscriber)."""
        self.services.append(service)

    async def start(self) -> None:
        await self.broker.start()
        await self.dispatcher.start()
        for service in self.services:
            await service.start()

    async def aclose(self) -> None:
        for service in reversed(self.services):
            await service.aclose()
        await self.dispatcher.stop()
        await self.broker.aclose()
        await self.store.aclose()
        await self.audit.aclose()
