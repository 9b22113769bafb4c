"""Observability wired into the app with one call, so app.py stays small: routes, the
request middleware, the operation extension, and the connectors registered with telemetry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog
from starlette.applications import Starlette
from starlette.routing import Route

from colonnade.auth import Secret
from colonnade.config import Settings
from colonnade.observability.assets import ASSETS_PREFIX
from colonnade.observability.graphql_ext import ObserveOperation
from colonnade.observability.ops import ops_routes
from colonnade.observability.requests import RequestObserver
from colonnade.runtime import Runtime

_log = structlog.get_logger("colonnade.observability")

if TYPE_CHECKING:
    from colonnade.view import ColonnadeGraphQL


def connectors_of(services: Any) -> list[Any]:
    """The built connectors (anything with a name and a pipeline), in build order."""
    return [c for c in getattr(services, "closers", ()) if hasattr(c, "pipeline")]


def observe(
    app: Starlette, settings: Settings, runtime: Runtime, services: Any, graphql: ColonnadeGraphQL
) -> None:
    telemetry = runtime.telemetry
    for connector in connectors_of(services):
        telemetry.register_connector(
            connector.name, connector.api_version, connector.settings.bulkhead.max_concurrent
        )
        for op in connector.operations:
            for breaker in connector.pipeline.caller.breakers_of(op):
                telemetry.breaker_seen(connector.name, breaker.key, "closed")
    schema = graphql.schema
    schema.extensions = (ObserveOperation, *schema.extensions)  # type: ignore[attr-defined]
    app.add_middleware(RequestObserver, telemetry=telemetry)
    if settings.server.graphiql:
        _ = graphql.graphql_ide_html  # register the page's assets before any browser asks
        missing = graphql.local_assets.missing()
        if missing:
            _log.warning("graphiql_assets_missing", missing=missing, fix="scripts/web-assets.sh")
    app.router.routes.append(Route(f"{ASSETS_PREFIX}/{{path:path}}", graphql.local_assets.endpoint))
    token = (
        Secret("admin_token", settings.admin_token, settings.admin_token_file)
        if settings.admin_token or settings.admin_token_file
        else None
    )
    app.router.routes.extend(ops_routes(telemetry, token))
