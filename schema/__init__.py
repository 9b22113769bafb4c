"""The assembled graph: roots, plus the gateway's limits and error handling."""

from __future__ import annotations

import strawberry
from strawberry.extensions import MaxAliasesLimiter, MaxTokensLimiter, QueryDepthLimiter

from colonnade.config import ServerSettings
from colonnade.extensions import DegradationNotice, ErrorTranslation, request_deadline
from schema.root import Mutation, Query


def build_schema(server: ServerSettings | None = None) -> strawberry.Schema:
    server = server or ServerSettings()
    return strawberry.Schema(
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
