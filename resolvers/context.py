"""Per-request state (the engine's ``RequestContext``), as resolvers reach it."""

from colonnade.platform.context import RequestContext, context_of, unwrap

__all__ = ["RequestContext", "context_of", "unwrap"]
