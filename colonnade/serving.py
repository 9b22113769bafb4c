"""``colonnade serve``'s HTTP server: uvicorn, with slow and idle clients cut off.

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
import socket
from types import FrameType
from typing import Any

import uvicorn
from uvicorn.protocols.http.h11_impl import H11Protocol

from colonnade.config import ServerSettings
from colonnade.errors import ConfigError, ErrorCode
from colonnade.http_errors import error_body
from colonnade.readiness import Lifecycle


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
    """Marks the app draining as soon as shutdown is asked for, so /readyz says 503 while
    in-flight requests finish."""

    def __init__(self, config: uvicorn.Config, lifecycle: Lifecycle) -> None:
        super().__init__(config)
        self.lifecycle = lifecycle

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.lifecycle.draining = True
        super().handle_exit(sig, frame)


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
        timeout_graceful_shutdown=round(server.request_deadline_s) + 5,
    )


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
    "server_config",
]
