"""The assembled graph: roots, plus the gateway's limits and error handling."""

from __future__ import annotations

import strawberry
from graphql import GraphQLError
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter
from strawberry.types import ExecutionContext

from colonnade.config import ServerSettings
from colonnade.extensions import DegradationNotice, ErrorTranslation, request_deadline
from schema.root import Mutation, Query


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
        query=Query,
        mutation=Mutation,
        extensions=[
            lambda: QueryDepthLimiter(max_depth=server.max_query_depth),
            lambda: MaxAliasesLimiter(max_alias_count=50),
            lambda: MaxTokensLimiter(max_token_count=5_000),
            request_deadline(server.request_deadline_s),
            ErrorTranslation,
            DegradationNotice,
        ],
    )


__all__ = ["build_schema"]
