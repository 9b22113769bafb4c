"""The ASGI application: /graphql (POST and GET, GraphiQL for browsers), /healthz, /readyz,
/metrics, and /admin/cache/invalidate when an admin token is configured.

Everything is built when the app is created — settings validated, connectors constructed,
WSDLs loaded — so a misconfiguration fails at start with a clear message, not on the first
request. The lifespan only closes what was opened.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from datetime import timedelta
from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute

from colonnade.admin import invalidation_endpoint
from colonnade.auth import Secret
from colonnade.config import Settings
from colonnade.draining import DrainGate, Flights
from colonnade.gateway.http import Gateway, cost_budget
from colonnade.gateway.profile import (
    CsrfPrevention,
    cors_options,
    csrf_enabled,
    graphiql_enabled,
    metrics_endpoint,
)
from colonnade.http_errors import starlette_http_error, unhandled_error
from colonnade.http_limits import BodySizeLimit
from colonnade.metrics import render as render_metrics
from colonnade.observability.routes import observe
from colonnade.platform import Registry, assemble, every_part
from colonnade.platform import graph as graph_schema
from colonnade.platform.events import build_events
from colonnade.readiness import Lifecycle, readiness
from colonnade.runtime import Runtime
from colonnade.view import ColonnadeGraphQL

PROMETHEUS_TEXT = "text/plain; version=0.0.4"


def create_app(
    settings: Settings, *, runtime: Runtime | None = None, registry: Registry | None = None
) -> Starlette:
    """``registry``: the plugins to assemble (default: every installed one)."""
    runtime = runtime or Runtime.create(settings)
    assembly = assemble(settings, runtime, registry)
    services = assembly.services
    graphql = ColonnadeGraphQL(
        services,
        schema=graph_schema.build_schema(
            assembly.parts,
            settings.server,
            settings.gateway,
            cost_budget(settings, runtime),
            known=every_part(assembly.registry),
        ),
        graphql_ide="graphiql" if graphiql_enabled(settings.server) else None,
        allow_queries_via_get=True,
        connection_init_wait_timeout=timedelta(seconds=settings.events.ws_init_timeout_s),
    )

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    # Everything is built above, so the app can serve from here on; the lifespan's end (and
    # the server's shutdown signal, see colonnade.serving) mark it draining.
    lifecycle = Lifecycle(started=True)
    # Once draining, no background refresh starts (stale cache entries, tokens ahead of expiry).
    lifecycle.on_drain.extend(
        c.stop_refreshing for c in services.closers if hasattr(c, "stop_refreshing")
    )
    flights = Flights()
    ready_checks = {c.name: c.ready for c in assembly.registry.connectors if c.ready is not None}

    async def readyz(_: Request) -> Response:
        status, body = await readiness(
            runtime, services.closers, lifecycle, services.unavailable, ready_checks
        )
        return JSONResponse(body, status_code=status)

    async def metrics(_: Request) -> Response:
        return PlainTextResponse(render_metrics(runtime.telemetry), media_type=PROMETHEUS_TEXT)

    # Inbound gateway (identity, client rate limits, persisted operations, CSRF): see
    # colonnade/gateway/. It wraps the view, inside the body-size limit.
    gateway = Gateway.from_settings(graphql, settings, runtime.backend)
    guarded: Any = CsrfPrevention(gateway) if csrf_enabled(settings.server) else gateway
    metrics_route = metrics_endpoint(settings, metrics)
    events = build_events(runtime, assembly)
    routes = [
        *events.routes,
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        *([Route("/metrics", metrics_route)] if metrics_route else []),
        Route(
            "/graphql",
            guarded,
            methods=["GET", "POST"],
        ),
        WebSocketRoute("/graphql", graphql),  # subscriptions (graphql-transport-ws)
    ]
    admin: Secret | None = None
    if settings.admin_token or settings.admin_token_file:
        admin = Secret("admin_token", settings.admin_token, settings.admin_token_file)
        routes.append(
            Route(
                "/admin/cache/invalidate", invalidation_endpoint(runtime, admin), methods=["POST"]
            )
        )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        await events.start()
        try:
            yield
        finally:
            lifecycle.drain()
            await events.aclose()
            await gateway.aclose()
            await services.aclose()
            await runtime.aclose()

    cors = cors_options(settings.server)
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={HTTPException: starlette_http_error, Exception: unhandled_error},
        # Every route's body is bounded in size and time (/graphql, /admin/*), before parsing;
        # CORS (an allow-list, when configured) answers preflights before anything else; the
        # drain gate (colonnade.draining) refuses new GraphQL work during shutdown, with CORS
        # headers a browser can read.
        middleware=[
            *([Middleware(CORSMiddleware, **cors)] if cors else []),
            Middleware(DrainGate, lifecycle=lifecycle, flights=flights),
            Middleware(
                BodySizeLimit,
                max_bytes=settings.server.max_body_bytes,
                read_timeout_s=settings.server.body_timeout_s,
            ),
        ],
    )
    observe(app, settings, runtime, services, graphql)
    app.state.runtime = runtime
    app.state.services = services
    app.state.assembly = assembly
    app.state.lifecycle = lifecycle
    app.state.flights = flights
    app.state.gateway = gateway
    app.state.events = events
    app.state.admin_secret = admin
    return app
