"""``/readyz``: what each component can do right now, and whether this process can serve.

The answer is 503 only when the process itself cannot serve (not started yet, or draining for
shutdown): a load balancer should then send traffic elsewhere. A provider being down is
*degraded*, not unready — every replica would say the same, and the graph still answers the
fields that do not depend on it — so it stays 200 with the component marked. Everything here is
cheap: the connectors come from the built services (the engine names none of them), the
breaker state is one read of the state backend, the last outcome comes from the in-process ring
of recent attempts.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from colonnade.errors import StateUnavailable
from colonnade.runtime import Runtime
from colonnade.state import BreakerState

ReadyCheck = Callable[[Any], Awaitable[dict[str, Any]]]
"""A connector's own readiness check (``ConnectorPlugin.ready``): extra keys for its report,
``status`` among them when it knows better ("degraded")."""


@dataclass(slots=True)
class Lifecycle:
    """Set by the app's lifespan and by the server's shutdown signal."""

    started: bool = False
    draining: bool = False
    on_drain: list[Callable[[], None]] = field(default_factory=list)
    """Run once when draining starts, possibly from a signal handler: they only set flags
    (e.g. no new background refreshes), never await or touch the event loop."""

    @property
    def serving(self) -> bool:
        return self.started and not self.draining

    def drain(self) -> None:
        if self.draining:
            return
        self.draining = True
        for stop in self.on_drain:
            stop()


async def _breakers(connector: Any) -> dict[str, str]:
    caller = connector.pipeline.caller
    states: dict[str, str] = {}
    for op in connector.operations:
        for breaker in caller.breakers_of(op):  # a key group's, once one of its keys was called
            if breaker.key in states or not breaker.enabled:
                continue
            try:
                states[breaker.key] = (await breaker.state()).value
            except StateUnavailable:
                states[breaker.key] = "unknown"
    return states


def _last_outcome(runtime: Runtime, name: str) -> dict[str, Any] | None:
    for record in reversed(runtime.telemetry.recent):
        if record.connector == name:
            return {"operation": record.operation, "outcome": record.outcome}
    return None


async def connector_report(runtime: Runtime, connector: Any) -> dict[str, Any]:
    report: dict[str, Any] = {"constructed": True}
    if getattr(connector, "client", None) is not None:
        report["wsdl"] = "loaded"  # SOAP connectors load theirs at construction, or fail start
    breakers = await _breakers(connector)
    report["breakers"] = breakers
    last = _last_outcome(runtime, connector.name)
    report["last_call"] = last
    tripped = any(
        s in (BreakerState.OPEN.value, BreakerState.HALF_OPEN.value) for s in breakers.values()
    )
    failing = last is not None and last["outcome"] != "ok"
    report["status"] = "degraded" if tripped or failing else "ok"
    return report


async def state_report(runtime: Runtime) -> dict[str, Any]:
    backend = runtime.backend
    try:
        await backend.ping()
    except StateUnavailable:
        return {
            "backend": backend.name,
            "status": "degraded",
            "detail": "unavailable: cache bypassed, breakers and rate limits per process",
        }
    return {"backend": backend.name, "status": "ok"}


async def readiness(
    runtime: Runtime,
    connectors: Iterable[Any],
    lifecycle: Lifecycle,
    off: Mapping[str, str] | None = None,
    checks: Mapping[str, ReadyCheck] | None = None,
) -> tuple[int, dict[str, Any]]:
    """(HTTP status, body) for /readyz. ``off``: connectors the deployment left unbuilt, and
    why (an operator's choice, not a degradation); ``checks``: a plugin's own readiness check,
    merged into its connector's report."""
    started = time.monotonic()
    components = {c.name: await connector_report(runtime, c) for c in connectors}
    for name, check in (checks or {}).items():
        if name in components:
            components[name].update(await check(next(c for c in connectors if c.name == name)))
    components.update({n: {"status": "off", "reason": why} for n, why in (off or {}).items()})
    state = await state_report(runtime)
    degraded = state["status"] != "ok" or any(
        r["status"] not in ("ok", "off") for r in components.values()
    )
    if not lifecycle.serving:
        status = "shutting_down" if lifecycle.draining else "starting"
    else:
        status = "degraded" if degraded else "ready"
    body = {
        "status": status,
        "draining": lifecycle.draining,
        "connectors": components,
        "state": state,
        "checked_in_ms": round((time.monotonic() - started) * 1000, 2),
    }
    return (200 if lifecycle.serving else 503), body
