"""The assembled graph: roots, plus the gateway's limits and error handling."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from colonnade.config import ServerSettings
from colonnade.extensions import (
    DegradationNotice,
    ErrorTranslation,
    ReleaseRequestState,
    request_deadline,
)
from colonnade.limits import gateway_limits
from schema.root import Mutation, Query
from schema.sensors import SensorQuery
from schema.subscriptions import Subscription

_QUERY_CACHE_SIZE = 1_000  # distinct query texts kept parsed and validated (LRU)


class ColonnadeSchema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry would log every error with a traceback. Ours are logged where they are
        understood: bugs by ``ErrorTranslation`` (with traceback), upstream failures by their
        ``upstream_call`` line; a client's bad query is not an operator's problem."""


def build_schema(server: ServerSettings | None = None) -> strawberry.Schema:
    server = server or ServerSettings()
    return ColonnadeSchema(
        query=merge_types("Query", (Query, SensorQuery)),
        mutation=Mutation,
        subscription=Subscription,
        extensions=[
            gateway_limits(
                max_depth=server.max_query_depth,
                max_aliases=server.max_aliases,
                max_tokens=server.max_tokens,
            ),
            # Parsing and validating a repeated query once is most of a cached hit's cost.
            lambda: ParserCache(maxsize=_QUERY_CACHE_SIZE),
            lambda: ValidationCache(maxsize=_QUERY_CACHE_SIZE),
            request_deadline(server.request_deadline_s),
            ErrorTranslation,
            DegradationNotice,
            ReleaseRequestState,
        ],
    )


__all__ = ["build_schema"]
