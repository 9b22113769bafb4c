"""``/ops``: each connector's health at a glance, refreshed live, for operators only.

``/ops/status.json`` is computed from what this process recorded (colonnade.telemetry): breaker
state, error rate and p50/p99 latency over the last minute, rate-limit headroom from provider
headers, cache hit ratio, the last errors with their codes, the API version and any
deprecation or sunset announced; plus 10-second buckets over five minutes for the charts. The
page is hand-written HTML/JS/CSS in ``static/`` (a few hundred lines; no framework, no CDN).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from colonnade.auth import Secret
from colonnade.observability.operators import REALM, is_operator
from colonnade.observability.timeline import quantile
from colonnade.telemetry import Telemetry

STATIC = Path(__file__).parent / "static"
_FILES = {
    "/ops": ("ops.html", "text/html"),
    "/ops/ops.js": ("ops.js", "text/javascript"),
    "/ops/ops.css": ("ops.css", "text/css"),
}
FAILING_RATIO = 0.2
DEGRADED_RATIO = 0.05


def connector_status(telemetry: Telemetry, name: str, now: float) -> dict[str, Any]:
    window = telemetry.timeline.window(name, 60, now)
    breakers = {k: s for k, (c, s) in telemetry.breakers.items() if c == name}
    state = (
        "open"
        if "open" in breakers.values()
        else "half_open"
        if "half_open" in breakers.values()
        else "closed"
    )
    error_rate = window.failures / window.calls if window.calls else None
    if state == "open" or (error_rate or 0) >= FAILING_RATIO:
        health = "failing"
    elif state == "half_open" or (error_rate or 0) >= DEGRADED_RATIO:
        health = "degraded"
    else:
        health = "ok"
    cache_totals: dict[str, int] = {}
    for k, v in telemetry.counters.items():
        if k[0] == "cache" and k[1] == name:
            cache_totals[k[3]] = cache_totals.get(k[3], 0) + v
    lookups = sum(cache_totals.values())
    served = cache_totals.get("hit", 0) + cache_totals.get("stale", 0)
    quota = [
        {"limit": limit, "remaining": r, "size": size, "ratio": r / size if size else None}
        for (c, limit), (r, size) in sorted(telemetry.quota.items())
        if c == name
    ]
    version = telemetry.versions.get(name)
    # Repeats collapsed (an open breaker refuses hundreds of calls alike): the latest of
    # each kind, with its count, so the first cause stays visible next to CIRCUIT_OPEN.
    kinds: dict[tuple[str, str, int | None], dict[str, Any]] = {}
    for e in reversed(telemetry.recent_errors):
        if e.connector != name:
            continue
        kind = kinds.setdefault(
            (e.operation, e.code, e.status),
            {
                "at": time.strftime("%H:%M:%S", time.gmtime(e.at)),
                "operation": e.operation,
                "code": e.code,
                "status": e.status,
                "count": 0,
            },
        )
        kind["count"] += 1
    errors = list(kinds.values())[:5]
    return {
        "connector": name,
        "health": health,
        "breaker": state,
        "breakers": breakers,
        "calls_1m": window.calls,
        "refused_1m": window.refused,
        "error_rate_1m": error_rate,
        "p50_ms": quantile(window.latencies, 0.5),
        "p99_ms": quantile(window.latencies, 0.99),
        "rate_limit": quota,
        "cache_hit_ratio": served / lookups if lookups else None,
        "cache": cache_totals,
        "last_errors": errors,
        "version": version.as_dict() if version else None,
        "series": telemetry.timeline.series(name, now),
    }


def status(telemetry: Telemetry) -> dict[str, Any]:
    now = time.time()
    return {
        "generated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(now)),
        "connectors": [connector_status(telemetry, n, now) for n in telemetry.versions],
    }


def ops_routes(telemetry: Telemetry, token: Secret | None) -> list[Route]:
    def guarded(fn: Any) -> Any:
        async def endpoint(request: Request) -> Response:
            if not is_operator(request, token):
                detail = (
                    "set COLONNADE_ADMIN_TOKEN to enable /ops" if token is None else "unauthorized"
                )
                return JSONResponse(
                    {"error": detail}, status_code=401, headers={"WWW-Authenticate": REALM}
                )
            response: Response = await fn(request)
            response.headers["Cache-Control"] = "no-store"
            return response

        return endpoint

    async def page(request: Request) -> Response:
        name, media = _FILES[request.url.path]
        return FileResponse(STATIC / name, media_type=media)

    async def status_json(_: Request) -> Response:
        return JSONResponse(status(telemetry))

    async def versions_json(_: Request) -> Response:
        return JSONResponse({"connectors": [v.as_dict() for v in telemetry.versions.values()]})

    return [
        *(Route(path, guarded(page)) for path in _FILES),
        Route("/ops/status.json", guarded(status_json)),
        Route("/ops/versions.json", guarded(versions_json)),
    ]
