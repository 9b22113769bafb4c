"""Desk occupancy: the last known state of a floor's desks, each labelled with its age."""

from __future__ import annotations

import time
from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import Info

from colonnade.connectors.sensors.occupancy import OccupancyBoard
from colonnade.errors import BadUserInput
from colonnade.events.feature import EventsFeature
from colonnade.events.mqtt import MqttIngest
from colonnade.resolvers import sensors
from colonnade.runtime import Runtime


@strawberry.type(description="A desk's virtual sensor: presence or power draw, debounced.")
class DeskOccupancy:
    floor: int
    desk: strawberry.ID
    occupied: bool | None = strawberry.field(
        description="Null until the sensors first agreed on a state."
    )
    since: datetime | None
    presence: bool | None
    power_w: float | None
    last_reading_at: datetime
    age_seconds: float = strawberry.field(description="How old the last reading is.")


def to_type(view: dict[str, Any]) -> DeskOccupancy:
    def ts(value: float | None) -> datetime | None:
        return None if value is None else datetime.fromtimestamp(value, tz=UTC)

    return DeskOccupancy(
        floor=view["floor"],
        desk=strawberry.ID(view["desk"]),
        occupied=view["occupied"],
        since=ts(view["since"]),
        presence=view["presence"],
        power_w=view["powerW"],
        last_reading_at=datetime.fromtimestamp(view["lastReadingAt"], tz=UTC),
        age_seconds=round(max(0.0, time.time() - view["lastReadingAt"]), 3),
    )


def _check(floor: int) -> None:
    if not 0 <= floor <= 999:
        raise BadUserInput("`floor` must be between 0 and 999")


@strawberry.type
class SensorQuery:
    @strawberry.field(description="Last known occupancy of a floor's desks (needs sensors).")
    def desk_occupancy(self, info: Info[Any, Any], floor: int) -> list[DeskOccupancy]:
        _check(floor)
        return [to_type(v) for v in sensors.floor(info, floor)]


async def desk_changes(info: Info[Any, Any], floor: int) -> AsyncGenerator[DeskOccupancy, None]:
    try:
        _check(floor)
    except BadUserInput as exc:  # subscriptions skip ErrorTranslation: type it here
        raise GraphQLError(exc.message, extensions=exc.as_extensions()) from None
    async for view in sensors.changes(info, floor):
        yield to_type(view)


def start_sensors(feature: EventsFeature, runtime: Runtime) -> None:
    """With ``sensors.enabled``: the occupancy board, fed by MQTT ingest."""
    settings = runtime.settings.sensors
    if settings.enabled:
        board = OccupancyBoard(
            feature.broker.publish,
            prefix=settings.topic_prefix,
            debounce_s=settings.debounce_s,
            threshold_w=settings.power_threshold_w,
        )
        feature.sensors = board
        feature.add_service(MqttIngest(settings, board.on_message))
