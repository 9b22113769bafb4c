"""HTTP-level refusals as GraphQL-shaped JSON: one body format for every 4xx/5xx we send.

A client always gets ``{"errors": [{"message", "extensions": {"code"}}]}`` it can parse, never
Starlette's or Strawberry's ``text/plain`` reason: malformed requests, unknown routes, wrong
methods and our own crashes all go through ``error_response``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

import structlog
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.requests import Request
from starlette.responses import Response

from colonnade.errors import ErrorCode

_log = structlog.get_logger("colonnade.http")
JSON = "application/json"


class HttpError(Exception):
    """A request we refuse before GraphQL sees it; ``code`` is from ``ErrorCode``."""

    def __init__(
        self,
        status: int,
        message: str,
        code: ErrorCode = ErrorCode.BAD_REQUEST,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.message = message
        self.code = code
        self.headers = dict(headers or {})


def error_body(message: str, code: ErrorCode | str) -> bytes:
    return json.dumps(
        {"errors": [{"message": message, "extensions": {"code": str(code)}}]},
        separators=(",", ":"),
    ).encode()


def error_response(
    status: int,
    message: str,
    code: ErrorCode | str,
    headers: Mapping[str, str] | None = None,
    media_type: str = JSON,
) -> Response:
    return Response(
        error_body(message, code),
        status_code=status,
        headers=dict(headers or {}),
        media_type=f"{media_type}; charset=utf-8",
    )


def from_http_error(error: HttpError, media_type: str = JSON) -> Response:
    return error_response(error.status, error.message, error.code, error.headers, media_type)


_STATUS_CODES = {
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.BAD_REQUEST,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
}


async def starlette_http_error(request: Request, exc: Exception) -> Response:
    """Starlette's own 404/405 (unknown path, wrong method) as JSON with a code."""
    assert isinstance(exc, StarletteHTTPException)
    code = _STATUS_CODES.get(exc.status_code, ErrorCode.BAD_REQUEST)
    return error_response(exc.status_code, exc.detail, code, exc.headers)


async def unhandled_error(request: Request, exc: Exception) -> Response:
    """A bug outside GraphQL execution: logged (traceback, no locals), masked for the client."""
    _log.error(
        "http_handler_crashed", path=request.url.path, error=type(exc).__name__, exc_info=exc
    )
    return error_response(500, "Internal server error", ErrorCode.INTERNAL)
