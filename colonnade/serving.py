"""``colonnade serve``'s HTTP server: uvicorn, with slow and idle clients cut off and a shutdown
that drains (``DrainingServer``, see also ``colonnade.draining``).

uvicorn bounds an idle keep-alive connection (``timeout_keep_alive``) but nothing else: a
client that connects and sends nothing, or sends its headers a byte at a time (slowloris),
holds a connection forever. uvicorn has no header-read timeout, so ``GuardedH11Protocol`` adds
the smallest one that is correct: a timer armed when a connection opens and at the first byte
of each new request, disarmed when h11 has the complete request head. If it fires first, the
connection gets a 408 (if it sent anything) and is closed. The body is bounded one level up,
in the ASGI app (``http_limits.BodySizeLimit``), where a JSON 408 can be answered properly.
uvicorn's own 400 for an unparsable or oversized head is JSON here too.

``listeners`` is for N replicas on one host behind one address without a load balancer: each
replica also binds a *shared* port with ``SO_REUSEPORT``, and Linux spreads new connections
across every process listening there (a process that stops leaves the group; only processes of
the same user may join it). Each keeps its own port, so /metrics and /readyz can be read per
replica.
"""

from __future__ import annotations

import asyncio
import math
import socket
import time
from types import FrameType
from typing import Any

import structlog
import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from colonnade.config import ServerSettings
from colonnade.draining import Flights
from colonnade.errors import ConfigError, ErrorCode
from colonnade.http_errors import error_body
from colonnade.readiness import Lifecycle

_log = structlog.get_logger("colonnade.server")


def _raw_response(status: int, reason: str, message: str, code: ErrorCode) -> bytes:
    body = error_body(message, code)
    head = (
        f"HTTP/1.1 {status} {reason}\r\ncontent-type: application/json\r\n"
        f"content-length: {len(body)}\r\nconnection: close\r\n\r\n"
    )
    return head.encode() + body


