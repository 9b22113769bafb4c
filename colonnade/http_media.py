"""GraphQL-over-HTTP media types: which one to answer in, and which status it implies.

The spec's ``application/graphql-response+json`` says what the status means: a *request
error* (the document did not parse or validate, a variable did not coerce — no ``data`` at
all) is a 4xx, and the body has no ``data`` entry. The legacy ``application/json`` keeps
answering 200 with ``data: null``, as clients written before the spec expect. A client gets
graphql-response+json only when it names it (with a q-value no lower than application/json's);
``*/*``, a missing Accept or anything else gets application/json.
"""

from __future__ import annotations

from typing import Any

from graphql import GraphQLError

from colonnade.errors import ErrorCode

GRAPHQL_RESPONSE = "application/graphql-response+json"
JSON = "application/json"


def _q(params: list[str]) -> float:
    for param in params:
        key, _, value = param.partition("=")
        if key.strip().lower() == "q":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 1.0


def negotiate(accept: str | None) -> str:
    if not accept:
        return JSON
    quality: dict[str, float] = {}
    for item in accept.split(","):
        media, *params = item.split(";")
        media = media.strip().lower()
        quality[media] = max(quality.get(media, 0.0), _q(params))
    wanted = quality.get(GRAPHQL_RESPONSE, 0.0)
    if wanted > 0 and wanted >= quality.get(JSON, 0.0):
        return GRAPHQL_RESPONSE
    return JSON


def is_request_error(data: Any, errors: list[GraphQLError] | None) -> bool:
    """Errors before execution started: no data, no error on a field path, none a crash."""
    if data is not None or not errors:
        return False
    return all(
        e.path is None and (e.extensions or {}).get("code") != ErrorCode.INTERNAL.value
        for e in errors
    )
