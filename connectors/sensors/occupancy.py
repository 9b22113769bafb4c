"""Virtual desk sensors: "occupied" compiled from a presence sensor and a power meter.

A desk counts as occupied when its presence sensor sees someone *or* its socket draws more
than ``power_threshold_w`` (a laptop charging while its owner fetches coffee). The reported
state changes only after the sensors agreed on the new state for ``debounce_s`` — measured
on the readings' own timestamps, so a burst of flapping readings changes nothing and a
reading delivered late (queued by the broker while we were down) is judged by when it was
taken. The last known state of every desk is kept with the time of its last reading, so a
query can say how old it is; each change is published to ``sensors:floor:<n>``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


def floor_channel(floor: int) -> str:
    return f"sensors:floor:{floor}"


@dataclass(slots=True)
class Desk:
    floor: int
    desk: str
    occupied: bool | None = None
    """None until the sensors first agreed on something."""
    since: float | None = None
    presence: bool | None = None
    power_w: float | None = None
    last_reading_at: float = 0.0
    readings: int = 0
    _candidate: bool | None = field(default=None, repr=False)
    _candidate_since: float = field(default=0.0, repr=False)

    def view(self) -> dict[str, Any]:
        return {
            "floor": self.floor,
            "desk": self.desk,
            "occupied": self.occupied,
            "since": self.since,
            "presence": self.presence,
            "powerW": self.power_w,
            "lastReadingAt": self.last_reading_at,
            "readings": self.readings,
        }


def apply_reading(
    desk: Desk, kind: str, value: float, at: float, *, debounce_s: float, threshold_w: float
) -> bool:
    """Fold one reading into the desk; True when its reported state changed."""
    desk.readings += 1
    if at < desk.last_reading_at:
        return False  # older than what we know: the broker redelivered or reordered it
    desk.last_reading_at = at
    if kind == "presence":
        desk.presence = value >= 0.5
    else:
        desk.power_w = value
    raw = bool(desk.presence) or (desk.power_w or 0.0) > threshold_w
    if raw == desk.occupied:
        desk._candidate = None
        return False
    if desk._candidate != raw:
        desk._candidate, desk._candidate_since = raw, at
    if at - desk._candidate_since < debounce_s:
        return False
    desk.occupied, desk.since, desk._candidate = raw, desk._candidate_since, None
    return True


class OccupancyBoard:
    """Every desk's last known state, fed by MQTT messages."""

    def __init__(
        self, publish: Publish, *, prefix: str, debounce_s: float, threshold_w: float
    ) -> None:
        self.publish = publish
        self.debounce_s = debounce_s
        self.threshold_w = threshold_w
        self.desks: dict[tuple[int, str], Desk] = {}
        self.rejected = 0
        self._topic = re.compile(
            rf"^{re.escape(prefix)}/floor/(\d{{1,3}})/desk/([A-Za-z0-9_-]{{1,32}})/(presence|power)$"
        )

    async def on_message(self, topic: str, payload: bytes) -> None:
        match = self._topic.match(topic)
        try:
            body = json.loads(payload)
            value, at = float(body["value"]), float(body["ts"])
        except (ValueError, KeyError, TypeError):
            body = None
        if match is None or body is None:
            self.rejected += 1
            return
        floor, name, kind = int(match[1]), match[2], match[3]
        desk = self.desks.setdefault((floor, name), Desk(floor, name))
        changed = apply_reading(
            desk, kind, value, at, debounce_s=self.debounce_s, threshold_w=self.threshold_w
        )
        if changed:
            await self.publish(floor_channel(floor), desk.view())

    def floor(self, floor: int) -> list[Desk]:
        return sorted((d for d in self.desks.values() if d.floor == floor), key=lambda d: d.desk)
