"""``POST /webhooks/{source}``: verify, describe, store durably — then, and only then, 2xx.

The body is read with a size cap and a deadline before anything looks at it (a slow or huge
upload costs us bounded memory and time). The signature is checked over the exact bytes
received. Answers: 200 stored (or already stored: a duplicate is a success for the sender),
400 bad signature / stale timestamp / not an event, 404 unknown source, 408 body too slow,
413 too large, 503 the store did not answer (the provider retries later).
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace

import structlog
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response

from colonnade.errors import StateUnavailable
from colonnade.events.model import Event, EventHandler
from colonnade.events.signatures import SignatureError, Verifier
from colonnade.events.store import EventStore

_log = structlog.get_logger("colonnade.events")


@dataclass(frozen=True, slots=True)
class Source:
    name: str
    verifier: Verifier
    handler: EventHandler


class _BodyError(Exception):
    def __init__(self, status: int, message: str) -> None:
        self.status = status
        self.message = message


async def read_body(request: Request, max_bytes: int, timeout_s: float) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and (not declared.isdigit() or int(declared) > max_bytes):
        raise _BodyError(413, f"body exceeds {max_bytes} bytes")
    chunks: list[bytes] = []
    size = 0
    try:
        async with asyncio.timeout(timeout_s):
            async for chunk in request.stream():
                size += len(chunk)
                if size > max_bytes:
                    raise _BodyError(413, f"body exceeds {max_bytes} bytes")
                chunks.append(chunk)
    except TimeoutError:
        raise _BodyError(408, "body not received in time") from None
    except ClientDisconnect:
        raise _BodyError(400, "client went away") from None
    return b"".join(chunks)


def webhook_endpoint(
    sources: Mapping[str, Source],
    store: EventStore,
    *,
    max_body_bytes: int,
    body_timeout_s: float,
    on_stored: Callable[[], None] = lambda: None,
    count: Callable[[str, str], None] = lambda _source, _outcome: None,
) -> Callable[[Request], Awaitable[Response]]:
    async def receive(request: Request) -> Response:
        source = sources.get(request.path_params["source"])
        if source is None:
            return JSONResponse({"error": "unknown webhook source"}, status_code=404)
        try:
            body = await read_body(request, max_body_bytes, body_timeout_s)
        except _BodyError as exc:
            count(source.name, {413: "too_large", 408: "slow"}.get(exc.status, "invalid"))
            return JSONResponse({"error": exc.message}, status_code=exc.status)
        now = time.time()
        try:
            source.verifier.verify(request.headers, body, now)
        except SignatureError as exc:
            _log.warning("webhook_refused", source=source.name, reason=exc.reason)
            count(source.name, "refused")
            return JSONResponse({"error": f"signature refused: {exc.reason}"}, status_code=400)
        try:
            meta = source.handler.describe(json.loads(body))
        except (ValueError, TypeError, KeyError) as exc:
            count(source.name, "invalid")
            return JSONResponse({"error": f"not an event: {exc}"}, status_code=400)
        meta = replace(meta, object_key=f"{source.name}|{meta.object_key}")
        try:
            fresh = await store.add(Event(source.name, meta, body, now))
        except StateUnavailable:
            count(source.name, "unavailable")
            return JSONResponse({"error": "event store unavailable; retry"}, status_code=503)
        count(source.name, "stored" if fresh else "duplicate")
        if fresh:
            on_stored()
        return JSONResponse({"received": True, "duplicate": not fresh})

    return receive
