"""The assembled graph: roots, plus the gateway's limits and error handling."""

from __future__ import annotations

import strawberry
import strawberry.federation
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from colonnade.config import GatewaySettings, ServerSettings
from colonnade.extensions import (
    DegradationNotice,
    ErrorTranslation,
    ReleaseRequestState,
    request_deadline,
)
from colonnade.gateway.client_limits import ClientCostBudget
from colonnade.gateway.cost import cost_limit
from colonnade.gateway.profile import production_rules
from colonnade.limits import gateway_limits
from colonnade.schema.root import Mutation, Query
from colonnade.schema.sensors import SensorQuery
from colonnade.schema.subscriptions import Subscription

_QUERY_CACHE_SIZE = 1_000  # distinct query texts kept parsed and validated (LRU)


class ColonnadeSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry would log every error with a traceback. Ours are logged where they are
        understood: bugs by ``ErrorTranslation`` (with traceback), upstream failures by their
        ``upstream_call`` line; a client's bad query is not an operator's problem."""


def build_schema(
    server: ServerSettings | None = None,
    gateway: GatewaySettings | None = None,
    cost_budget: ClientCostBudget | None = None,
) -> strawberry.Schema:
    server = server or ServerSettings()
    gateway = gateway or GatewaySettings()
    # A federation v2.9 subgraph schema: the scopes and costs declared on fields are printed
    # as @requiresScopes / @authenticated / @cost / @listSize for a router to enforce too.
    return ColonnadeSchema(
        query=merge_types("Query", (Query, SensorQuery)),
        mutation=Mutation,
        federation_version="2.9",
        subscription=Subscription,
        extensions=[
            *production_rules(server),
            cost_limit(gateway.max_cost, cost_budget),
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
