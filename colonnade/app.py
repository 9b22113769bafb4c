"""The ASGI application: /graphql (POST and GET, GraphiQL for browsers, subscriptions over
graphql-transport-ws), /webhooks/{source}, /healthz, /readyz, /metrics, and
/admin/cache/invalidate when an admin token is configured.

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
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route, WebSocketRoute
from strawberry.asgi import GraphQL
from strawberry.types.unset import UNSET

from colonnade.admin import invalidation_endpoint
from colonnade.auth import Secret
from colonnade.config import Settings
from colonnade.errors import StateUnavailable
from colonnade.events.ws_auth import authorize_connection
from colonnade.http_limits import BodySizeLimit
from colonnade.metrics import render as render_metrics
from colonnade.runtime import Runtime

PROMETHEUS_TEXT = "text/plain; version=0.0.4"


class ColonnadeGraphQL(GraphQL[Any, None]):
    def __init__(self, services: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._services = services

    async def get_context(self, request: Any, response: Any) -> Any:
        from resolvers.context import RequestContext
        from resolvers.loaders import Loaders
        from resolvers.subscriptions import WsRequestContext

        # Loaders are per request and created here, inside the running event loop.
        kind = WsRequestContext if request.scope["type"] == "websocket" else RequestContext
        return kind(self._services, Loaders(self._services), request=request, response=response)

    async def on_ws_connect(self, context: Any) -> Any:
        """``connection_init``: one function decides (``colonnade.events.ws_auth``)."""
        authorize_connection(context.request, context.connection_params)
        return UNSET


def create_app(settings: Settings, *, runtime: Runtime | None = None) -> Starlette:
    from resolvers.services import build_services
    from schema import build_schema

    runtime = runtime or Runtime.create(settings)
    services = build_services(runtime)
    graphql = ColonnadeGraphQL(
        services,
        schema=build_schema(settings.server),
        graphql_ide="graphiql" if settings.server.graphiql else None,
        allow_queries_via_get=True,
        connection_init_wait_timeout=timedelta(seconds=settings.events.ws_init_timeout_s),
    )

    async def healthz(_: Request) -> Response:
        return JSONResponse({"status": "ok"})

    async def readyz(_: Request) -> Response:
        state = runtime.backend.name
        try:
            await runtime.backend.ping()
            state_status = "ok"
        except StateUnavailable:
            state_status = "unavailable (cache bypassed, breakers and rate limits fail open)"
        return JSONResponse(
            {
                "status": "ready",
                "connectors": ["crm", "erp", "payments"],
                "state": {state: state_status},
            }
        )

    async def metrics(_: Request) -> Response:
        return PlainTextResponse(render_metrics(runtime.telemetry), media_type=PROMETHEUS_TEXT)

    events = _events(runtime, services)
    routes = [
        *events.routes,
        Route("/healthz", healthz),
        Route("/readyz", readyz),
        Route("/metrics", metrics),
        Route(
            "/graphql",
            BodySizeLimit(graphql, settings.server.max_body_bytes),
            methods=["GET", "POST"],
        ),
        WebSocketRoute("/graphql", graphql),
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
            await events.aclose()
            await services.aclose()
            await runtime.aclose()

    app = Starlette(
        routes=routes,
        lifespan=lifespan,
    )
    app.state.runtime = runtime
    app.state.services = services
    app.state.events = events
    app.state.admin_secret = admin
    return app


def _events(runtime: Runtime, services: Any) -> Any:
    """Webhooks in, subscriptions out, the audit log (``colonnade.events``)."""
    from resolvers.events import build_events

    return build_events(runtime, services)
