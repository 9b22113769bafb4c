"""MQTT ingestion: one subscriber with a persistent session, QoS 1, reconnecting by itself.

aiomqtt (over paho-mqtt) speaks the protocol; this module only keeps the session durable —
a fixed client id with ``clean_session=False`` — so the broker queues QoS 1 messages while
Colonnade is down and delivers them when it reconnects, and hands each message to a handler.
paho acknowledges a QoS 1 message when it arrives, before the handler runs: a crash in
between loses that one reading (for sensors, the next reading supersedes it).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

import aiomqtt
import structlog

from colonnade.config import SensorsSettings

_log = structlog.get_logger("colonnade.mqtt")

OnMessage = Callable[[str, bytes], Awaitable[None]]


class MqttIngest:
    def __init__(self, settings: SensorsSettings, on_message: OnMessage) -> None:
        self.settings = settings
        self.on_message = on_message
        self.received = 0
        self.connected = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name="mqtt-ingest")
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self.connected.wait(), 5)

    async def _run(self) -> None:
        s = self.settings
        while True:
            try:
                async with aiomqtt.Client(
                    s.host,
                    s.port,
                    identifier=s.client_id,
                    clean_session=False,
                    protocol=aiomqtt.ProtocolVersion.V311,
                    username=s.username,
                    password=s.password.get_secret_value() if s.password else None,
                    keepalive=30,
                ) as client:
                    await client.subscribe(f"{s.topic_prefix}/#", qos=1)
                    self.connected.set()
                    async for message in client.messages:
                        self.received += 1
                        payload = message.payload
                        body = payload if isinstance(payload, bytes) else str(payload).encode()
                        try:
                            await self.on_message(str(message.topic), body)
                        except Exception:  # noqa: BLE001 - one bad reading must not stop the rest
                            _log.exception("mqtt_message_failed", topic=str(message.topic))
            except aiomqtt.MqttError as exc:
                self.connected.clear()
                _log.warning("mqtt_reconnect", error=str(exc))
                await asyncio.sleep(1)

    async def aclose(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
