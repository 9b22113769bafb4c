"""SandboxSet: every connector's sandbox provider under one ASGI app (``/<connector>/…``),
plus the ``/__sandbox`` control API (faults, calls, reset, latency).

Which providers exist comes from the connector plugins (``ConnectorPlugin.sandbox``), so a
new connector's sandbox is its own file and nothing else.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route

from colonnade.platform import discover
from colonnade.sandboxes.faults import Fault
from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.server import ServedSandbox
from colonnade.sandboxes.wire import CaptureCycle


def provider_class(where: str) -> type[Provider]:
    """``"module:Class"`` → the provider class (imported now, not at start-up)."""
    module, _, name = where.partition(":")
    cls = getattr(importlib.import_module(module), name)
    if not (isinstance(cls, type) and issubclass(cls, Provider)):
        raise TypeError(f"{where} is not a sandbox Provider")
    return cls


def declared_sandboxes() -> dict[str, str]:
    return {c.name: c.sandbox for c in discover().connectors if c.sandbox is not None}


class SandboxSet:
    """One provider per connector, sharing a seed of ``customers`` (the same customer ids at
    the CRM, the ERP and the payment provider). ``options[name]`` are that provider's
    constructor arguments (credentials, rate limits) after ``customers``; ``fresh``: the
    others get credentials generated for this process (the embedded default) instead of
    their public demo ones. ``sandboxes.crm`` is the provider for the connector ``crm``."""

    def __init__(
        self,
        customers: int = 200,
        *,
        providers: Mapping[str, str] | None = None,
        fresh: bool = False,
        **options: dict[str, Any],
    ) -> None:
        declared = declared_sandboxes() if providers is None else dict(providers)
        unknown = set(options) - set(declared)
        if unknown:
            raise TypeError(f"no sandbox for {sorted(unknown)}; there are {sorted(declared)}")
        self._providers: dict[str, Provider] = {}
        for name, where in declared.items():
            cls: Any = provider_class(where)
            opts = options.get(name, {})
            made = cls.fresh(customers) if fresh and not opts else cls(customers, **opts)
            self._providers[name] = made
        self.app = CaptureCycle(
            Starlette(
                routes=[
                    Route("/__sandbox/faults", self._add_fault, methods=["POST"]),
                    Route("/__sandbox/faults", self._clear_faults, methods=["DELETE"]),
                    Route("/__sandbox/calls", self._calls, methods=["GET"]),
                    Route("/__sandbox/reset", self._reset, methods=["POST"]),
                    Route("/__sandbox/latency", self._latency, methods=["POST"]),
                    *(Mount(f"/{n}", app=p.app) for n, p in self._providers.items()),
                ]
            )
        )

    def __getattr__(self, name: str) -> Any:
        providers = self.__dict__.get("_providers", {})
        if name in providers:
            return providers[name]
        raise AttributeError(name)

    @property
    def providers(self) -> dict[str, Provider]:
        return dict(self._providers)

    def reset(self) -> None:
        """Clear faults and calls, restore seed data, zero base latency."""
        for provider in self._providers.values():
            provider.faults.clear()
            provider.faults.base_latency_s = 0.0
            provider.recorder.reset()
            provider.reset()

    def clear_faults(self) -> None:
        for provider in self._providers.values():
            provider.faults.clear()

    def set_base_latency(self, seconds: float) -> None:
        for provider in self._providers.values():
            provider.faults.base_latency_s = seconds

    def connector_settings(self, name: str) -> dict[str, Any]:
        return self._providers[name].connector_settings()

    def send_webhooks(self, name: str, url: str, secret: str) -> bool:
        return self._providers[name].send_webhooks(url, secret)

    def serve(self, host: str = "127.0.0.1", port: int = 0) -> ServedSandbox:
        """A not-yet-started server; use as a context manager."""
        return ServedSandbox(self.app, host=host, port=port)

    @classmethod
    def for_plugins(
        cls, providers: Mapping[str, str], customers: int, fresh: bool = True
    ) -> SandboxSet:
        """The ``SandboxHost`` entry."""
        return cls(customers, providers=providers, fresh=fresh)

    # Control API ----------------------------------------------------------------------
    async def _add_fault(self, request: Request) -> Response:
        body = await request.json()
        provider = self._providers.get(str(body.get("provider")))
        if provider is None:
            names = ", ".join(self._providers)
            return JSONResponse({"error": f"provider must be one of {names}"}, status_code=400)
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
        return JSONResponse({n: p.recorder.counts() for n, p in self._providers.items()})

    async def _reset(self, request: Request) -> Response:
        self.reset()
        return JSONResponse({"ok": True})

    async def _latency(self, request: Request) -> Response:
        body = await request.json()
        self.set_base_latency(float(body.get("base_latency_s", 0.0)))
        return JSONResponse({"ok": True})
