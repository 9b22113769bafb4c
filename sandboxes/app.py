"""SandboxSet: the three providers under one ASGI app, plus the /__sandbox control API."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from colonnade.sandboxes.crm import CrmSandbox
from colonnade.sandboxes.erp import ErpSandbox
from colonnade.sandboxes.faults import Fault
from colonnade.sandboxes.payments import PaymentsSandbox
from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.server import ServedSandbox
from colonnade.sandboxes.wire import CaptureCycle


class SandboxSet:
    """Owns one CRM, one payments and one ERP sandbox sharing a seed of `customers`."""

    def __init__(
        self,
        customers: int = 200,
        *,
        crm: dict[str, Any] | None = None,
        payments: dict[str, Any] | None = None,
        erp: dict[str, Any] | None = None,
    ) -> None:
        self.crm = CrmSandbox(customers, **(crm or {}))
        self.payments = PaymentsSandbox(customers, **(payments or {}))
        self.erp = ErpSandbox(customers, **(erp or {}))
        self.app = CaptureCycle(
            Starlette(
                routes=[
                    Route("/__sandbox/faults", self._add_fault, methods=["POST"]),
                    Route("/__sandbox/faults", self._clear_faults, methods=["DELETE"]),
                    Route("/__sandbox/calls", self._calls, methods=["GET"]),
                    Route("/__sandbox/reset", self._reset, methods=["POST"]),
                    Route("/__sandbox/latency", self._latency, methods=["POST"]),
                    Mount("/crm", app=self.crm.app),
                    Mount("/payments", app=self.payments.app),
                    Mount("/erp", app=self.erp.app),
                ]
            )
        )

    @property
    def providers(self) -> dict[str, Provider]:
        return {"crm": self.crm, "payments": self.payments, "erp": self.erp}

    def reset(self) -> None:
        """Clear faults and calls, restore seed data, zero base latency."""
        for provider in (self.crm, self.payments, self.erp):
            provider.faults.clear()
            provider.faults.base_latency_s = 0.0
            provider.recorder.reset()
            provider.reset()

    def clear_faults(self) -> None:
        for provider in self.providers.values():
            provider.faults.clear()

    def set_base_latency(self, seconds: float) -> None:
        for provider in self.providers.values():
            provider.faults.base_latency_s = seconds

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ServedSandbox:
        """A not-yet-started server; use as a context manager."""
        return ServedSandbox(self.app, host=host, port=port)

    # Control API ----------------------------------------------------------------------
    async def _add_fault(self, request: Request) -> Response:
        body = await request.json()
        provider = self.providers.get(str(body.get("provider")))
        if provider is None:
            return JSONResponse({"error": "provider must be crm, payments or erp"}, status_code=400)
        try:
            fault = Fault.from_json(body)
        except (TypeError, ValueError) as exc:
            return JSONResponse({"error": str(exc)}, status_code=400)
        provider.faults.add(fault)
        return JSONResponse({"ok": True}, status_code=201)

    async def _clear_faults(self, request: Request) -> Response:
        self.clear_faults()
        return JSONResponse({"ok": True})

    async def _calls(self, request: Request) -> Response:
        return JSONResponse({n: p.recorder.counts() for n, p in self.providers.items()})

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"ok": True})

    async def _latency(self, request: Request) -> Response:
        body = await request.json()
        self.set_base_latency(float(body.get("base_latency_s", 0.0)))
        return JSONResponse({"ok": True})
