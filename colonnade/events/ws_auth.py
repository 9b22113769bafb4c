"""Who may open a subscription connection: decided on ``connection_init``, in one function.

A WebSocket client proves who it is the way an HTTP client does — an API key or a bearer JWT,
checked by the gateway's ``Authenticator`` — but browsers cannot set headers on a WebSocket,
so the ``connection_init`` payload may carry them: ``{"x-api-key": …}``,
``{"Authorization": "Bearer …"}`` or ``{"token": …}`` (the upgrade request's own headers count
too). Anonymous connections get the anonymous scopes where the deployment allows them. The
principal found is what the subscription's fields check their scopes against; a refusal closes
the socket with 4403 Forbidden, as graphql-transport-ws prescribes.
"""

from __future__ import annotations

from typing import Any

from strawberry.exceptions import ConnectionRejectionError

from colonnade.errors import BadUserInput, GatewayError


def _credentials(request: Any, params: dict[str, Any] | None) -> dict[str, str]:
    headers = {k.lower(): v for k, v in request.headers.items()}
    if isinstance(params, dict):
        key = params.get("x-api-key") or params.get("X-API-Key") or params.get("apiKey")
        authorization = params.get("Authorization") or params.get("authorization")
        token = params.get("token")
        if isinstance(key, str):
            headers["x-api-key"] = key
        if isinstance(authorization, str):
            headers["authorization"] = authorization
        elif isinstance(token, str):
            headers["authorization"] = f"Bearer {token}"
    return headers


async def authorize_connection(request: Any, params: dict[str, Any] | None) -> Any:
    """The connection's principal, or ``ConnectionRejectionError`` (closes with 4403)."""
    gateway = request.app.state.gateway
    try:
        return await gateway.authenticator.authenticate(_credentials(request, params))
    except (GatewayError, BadUserInput) as exc:
        raise ConnectionRejectionError({"reason": exc.message}) from None
