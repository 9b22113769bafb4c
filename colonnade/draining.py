"""Shutdown at the HTTP edge: new GraphQL work refused while draining, what outlives the grace
cut with an answer.

While the process drains (``Lifecycle.draining``, set by the first SIGTERM/SIGINT) a new
``/graphql`` request — on a new connection or an open keep-alive one alike, since either way it
is work this process would start while it is going away — gets a typed 503
(``SERVICE_UNAVAILABLE``, ``Retry-After``, ``Connection: close``): the load balancer or client
sends it to a replica that stays. Every other route keeps answering (probes, ``/metrics``,
``/ops``; webhooks are stored durably before they are acknowledged), and every response sent
while draining says ``Connection: close``, so pooled connections move off this process.

Requests under way are tracked; when the grace runs out, ``Flights.cut`` cancels each at the
point it is waiting (an ``asyncio.timeout`` brought forward, so the cancellation is undone
cleanly) and, if it has not started its response, answers it with a 503 — a mutation's with
``UPSTREAM_OUTCOME_UNKNOWN``, since its write may already have been sent. Never a hang, never
uvicorn's plain-text 500 for a cancelled task.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colonnade.errors import ErrorCode
from colonnade.http_errors import error_body
from colonnade.observability import context
from colonnade.readiness import Lifecycle

_log = structlog.get_logger("colonnade.server")
_CLOSE = (b"connection", b"close")


@dataclass(eq=False, slots=True)
class _Flight:
    path: str
    timeout: asyncio.Timeout | None = None
    cut: bool = False


@dataclass(slots=True)
class Flights:
    """The HTTP requests under way in this process."""

    _running: set[_Flight] = field(default_factory=set)

    def __len__(self) -> int:
        return len(self._running)

    def start(self, path: str) -> _Flight:
        flight = _Flight(path)
        self._running.add(flight)
        return flight

    def end(self, flight: _Flight) -> None:
        self._running.discard(flight)

    def cut(self) -> int:
        """End every request still running (from the event loop); how many were cut."""
        cut = 0
        for flight in list(self._running):
            if flight.timeout is not None and not flight.cut:
                flight.cut = True
                flight.timeout.reschedule(-1.0)  # in the past: expires at the next loop step
                cut += 1
        return cut


def _response(status: int, message: str, code: ErrorCode, retry_after_s: int) -> list[Message]:
    body = error_body(message, code)
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(len(body)).encode()),
        (b"retry-after", str(retry_after_s).encode()),
        _CLOSE,
    ]
    return [
        {"type": "http.response.start", "status": status, "headers": headers},
        {"type": "http.response.body", "body": body},
    ]


REFUSED = "this instance is shutting down and takes no new requests; retry (another instance)"
CUT = "this instance shut down before the request finished; it was cancelled: retry"
CUT_MUTATION = (
    "this instance shut down before the mutation finished; it was cancelled and may or may not "
    "have been applied: check before retrying (or retry with the same idempotency key)"
)


class DrainGate:
    """Pure ASGI middleware (no body buffering): refuses ``path`` while draining, tracks
    every HTTP request so ``Flights.cut`` can end it with an answer."""

    def __init__(
        self,
        app: ASGIApp,
        lifecycle: Lifecycle,
        flights: Flights,
        path: str = "/graphql",
        retry_after_s: int = 1,
    ) -> None:
        self.app = app
        self.lifecycle = lifecycle
        self.flights = flights
        self.path = path
        self.retry_after_s = retry_after_s

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        if self.lifecycle.draining and scope["path"] == self.path:
            await self._refuse(scope, send)
            return
        if kind == "websocket":  # open ones are closed (1012) by the server when it stops
            await self.app(scope, receive, send)
            return
        await self._tracked(scope, receive, send)

    async def _tracked(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = False

        async def send_marked(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                if self.lifecycle.draining and _CLOSE not in message.get("headers", []):
                    message = {**message, "headers": [*message.get("headers", []), _CLOSE]}
            await send(message)

        flight = self.flights.start(scope["path"])
        try:
            async with asyncio.timeout(None) as flight.timeout:
                await self.app(scope, receive, send_marked)
        except TimeoutError:
            if not flight.cut:
                raise
            obs = context.observation()
            mutation = obs is not None and obs.operation_type == "mutation"
            _log.warning("request_cut_by_shutdown", path=flight.path, responded=started)
            code, text = (
                (ErrorCode.UPSTREAM_OUTCOME_UNKNOWN, CUT_MUTATION)
                if mutation
                else (ErrorCode.SERVICE_UNAVAILABLE, CUT)
            )
            if obs is not None:
                obs.error_codes.append(code.value)  # the access log and metrics say it too
            if not started:  # else the server closes the connection: the client sees it end
                for message in _response(503, text, code, self.retry_after_s):
                    await send(message)
        finally:
            self.flights.end(flight)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        messages = _response(503, REFUSED, ErrorCode.SERVICE_UNAVAILABLE, self.retry_after_s)
        if scope["type"] == "http":
            for message in messages:
                await send(message)
            return
        if "websocket.http.response" in scope.get("extensions", {}):
            for message in messages:
                await send({**message, "type": "websocket." + message["type"]})
            return
        await send({"type": "websocket.close", "code": 1013})  # "try again later"


__all__ = ["CUT", "CUT_MUTATION", "REFUSED", "DrainGate", "Flights"]