class GuardedH11Protocol(H11Protocol):
    header_timeout_s: float = 10.0
    max_connections: int = 1000

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        self._header_timer: asyncio.TimerHandle | None = None
        self._head_bytes = 0
        super().connection_made(transport)
        if len(self.connections) > self.max_connections:
            # Refused at the door, in JSON (uvicorn's own limit answers text/plain, per request)
            message = "too many connections; retry shortly"
            self.transport.write(
                _raw_response(503, "Service Unavailable", message, ErrorCode.SERVICE_UNAVAILABLE)
            )
            self.transport.close()
            return
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self.cycle is None or self.cycle.response_complete:  # between requests: a new head
            self._head_bytes += len(data)
            self._arm()
        before = self.cycle
        super().data_received(data)
        if self.cycle is not before:  # h11 produced the request head: the body has its own bound
            self._disarm()
            self._head_bytes = 0

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        self._disarm()
        if not self.transport.is_closing():
            self.transport.write(_raw_response(400, "Bad Request", msg, ErrorCode.BAD_REQUEST))
            self.transport.close()

    def _arm(self) -> None:
        if self._header_timer is None:
            self._header_timer = self.loop.call_later(self.header_timeout_s, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if self.transport.is_closing():
            return
        if self.cycle is not None and not self.cycle.response_complete:
            return  # a request is in flight; its body deadline applies
        if self._head_bytes:
            message = f"request headers not received within {self.header_timeout_s:g} s"
            self.transport.write(
                _raw_response(408, "Request Timeout", message, ErrorCode.REQUEST_TIMEOUT)
            )
        self.transport.close()


def guarded_protocol(header_timeout_s: float, max_connections: int) -> type[H11Protocol]:
    bounds = {"header_timeout_s": header_timeout_s, "max_connections": max_connections}
    return type("GuardedH11Protocol", (GuardedH11Protocol,), bounds)


class DrainingServer(uvicorn.Server):
    """uvicorn, with a shutdown a load balancer can follow (README, Operations).

    First SIGTERM/SIGINT: *draining* — /readyz answers 503 at once, the listener stays open
    for ``shutdown_drain_s`` so health checks see it, new /graphql requests are refused
    (``DrainGate``), no background refresh starts. Then *stopping* — uvicorn closes the
    listener and idle connections and waits for the requests under way; at ``shutdown_grace_s``
    the drain gate cuts what is left (each gets a 503), the lifespan closes the connectors and
    background tasks, and the process exits 0. A second signal ends the drain at once (the
    grace still applies); a third exits at once, without the lifespan's cleanup.

    uvicorn's own handler stops listening on the first signal (a new client could never see
    the 503) and re-raises the signal after a clean shutdown (exit status 143, not 0): both
    are replaced here.
    """

    def __init__(
        self,
        config: uvicorn.Config,
        lifecycle: Lifecycle,
        flights: Flights | None = None,
        *,
        drain_s: float = 0.0,
        grace_s: float = 20.0,
    ) -> None:
        super().__init__(config)
        self.lifecycle = lifecycle
        self.flights = flights if flights is not None else Flights()  # empty is falsy
        self.drain_s = drain_s
        self.grace_s = grace_s
        self.signals = 0
        self.cut = 0
        self._drain_until: float | None = None
        self._announced = False

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        # A signal handler: only flags here (no logging, no loop calls); on_tick acts on them.
        self.signals += 1
        if self.signals == 1:
            self.lifecycle.drain()
            self._drain_until = time.monotonic() + self.drain_s
            if not self.started:
                self.should_exit = True  # nothing to drain yet
        elif self.signals == 2:
            self._drain_until = time.monotonic()
        else:
            self._captured_signals.append(sig)  # uvicorn re-raises it: killed by the signal
            self.should_exit = self.force_exit = True

    async def on_tick(self, counter: int) -> bool:
        if self._drain_until is not None and not self.should_exit:
            if not self._announced:
                self._announced = True
                _log.info("shutdown_draining", drain_s=self.drain_s, in_flight=len(self.flights))
            if time.monotonic() >= self._drain_until:
                self.should_exit = True
        return await super().on_tick(counter)

    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        _log.info("shutdown_stopping", grace_s=self.grace_s, in_flight=len(self.flights))
        loop = asyncio.get_running_loop()
        cutter = loop.call_later(self.grace_s, self._cut)
        try:
            await super().shutdown(sockets)
        finally:
            cutter.cancel()
        _log.info("shutdown_complete", cut=self.cut, forced=self.force_exit)

    def _cut(self) -> None:
        self.cut = self.flights.cut()
        if self.cut:
            _log.warning("shutdown_grace_exceeded", grace_s=self.grace_s, cut=self.cut)


def server_config(app: Any, server: ServerSettings, host: str, port: int) -> uvicorn.Config:
    return uvicorn.Config(
        app,
        host=host,
        port=port,
        log_level=server.log_level,
        access_log=False,
        http=guarded_protocol(server.header_timeout_s, server.max_connections),
        timeout_keep_alive=max(1, round(server.keep_alive_s)),
        backlog=server.backlog,
        h11_max_incomplete_event_size=server.max_header_bytes,
        # A backstop: the drain gate cuts what is left at grace_s (DrainingServer); uvicorn
        # cancels whatever still runs a little later.
        timeout_graceful_shutdown=math.ceil(server.grace_s) + 2,
    )


def serve(
    app: Any,
    server: ServerSettings,
    host: str,
    port: int,
    sockets: list[socket.socket] | None = None,
) -> None:
    """Run until a signal, then drain and stop (``DrainingServer``); on ``sockets`` when
    given (``listeners``: a replica's own port and the one it shares)."""
    DrainingServer(
        server_config(app, server, host, port),
        app.state.lifecycle,
        app.state.flights,
        drain_s=server.drain_s,
        grace_s=server.grace_s,
    ).run(sockets=sockets)


def _bound(host: str, port: int, *, shared: bool) -> socket.socket:
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if shared:
            if not hasattr(socket, "SO_REUSEPORT"):
                raise ConfigError("--shared-port needs SO_REUSEPORT (Linux, BSD, macOS)")
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        raise ConfigError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
    except ConfigError:
        sock.close()
        raise
    sock.set_inheritable(False)
    return sock


def listeners(host: str, port: int, shared_port: int) -> list[socket.socket]:
    """This replica's own port and the port it shares with the other replicas on this host,
    bound (not yet listening: uvicorn listens once the app has started, so no connection
    waits on a replica that is not ready)."""
    if shared_port == port:
        raise ConfigError("--shared-port must differ from --port (each replica keeps its own)")
    own = _bound(host, port, shared=False)
    try:
        return [own, _bound(host, shared_port, shared=True)]
    except ConfigError:
        own.close()
        raise


__all__ = [
    "DrainingServer",
    "GuardedH11Protocol",
    "guarded_protocol",
    "listeners",
    "serve",
    "server_config",
]
