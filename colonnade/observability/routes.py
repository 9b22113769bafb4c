"""The observability routes, added to the app with one call so app.py stays small."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import structlog
from starlette.routing import Route

from colonnade.config import Settings
from colonnade.observability.assets import ASSETS_PREFIX
from colonnade.runtime import Runtime

_log = structlog.get_logger("colonnade.observability")

if TYPE_CHECKING:
    from colonnade.app import ColonnadeGraphQL


def observability_routes(
    settings: Settings, runtime: Runtime, services: Any, graphql: ColonnadeGraphQL
) -> list[Route]:
    if settings.server.graphiql:
        _ = graphql.graphql_ide_html  # register the page's assets before any browser asks
        missing = graphql.local_assets.missing()
        if missing:
            _log.warning("graphiql_assets_missing", missing=missing, fix="scripts/web-assets.sh")
    return [
        Route(f"{ASSETS_PREFIX}/{{path:path}}", graphql.local_assets.endpoint),
    ]
