"""Who may open a subscription connection: decided on ``connection_init``, in one function.

For now: when an admin token is configured, the payload must carry it (``{"token": …}`` or
``{"Authorization": "Bearer …"}``, compared in constant time); with none configured, every
connection is accepted (the embedded demo). Client identities (API keys per client) replace
this function's body, not its callers. A refusal closes the socket with 4403 Forbidden, as
graphql-transport-ws prescribes.
"""

from __future__ import annotations

import hmac
from typing import Any

from strawberry.exceptions import ConnectionRejectionError

from colonnade.auth import Secret


def authorize_connection(request: Any, params: dict[str, Any] | None) -> None:
    token: Secret | None = getattr(request.app.state, "admin_secret", None)
    if token is None:
        return
    given = ""
    if isinstance(params, dict):
        raw = params.get("token") or params.get("Authorization") or params.get("authorization")
        if isinstance(raw, str):
            given = raw.removeprefix("Bearer ").strip()
    if not given or not hmac.compare_digest(given.encode(), token.get().encode()):
        raise ConnectionRejectionError({"reason": "unauthorized"})
