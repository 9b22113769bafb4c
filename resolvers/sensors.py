"""Desk occupancy for the graph: the process's occupancy board, and its changes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from strawberry.types import Info

from colonnade.connectors.sensors.occupancy import floor_channel
from colonnade.errors import BadUserInput
from colonnade.resolvers.context import context_of


def _events(info: Info[Any, Any]) -> Any:
    return context_of(info).request.app.state.events


def floor(info: Info[Any, Any], number: int) -> list[dict[str, Any]]:
    board = _events(info).sensors
    if board is None:
        raise BadUserInput("desk sensors are not enabled on this deployment (sensors.enabled)")
    return [desk.view() for desk in board.floor(number)]


async def changes(info: Info[Any, Any], number: int) -> AsyncIterator[dict[str, Any]]:
    async for view in _events(info).broker.subscribe(floor_channel(number)):
        yield view
