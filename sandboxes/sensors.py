"""Sensor sandbox: a floor of desks publishing presence and power readings over MQTT.

Each desk has a presence sensor (``presence``: 1 or 0) and a smart socket (``power``: watts),
published with QoS 1 to ``<prefix>/floor/<floor>/desk/<desk>/<kind>`` as
``{"value": …, "ts": <unix seconds>}`` — the shape the facade's virtual sensors read.
On demand: ``dropouts`` (desks that stay silent, like a sensor with a flat battery) and
``burst`` (a desk flapping many times in a moment). paho-mqtt does the protocol.

``python -m sandboxes.sensors --floor 3 --desks 12`` publishes one floor once.
"""

from __future__ import annotations

import argparse
import json
import random
import time
import uuid
from collections.abc import Iterable

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion


class SensorSandbox:
    def __init__(
        self, host: str = "127.0.0.1", port: int = 1883, *, prefix: str = "colonnade"
    ) -> None:
        self.prefix = prefix
        self.published = 0
        self._client = mqtt.Client(
            CallbackAPIVersion.VERSION2,
            client_id=f"sensor-sandbox-{uuid.uuid4().hex[:8]}",
            protocol=mqtt.MQTTv311,
        )
        self._client.connect(host, port, keepalive=30)
        self._client.loop_start()

    def topic(self, floor: int, desk: str, kind: str) -> str:
        return f"{self.prefix}/floor/{floor}/desk/{desk}/{kind}"

    def reading(self, floor: int, desk: str, kind: str, value: float, ts: float) -> None:
        """One QoS 1 reading; returns once the broker acknowledged it (PUBACK)."""
        info = self._client.publish(
            self.topic(floor, desk, kind), json.dumps({"value": value, "ts": ts}), qos=1
        )
        info.wait_for_publish(timeout=10)
        if not info.is_published():
            raise RuntimeError("the broker did not acknowledge a reading")
        self.published += 1

    def floor_scene(
        self,
        floor: int,
        desks: int,
        *,
        occupied: Iterable[int] = (),
        dropouts: Iterable[int] = (),
        at: float | None = None,
        hold_s: float = 60.0,
    ) -> list[str]:
        """Every desk reports twice, ``hold_s`` apart (long enough for the debounce):
        occupied desks with presence, the others idle. Returns the desks that reported."""
        t0 = at if at is not None else time.time() - hold_s
        busy, silent = set(occupied), set(dropouts)
        names = [f"D{i:02d}" for i in range(desks)]
        for ts in (t0, t0 + hold_s):
            for i, name in enumerate(names):
                if i in silent:
                    continue
                self.reading(floor, name, "presence", 1 if i in busy else 0, ts)
                self.reading(floor, name, "power", 60.0 if i in busy else 2.0, ts)
        return [n for i, n in enumerate(names) if i not in silent]

    def burst(self, floor: int, desk: str, count: int, *, at: float, step_s: float = 0.1) -> None:
        """``count`` flapping presence readings ``step_s`` apart (a bouncing PIR sensor)."""
        for n in range(count):
            self.reading(floor, desk, "presence", n % 2, at + n * step_s)

    def close(self) -> None:
        self._client.loop_stop()
        self._client.disconnect()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=1883)
    parser.add_argument("--floor", type=int, default=3)
    parser.add_argument("--desks", type=int, default=12)
    args = parser.parse_args()
    sandbox = SensorSandbox(args.host, args.port)
    busy = random.sample(range(args.desks), k=args.desks // 3)
    sandbox.floor_scene(args.floor, args.desks, occupied=busy, dropouts=[args.desks - 1])
    sandbox.close()
    print(f"published {sandbox.published} readings for floor {args.floor}")


if __name__ == "__main__":
    main()
