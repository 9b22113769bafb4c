"""What every sandbox provider shares: fault book, recorder, and the one fault wrapper.

Each route is an `Operation` (a plain ASGI app) so faults are applied in exactly one
place, around the provider's handler, with access to the raw connection.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar, Self

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

from colonnade.sandboxes import hostile, wire
from colonnade.sandboxes.faults import Fault, FaultBook
from colonnade.sandboxes.recorder import CallRecord, Recorder
from colonnade.sandboxes.rewrite import rename_in_response

Handler = Callable[[Request], Awaitable[Response]]
Resolver = Callable[[Request], Awaitable[str]]


class Provider:
    """Base class: subclasses supply the provider's error shapes and routes."""

    name: ClassVar[str] = "provider"
    wire_format: ClassVar[hostile.WireFormat] = "json"
    """The format hostile replies (huge_body, huge_text, many_attributes) are written in."""

    app: ASGIApp
    """The provider's routes (a subclass sets it); mounted at ``/<connector>`` by SandboxSet."""

    def __init__(self) -> None:
        self.faults = FaultBook()
        self.recorder = Recorder()

    # Provider-specific shapes -------------------------------------------------------
    def status_response(self, operation: str, status: int) -> Response:
        raise NotImplementedError

    def error_in_200_response(self, operation: str) -> Response:
        raise NotImplementedError

    def malformed_response(self, operation: str) -> Response:
        raise NotImplementedError

    def soap_fault_response(self, operation: str, fault: Fault | None = None) -> Response:
        """SOAP providers (``soap.SoapProvider``) answer ``fault``'s faultcode, faultstring and
        detail; elsewhere a soap_fault degrades to a plain 500."""
        return self.status_response(operation, 500)

    def expire_tokens(self) -> None:
        """Only the CRM issues tokens; elsewhere token_expiry is a no-op."""

    def finalize(self, request: Request, response: Response) -> None:
        """Hook for headers every response carries (limit info, request ids)."""

    # Embedding (colonnade.embedded, SandboxSet) ------------------------------------------
    @classmethod
    def fresh(cls, customers: int) -> Self:
        """A provider with credentials made for this process: override to generate them.
        (Every provider's constructor takes ``customers`` first: the shared seed's size.)"""
        return cls(customers)  # type: ignore[call-arg]

    def connector_settings(self) -> dict[str, Any]:
        """What the connector needs, besides its base URL, to talk to this provider."""
        return {}

    def send_webhooks(self, url: str, secret: str) -> bool:
        """Sign and send this provider's webhooks to ``url``; False if it sends none."""
        return False

    def reset(self) -> None:
        """Restore seed data (faults and calls are cleared by ``SandboxSet.reset``)."""

    # Wiring ---------------------------------------------------------------------------
    def route(
        self, path: str, operation: str | Resolver, handler: Handler, methods: list[str]
    ) -> Route:
        return Route(path, Operation(self, operation, handler), methods=methods)


