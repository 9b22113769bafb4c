"""Low-level wire tricks the faults need: aborting connections and half-sent bodies.

Uvicorn's ASGI `send` is a bound method of its RequestResponseCycle, which owns the
asyncio transport. Starlette wraps `send` further in, so CaptureCycle grabs the cycle at
the outermost layer and parks it in the scope for the operation wrappers.
"""

from __future__ import annotations

import asyncio
from typing import Any

from starlette.responses import Response
from starlette.types import ASGIApp, Receive, Scope, Send

CYCLE_KEY = "sandbox.cycle"


class CaptureCycle:
    """ASGI middleware: remember uvicorn's request cycle (if any) in the scope."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and CYCLE_KEY not in scope:
            scope[CYCLE_KEY] = getattr(send, "__self__", None)
        await self.app(scope, receive, send)


class ConnectionAborted(Exception):
    """Raised when no real transport is available to abort (e.g. in-process ASGI clients)."""


def _transport(scope: Scope) -> Any:
    return getattr(scope.get(CYCLE_KEY), "transport", None)


async def _settle(scope: Scope) -> None:
    """Let the loop deliver connection_lost so uvicorn sees the disconnect, not a bad app."""
    cycle = scope.get(CYCLE_KEY)
    for _ in range(200):
        if getattr(cycle, "disconnected", True):
            return
        await asyncio.sleep(0.001)


async def abort(scope: Scope) -> None:
    """Drop the TCP connection with a reset and no response."""
    transport = _transport(scope)
    if transport is None:
        raise ConnectionAborted("connection reset by sandbox fault")
    transport.abort()
    await _settle(scope)


async def send_truncated(scope: Scope, send: Send, response: Response) -> None:
    """Send headers announcing the full body, half the body, then close the connection."""
    body = bytes(response.body)
    await send(
        {
            "type": "http.response.start",
            "status": response.status_code,
            "headers": response.raw_headers,
        }
    )
    await send({"type": "http.response.body", "body": body[: len(body) // 2], "more_body": True})
    transport = _transport(scope)
    if transport is None:
        raise ConnectionAborted("response truncated by sandbox fault")
    for _ in range(200):
        if transport.get_write_buffer_size() == 0:
            break
        await asyncio.sleep(0.001)
    # close() (FIN) rather than abort() (RST): a reset would make the client's kernel
    # discard the half body it should see arriving short.
    transport.close()
    await _settle(scope)
