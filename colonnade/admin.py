"""``POST /admin/cache/invalidate``: drop cached answers by tag or key (webhooks, operators).

Body: ``{"tags": ["acme:invoice:42"], "keys": [...]}``. The route exists only when an
admin token is configured and answers 401 to anything but ``Authorization: Bearer <token>``
(compared in constant time). With Redis the invalidation reaches every replica.
"""

from __future__ import annotations

import hmac
import json
from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from colonnade.auth import Secret
from colonnade.errors import StateUnavailable
from colonnade.runtime import Runtime

_MAX_ITEMS = 1000


def invalidation_endpoint(
    runtime: Runtime, token: Secret
) -> Callable[[Request], Awaitable[Response]]:
    async def invalidate(request: Request) -> Response:
        given = request.headers.get("authorization", "")
        if not hmac.compare_digest(given.encode(), f"Bearer {token.get()}".encode()):
            return JSONResponse({"error": "unauthorized"}, status_code=401)
        try:
            body = json.loads(await request.body())
            tags = _strings(body.get("tags", []))
            keys = _strings(body.get("keys", []))
        except (ValueError, AttributeError) as exc:
            return JSONResponse({"error": f"bad request: {exc}"}, status_code=400)
        if not tags and not keys:
            return JSONResponse({"error": "give at least one of tags, keys"}, status_code=400)
        try:
            removed = await runtime.cache.invalidate(keys=keys, tags=tags, strict=True)
        except StateUnavailable:
            return JSONResponse({"error": "shared state unavailable; nothing was invalidated"}, 503)
        return JSONResponse({"removed": removed})

    return invalidate


def _strings(value: object) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValueError("tags and keys must be lists of strings")
    if len(value) > _MAX_ITEMS:
        raise ValueError(f"at most {_MAX_ITEMS} items")
    return value