class Operation:
    """ASGI endpoint applying faults, latency and recording around one handler."""

    def __init__(self, provider: Provider, operation: str | Resolver, handler: Handler) -> None:
        self.provider = provider
        self.operation = operation
        self.handler = handler

    async def _resolve(self, request: Request) -> str:
        if isinstance(self.operation, str):
            return self.operation
        return await self.operation(request)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        request = Request(scope, receive)
        op = await self._resolve(request)
        faults = self.provider.faults.take(op)
        by_kind: dict[str, Fault] = {}
        for fault in faults:
            by_kind.setdefault(fault.kind, fault)
        recorded = False
        recorder = self.provider.recorder
        generation = recorder.generation
        recorder.enter()

        def record(status: int) -> None:
            # Record before aborting: the client sees a reset at once and may race ahead.
            # A request that began before a reset (a test's leftover hang) is not recorded.
            nonlocal recorded
            if not recorded:
                recorded = True
                if recorder.generation == generation:
                    self._record(request, op, status)

        try:
            await self._run(request, scope, send, op, faults, by_kind, record)
        finally:
            record(500)
            recorder.leave()

    async def _run(
        self,
        request: Request,
        scope: Scope,
        send: Send,
        op: str,
        faults: list[Fault],
        by_kind: dict[str, Fault],
        record: Callable[[int], None],
    ) -> None:
        base = self.provider.faults.base_latency_s
        delay = base + sum(f.latency_s for f in faults if f.kind == "latency")
        if delay > 0:
            await asyncio.sleep(delay)
        if "token_expiry" in by_kind:
            self.provider.expire_tokens()
        if "reset" in by_kind:
            record(0)
            await wire.abort(scope)
            return
        response = await self._respond(request, op, by_kind)
        for fault in faults:
            if fault.retry_after is not None:
                response.headers["Retry-After"] = fault.retry_after
            for key, value in fault.headers.items():
                response.headers[key] = value
        self.provider.finalize(request, response)
        if "drop_after_commit" in by_kind:
            record(0)
            await wire.abort(scope)
            return
        if "delay_after_commit" in by_kind:
            await asyncio.sleep(by_kind["delay_after_commit"].latency_s)
        record(response.status_code)
        if "truncate" in by_kind:
            await wire.send_truncated(scope, send, response)
            return
        await response(scope, request.receive, send)

    async def _respond(self, request: Request, op: str, by_kind: dict[str, Fault]) -> Response:
        p = self.provider
        if "status" in by_kind:
            return p.status_response(op, by_kind["status"].status)
        if "soap_fault" in by_kind:
            return p.soap_fault_response(op, by_kind["soap_fault"])
        if "malformed" in by_kind:
            return p.malformed_response(op)
        if "xml_bomb" in by_kind:
            return xml_bomb_response()
        if "huge_body" in by_kind:
            f = by_kind["huge_body"]
            return hostile.huge_body(p.wire_format, f.size, declare_length=f.declare_length)
        if "huge_text" in by_kind:
            f = by_kind["huge_text"]
            return hostile.huge_text(p.wire_format, f.size, declare_length=f.declare_length)
        if "many_attributes" in by_kind:
            return hostile.many_attributes(p.wire_format, by_kind["many_attributes"].size)
        if "error_in_200" in by_kind:
            return p.error_in_200_response(op)
        response = await self.handler(request)
        rename = by_kind.get("rename_field")
        if rename is not None and rename.rename is not None:
            response = rename_in_response(response, *rename.rename)
        return response

    def _record(self, request: Request, op: str, status: int) -> None:
        headers: dict[str, str] = {}
        key = request.headers.get("idempotency-key")
        if key is not None:
            headers["Idempotency-Key"] = key
        if "authorization" in request.headers:
            headers["Authorization"] = "present"
        for name in ("X-Request-Id", "traceparent"):  # correlation headers, never secrets
            if (value := request.headers.get(name)) is not None:
                headers[name] = value
        self.provider.recorder.record(
            CallRecord(
                provider=self.provider.name,
                operation=op,
                method=request.method,
                path=request.url.path,
                query=request.url.query,
                headers=headers,
                batch_size=int(getattr(request.state, "batch_size", 1)),
                status=status,
                at=time.monotonic(),
            )
        )


def xml_bomb_response() -> Response:
    """A hostile provider: "billion laughs" entity expansion inside a 200 (about 3 GB if a
    client's parser expanded it)."""
    entities = ['<!ENTITY lol0 "lol">']
    entities += [f'<!ENTITY lol{i} "{f"&lol{i - 1};" * 10}">' for i in range(1, 10)]
    body = f'<?xml version="1.0"?><!DOCTYPE lolz [{"".join(entities)}]><lolz>&lol9;</lolz>'
    return Response(body, media_type="text/xml; charset=utf-8")
