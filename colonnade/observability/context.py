"""What one GraphQL request did, collected while it runs (a context variable).

The access log line and the request's metrics are written when the response is done; the
pieces come from far apart — the upstream attempts from the pipeline, the operation name from
the GraphQL executor — so each writes into the current request's ``RequestObservation``.
DataLoader batches and coalesced calls run in tasks created inside the request, which inherit
the variable.
"""

from __future__ import annotations

import contextvars
import re
import secrets
from collections import Counter
from dataclasses import dataclass, field

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")


def request_id_from(header: str | None) -> str:
    """The client's ``X-Request-Id`` when well-formed (so its logs and ours join), else ours."""
    if header and _REQUEST_ID.match(header):
        return header
    return secrets.token_hex(16)


@dataclass(slots=True)
class RequestObservation:
    request_id: str
    client: str | None = None
    operation_type: str = "unknown"
    operation_name: str | None = None
    executed: bool = False
    """The GraphQL executor saw this request (not the IDE page, not a 400/413 before it)."""
    parsed: bool = False
    error_codes: list[str] = field(default_factory=list)
    upstream_calls: Counter[str] = field(default_factory=Counter)
    """Attempts per connector made while answering this request."""


current: contextvars.ContextVar[RequestObservation | None] = contextvars.ContextVar(
    "colonnade_request", default=None
)


def observation() -> RequestObservation | None:
    return current.get()
