"""The /graphql endpoint: Strawberry's ASGI view with Colonnade's HTTP edge plugged in.

Each step lives in its own module so later hooks (identity, authorization) slot in beside
them: ``http_request`` reads and checks the request, ``http_media`` picks the response media
type and its status, ``http_errors`` shapes every refusal as JSON with a code. This class only
wires them into Strawberry's request cycle.
"""

from __future__ import annotations

from typing import Any

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from graphql import GraphQLError
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import Receive, Scope, Send
from strawberry.asgi import GraphQL
from strawberry.exceptions import MissingQueryError
from strawberry.http import GraphQLHTTPResponse, GraphQLRequestData
from strawberry.schema.exceptions import CannotGetOperationTypeError, InvalidOperationTypeError
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType
from strawberry.types.unset import UNSET

from colonnade.errors import ErrorCode
from colonnade.events.ws_auth import authorize_connection
from colonnade.extensions import translate
from colonnade.gateway.http import principal_from
from colonnade.http_errors import HttpError, error_response, from_http_error
from colonnade.http_media import GRAPHQL_RESPONSE, is_request_error, negotiate
from colonnade.http_request import check_body_headers, graphql_request
from colonnade.observability.assets import LocalAssets
from colonnade.platform.context import RequestContext

_SUB_RESPONSE = "colonnade_sub_response"


def _has_code(error: GraphQLError) -> bool:
    return bool(error.extensions and error.extensions.get("code"))


class ColonnadeGraphQL(GraphQL[Any, None]):
    def __init__(self, services: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._services = services
        self.local_assets = LocalAssets()
        self._ide_html: str | None = None

    @property
    def graphql_ide_html(self) -> str:
        # Strawberry's page with its CDN URLs pointed at files Colonnade serves itself.
        if self._ide_html is None:
            self._ide_html = self.local_assets.localize(super().graphql_ide_html)
        return self._ide_html

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await super().__call__(scope, receive, send)
            return
        request = Request(scope, receive)
        media = negotiate(request.headers.get("accept"))
        response: Response
        try:
            response = await self.run(request)
        except HttpError as exc:
            response = from_http_error(exc, media)
        except HTTPException as exc:  # Strawberry's own, e.g. 404 for GraphiQL when it is off
            code = ErrorCode.NOT_FOUND if exc.status_code == 404 else ErrorCode.BAD_REQUEST
            response = error_response(exc.status_code, exc.reason, code, media_type=media)
        await response(scope, receive, send)

    async def get_context(self, request: Any, response: Any) -> Any:
        # Loaders are per request and created here, inside the running event loop.
        principal = None if request.scope["type"] == "websocket" else principal_from(request.scope)
        return RequestContext(
            self._services,
            request=request,
            response=response,
            principal=principal,  # set by colonnade.gateway (a WebSocket's: on_ws_connect)
        )

    async def on_ws_connect(self, context: Any) -> Any:
        """``connection_init``: one function decides (``colonnade.events.ws_auth``)."""
        context.principal = await authorize_connection(context.request, context.connection_params)
        return UNSET

    async def get_sub_response(self, request: Request | Any) -> Response:
        sub = await super().get_sub_response(request)
        sub.media_type = negotiate(request.headers.get("accept"))
        request.scope.setdefault("state", {})[_SUB_RESPONSE] = sub
        return sub

    async def parse_http_body(self, request: AsyncHTTPRequestAdapter) -> GraphQLRequestData:
        check_body_headers(request.method, request.headers)
        body = await request.get_body() if request.method == "POST" else None
        return graphql_request(request.method, request.query_params, body)  # type: ignore[arg-type]

    async def execute_single(
        self,
        request: Any,
        request_adapter: AsyncHTTPRequestAdapter,
        sub_response: Any,
        context: Any,
        root_value: Any,
        request_data: GraphQLRequestData,
    ) -> ExecutionResult:
        method = request_adapter.method
        try:
            return await self.schema.execute(
                request_data.query,
                root_value=root_value,
                variable_values=request_data.variables,
                context_value=context,
                operation_name=request_data.operation_name,
                allowed_operation_types=OperationType.from_http(method),
                operation_extensions=request_data.extensions,
            )
        except InvalidOperationTypeError as exc:
            raise HttpError(
                405,
                f"{exc.as_http_error_reason(method)}; send it with POST",
                headers={"Allow": "POST"},
            ) from None
        except CannotGetOperationTypeError as exc:
            raise HttpError(400, exc.as_http_error_reason()) from None
        except MissingQueryError:
            raise HttpError(400, "the request has no query") from None

    async def process_result(self, request: Any, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            # ErrorTranslation cannot see errors raised inside another extension's hook (a
            # syntax error from ParserCache, a crash): give those their code (or mask) here.
            result.errors = [e if _has_code(e) else translate(e) for e in result.errors]
        data = await super().process_result(request, result)
        sub = request.scope.get("state", {}).get(_SUB_RESPONSE)
        if (
            sub is not None
            and sub.media_type == GRAPHQL_RESPONSE
            and is_request_error(result.data, result.errors)
        ):
            data.pop("data", None)
            sub.status_code = sub.status_code or 400
        return data

    def create_response(
        self,
        response_data: GraphQLHTTPResponse | list[GraphQLHTTPResponse],
        sub_response: Response,
    ) -> Response:
        response = Response(
            self.encode_json(response_data),
            status_code=sub_response.status_code or 200,
            media_type=f"{sub_response.media_type or 'application/json'}; charset=utf-8",
        )
        response.headers.raw.extend(sub_response.headers.raw)
        if sub_response.background:
            response.background = sub_response.background
        return response
