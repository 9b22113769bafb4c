"""Bound a request body in size and in time before anyone parses it (ASGI middleware).

Size: ``Content-Length`` is checked up front and streamed bytes are counted for chunked
uploads: 413. Time: the whole body must arrive within ``read_timeout_s`` of the request head
(a slowloris body would otherwise hold a connection and a task forever): 408, and the
connection is closed since the rest of the body will never be read. Either way the client gets
a GraphQL-shaped JSON body with a code.
"""

from __future__ import annotations

import asyncio

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from colonnade.errors import ErrorCode
from colonnade.http_errors import error_body


class _Refused(Exception):
    def __init__(self, status: int, message: str, code: ErrorCode) -> None:
        super().__init__(message)
        self.status, self.message, self.code = status, message, code


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_bytes: int, read_timeout_s: float = 30.0) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.read_timeout_s = read_timeout_s

    def _too_large(self) -> _Refused:
        return _Refused(
            413, f"request body exceeds {self.max_bytes} bytes", ErrorCode.PAYLOAD_TOO_LARGE
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope["headers"]).get(b"content-length")
        if declared is not None and not declared.isdigit():
            await _refuse(send, _Refused(400, "invalid Content-Length", ErrorCode.BAD_REQUEST))
            return
        if declared is not None and int(declared) > self.max_bytes:
            await _refuse(send, self._too_large())
            return
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.read_timeout_s
        seen = 0
        body_done = False
        started = False

        async def limited_receive() -> Message:
            nonlocal seen, body_done
            if body_done:
                return await receive()  # e.g. waiting for http.disconnect: not ours to bound
            try:
                async with asyncio.timeout_at(deadline):
                    message = await receive()
            except TimeoutError:
                raise _Refused(
                    408,
                    f"request body not received within {self.read_timeout_s:g} s",
                    ErrorCode.REQUEST_TIMEOUT,
                ) from None
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    raise self._too_large()
                body_done = not message.get("more_body", False)
            else:
                body_done = True
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, limited_receive, tracking_send)
        except _Refused as refused:
            if not started:
                await _refuse(send, refused)


async def _refuse(send: Send, refused: _Refused) -> None:
    body = error_body(refused.message, refused.code)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
    ]
    if refused.status in (408, 413):
        headers.append((b"connection", b"close"))  # the rest of the body will not be read
    await send({"type": "http.response.start", "status": refused.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})
