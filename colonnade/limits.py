"""Gateway limits (depth, aliases, tokens) with validation rules built once per schema.

Strawberry's QueryDepthLimiter and MaxAliasesLimiter create a new rule class per extension
instance, and instances are per request, so Strawberry's ValidationCache (keyed by the rules)
would never hit. Here the rule classes are made once, when the schema is built, and each
request's extension only adds those same classes: a repeated query is parsed and validated
once, then served from ParserCache and ValidationCache.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from strawberry.extensions import SchemaExtension
from strawberry.extensions.max_aliases import create_validator as alias_validator
from strawberry.extensions.query_depth_limiter import create_validator as depth_validator


def gateway_limits(
    *, max_depth: int, max_aliases: int, max_tokens: int
) -> Callable[[], SchemaExtension]:
    rules = (depth_validator(max_depth, None, None), alias_validator(max_aliases))

    class GatewayLimits(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            context = self.execution_context
            context.parse_options["max_tokens"] = max_tokens
            context.validation_rules = (*context.validation_rules, *rules)
            yield

    return GatewayLimits
