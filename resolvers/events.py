"""Which event handler answers which webhook source (the composition root of the events
feature: the engine in ``colonnade.events`` names no connector)."""

from __future__ import annotations

from colonnade.connectors.payments.events import PaymentEvents
from colonnade.connectors.sensors.occupancy import OccupancyBoard
from colonnade.events.feature import EventsFeature, HandlerFactory
from colonnade.events.mqtt import MqttIngest
from colonnade.resolvers.services import Services
from colonnade.runtime import Runtime


def event_handlers(runtime: Runtime, services: Services) -> dict[str, HandlerFactory]:
    def payments(feature: EventsFeature) -> PaymentEvents:
        return PaymentEvents(
            runtime.cache, feature.broker.publish, feature.audit, services.payments
        )

    return {"payments": payments}


def build_events(runtime: Runtime, services: Services) -> EventsFeature:
    feature = EventsFeature(runtime.settings, event_handlers(runtime, services), runtime.telemetry)
    sensors = runtime.settings.sensors
    if sensors.enabled:
        board = OccupancyBoard(
            feature.broker.publish,
            prefix=sensors.topic_prefix,
            debounce_s=sensors.debounce_s,
            threshold_w=sensors.power_threshold_w,
        )
        feature.sensors = board
        feature.add_service(MqttIngest(sensors, board.on_message))
    return feature
