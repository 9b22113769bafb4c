"""MQTT desk sensors against a real Mosquitto: virtual sensors, last known state with its
age, pushes to subscriptions, and readings queued by the broker while Colonnade was down."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from events.support import serve_app, wait_for
from events.test_subscriptions import init, recv, send, ws

from colonnade.app import create_app
from colonnade.config import Settings
from colonnade.connectors.sensors.occupancy import Desk, apply_reading
from colonnade.sandboxes.sensors import SensorSandbox

QUERY = "query($f: Int!) { deskOccupancy(floor: $f) { desk occupied presence powerW ageSeconds } }"


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


@pytest.fixture(scope="session")
def mqtt_port(tmp_path_factory: pytest.TempPathFactory) -> Iterator[int]:
    """127.0.0.1:1883 when a broker answers there (or COLONNADE_TEST_MQTT_PORT), else a
    Mosquitto started for the session (scripts/ci/mosquitto.sh installs it in CI)."""
    port = int(os.environ.get("COLONNADE_TEST_MQTT_PORT", "1883"))
    if _answers(port):
        yield port
        return
    binary = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    if not Path(binary).exists():
        pytest.fail(
            "no MQTT broker answers and mosquitto is not installed (scripts/ci/mosquitto.sh)"
        )
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    conf = tmp_path_factory.mktemp("mosquitto") / "mosquitto.conf"
    conf.write_text(f"listener {port} 127.0.0.1\nallow_anonymous true\npersistence false\n")
    proc = subprocess.Popen([binary, "-c", str(conf)])
    try:
        wait_for(lambda: _answers(port), 10, "mosquitto up")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture
def sensor_settings(
    events_settings: Callable[..., Settings], mqtt_port: int
) -> Callable[..., Settings]:
    prefix = f"colonnade-test-{uuid.uuid4().hex[:8]}"
    client_id = f"colonnade-test-{uuid.uuid4().hex[:8]}"

    def make(**sensors: Any) -> Settings:
        base = events_settings()
        config = {
            "enabled": True,
            "port": mqtt_port,
            "topic_prefix": prefix,
            "client_id": client_id,
            "debounce_s": 30,
            **sensors,
        }
        return base.model_copy(update={"sensors": base.sensors.model_copy(update=config)})

    return make


@pytest.fixture
def sandbox(sensor_settings: Callable[..., Settings], mqtt_port: int) -> Iterator[SensorSandbox]:
    prefix = sensor_settings().sensors.topic_prefix
    sensors = SensorSandbox(port=mqtt_port, prefix=prefix)
    yield sensors
    sensors.close()


def floor(base: str, number: int) -> list[dict[str, Any]]:
    reply = httpx.post(f"{base}/graphql", json={"query": QUERY, "variables": {"f": number}})
    return list(reply.json()["data"]["deskOccupancy"])


# ------------------------------------------------------------------ the virtual sensor
def test_presence_or_power_makes_a_desk_occupied_after_the_debounce() -> None:
    desk = Desk(3, "D01")
    kw = {"debounce_s": 30.0, "threshold_w": 15.0}
    assert not apply_reading(desk, "power", 80, 1000, **kw)  # a laptop: candidate "occupied"
    assert desk.occupied is None
    assert not apply_reading(desk, "presence", 0, 1010, **kw)  # still drawing power
    assert apply_reading(desk, "power", 80, 1030, **kw)
    assert (desk.occupied, desk.since) == (True, 1000)
    assert not apply_reading(desk, "power", 2, 1040, **kw)  # unplugged: candidate "free"
    assert not apply_reading(desk, "power", 70, 1050, **kw)  # back before the debounce
    assert not apply_reading(desk, "power", 70, 1200, **kw)
    assert desk.occupied is True


def test_a_burst_of_flapping_readings_changes_nothing_and_old_readings_are_ignored() -> None:
    desk = Desk(3, "D02")
    kw = {"debounce_s": 30.0, "threshold_w": 15.0}
    apply_reading(desk, "presence", 0, 0, **kw)
    assert apply_reading(desk, "presence", 0, 31, **kw)
    assert desk.occupied is False
    changes = [apply_reading(desk, "presence", n % 2, 100 + n * 0.1, **kw) for n in range(200)]
    assert not any(changes)
    assert desk.occupied is False
    readings, presence = desk.readings, desk.presence
    assert not apply_reading(desk, "presence", 1 - int(bool(presence)), 5, **kw)  # too old
    assert (desk.readings, desk.presence) == (readings + 1, presence)


# ------------------------------------------------------------------ over MQTT
def test_a_floor_is_queryable_with_its_age_and_dropouts_are_absent(
    sensor_settings: Callable[..., Settings], sandbox: SensorSandbox
) -> None:
    app = create_app(sensor_settings())
    with serve_app(app) as base:
        ingest = app.state.events.services[0]
        reported = sandbox.floor_scene(3, 10, occupied=[1, 4], dropouts=[7, 8])
        wait_for(lambda: ingest.received == sandbox.published, 30, "every reading ingested")
        # A bouncing sensor on an idle desk: 40 readings in 4 s change nothing.
        sandbox.burst(3, "D00", 40, at=time.time())
        wait_for(lambda: ingest.received == sandbox.published, 30, "the burst ingested")
        desks = floor(base, 3)
    assert [d["desk"] for d in desks] == reported
    assert {d["desk"] for d in desks if d["occupied"]} == {"D01", "D04"}
    assert next(d for d in desks if d["desk"] == "D00")["occupied"] is False
    assert all(d["ageSeconds"] >= 0 for d in desks)


def test_readings_published_while_colonnade_is_down_arrive_after_it_starts(
    sensor_settings: Callable[..., Settings], sandbox: SensorSandbox
) -> None:
    settings = sensor_settings()
    first = create_app(settings)
    with serve_app(first):
        assert first.state.events.services[0].connected.is_set()  # session + subscription
    # Colonnade is down: the broker keeps the persistent session and queues QoS 1.
    while_down = 40
    t0 = time.time() - 100
    for n in range(while_down // 2):
        sandbox.reading(2, f"Q{n:02d}", "presence", 1, t0)
        sandbox.reading(2, f"Q{n:02d}", "presence", 1, t0 + 60)
    second = create_app(settings)
    with serve_app(second) as base:
        ingest = second.state.events.services[0]
        wait_for(lambda: ingest.received >= while_down, 30, "queued readings delivered")
        desks = floor(base, 2)
    print(f"\nmqtt: published while down={while_down} delivered after restart={ingest.received}")
    assert ingest.received == while_down
    assert len(desks) == while_down // 2
    assert all(d["occupied"] for d in desks)


async def test_a_change_is_pushed_to_a_desk_subscription(
    sensor_settings: Callable[..., Settings], sandbox: SensorSandbox
) -> None:
    app = create_app(sensor_settings())
    with serve_app(app) as base:
        async with ws(base) as conn:
            await init(conn)
            sub = "subscription { deskOccupancy(floor: 5) { desk occupied ageSeconds } }"
            await send(conn, {"id": "d", "type": "subscribe", "payload": {"query": sub}})
            await asyncio.sleep(0.2)
            t0 = time.time() - 40
            await asyncio.to_thread(sandbox.reading, 5, "D09", "power", 90, t0)
            await asyncio.to_thread(sandbox.reading, 5, "D09", "power", 90, t0 + 35)
            message = await recv(conn)
            assert message["payload"]["data"]["deskOccupancy"]["desk"] == "D09"
            assert message["payload"]["data"]["deskOccupancy"]["occupied"] is True
