"""The production profile: what a public deployment switches off, and the browser defences.

``server.profile = "production"`` turns introspection and GraphiQL off, strips the
"Did you mean …?" hints (they map the schema for whoever is probing), turns on CSRF
prevention, forbids anonymous access, and puts ``/metrics`` behind the operator token.
CORS is by allow-list in any profile (Starlette's ``CORSMiddleware``).

CSRF prevention is Apollo Server's ``csrfPrevention`` rule: a browser sends a cross-site
"simple" request (GET, or POST with a form or text content type) without a preflight, so such
a request must carry a non-simple ``Content-Type`` or an ``Apollo-Require-Preflight`` /
``X-Apollo-Operation-Name`` header; anything else is refused before it is read.
"""

from __future__ import annotations

import hmac
import json
import re
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

from graphql import FieldNode, GraphQLError, ValidationRule
from graphql.validation import NoSchemaIntrospectionCustomRule
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from colonnade.auth import Secret
from colonnade.config import ServerSettings, Settings
from colonnade.errors import ErrorCode

_SIMPLE_TYPES = {"application/x-www-form-urlencoded", "multipart/form-data", "text/plain"}
_PREFLIGHT_HEADERS = (b"apollo-require-preflight", b"x-apollo-operation-name")
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?")


def is_production(server: ServerSettings) -> bool:
    return server.profile == "production"


def csrf_enabled(server: ServerSettings) -> bool:
    return server.csrf_prevention if server.csrf_prevention is not None else is_production(server)


def graphiql_enabled(server: ServerSettings) -> bool:
    return server.graphiql and not is_production(server)


class _NoServiceSdl(ValidationRule):
    """Federation's ``_service { sdl }`` is introspection by another name; in production a
    router composes from ``colonnade schema`` instead."""

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        if node.name.value == "_service":
            self.report_error(
                GraphQLError(
                    "GraphQL introspection has been disabled, but the requested query "
                    "contained the field '_service'.",
                    node,
                )
            )


class _NoIntrospection(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        context.validation_rules = (
            *context.validation_rules,
            NoSchemaIntrospectionCustomRule,
            _NoServiceSdl,
        )
        yield


class _MaskSuggestions(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        context = self.execution_context
        if context.pre_execution_errors:
            context.pre_execution_errors = [_masked(e) for e in context.pre_execution_errors]
        if context.result is not None and context.result.errors:
            context.result.errors = [_masked(e) for e in context.result.errors]


def _masked(error: GraphQLError) -> GraphQLError:
    message = _SUGGESTION.sub("", error.message)
    if message == error.message:
        return error
    return GraphQLError(
        message,
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions=error.extensions,
    )


def production_rules(server: ServerSettings) -> list[type[SchemaExtension]]:
    return [_NoIntrospection, _MaskSuggestions] if is_production(server) else []


class CsrfPrevention:
    """ASGI middleware for the GraphQL route (Apollo's ``csrfPrevention`` rule)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] == "OPTIONS" or _preflighted(scope):
            await self.app(scope, receive, send)
            return
        if is_ide_page(scope):  # the GraphiQL page runs nothing; its own requests are JSON
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {
                "errors": [
                    {
                        "message": "this request has been blocked as a potential CSRF: send "
                        "Content-Type: application/json, or an Apollo-Require-Preflight header",
                        "extensions": {"code": ErrorCode.CSRF_PREVENTED.value},
                    }
                ]
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 400,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})


def is_ide_page(scope: Scope) -> bool:
    """GraphiQL's HTML page: a GET asking for HTML with no query string."""
    if scope["method"] != "GET" or scope.get("query_string"):
        return False
    return b"text/html" in dict(scope["headers"]).get(b"accept", b"")


def _preflighted(scope: Scope) -> bool:
    headers = dict(scope["headers"])
    if any(h in headers for h in _PREFLIGHT_HEADERS):
        return True
    content_type = headers.get(b"content-type")
    if content_type is None:
        return False  # a GET, or a POST a browser could send as a form
    media = content_type.decode("latin-1").split(";")[0].strip().lower()
    return media not in _SIMPLE_TYPES


Endpoint = Callable[[Request], Awaitable[Response]]


def operator_only(endpoint: Endpoint, token: Secret) -> Endpoint:
    """``/metrics`` in production: only with ``Authorization: Bearer <admin token>``."""

    async def guarded(request: Request) -> Response:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token.get()}".encode()):
            return JSONResponse(
                {"error": "unauthorized", "code": ErrorCode.UNAUTHENTICATED.value},
                status_code=401,
                headers={"www-authenticate": "Bearer"},
            )
        return await endpoint(request)

    return guarded


def metrics_endpoint(settings: Settings, endpoint: Endpoint) -> Endpoint | None:
    """Open in development; behind the admin token in production; absent there without one."""
    if not is_production(settings.server):
        return endpoint
    if not (settings.admin_token or settings.admin_token_file):
        return None
    return operator_only(
        endpoint, Secret("admin_token", settings.admin_token, settings.admin_token_file)
    )


def cors_options(server: ServerSettings) -> dict[str, Any] | None:
    """Keyword arguments for Starlette's CORSMiddleware, or None when no origin is allowed."""
    if not server.cors_allow_origins:
        return None
    return {
        "allow_origins": server.cors_allow_origins,
        "allow_methods": ["GET", "POST", "OPTIONS"],
        "allow_headers": [
            "content-type",
            "authorization",
            "x-api-key",
            "apollo-require-preflight",
            "x-apollo-operation-name",
        ],
        "expose_headers": ["ratelimit", "ratelimit-policy", "retry-after"],
        "max_age": 600,
    }
