"""A schema extension that tells the request's observation what operation ran and how it
ended (the access log and the per-operation metrics are written by the ASGI middleware)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from colonnade.metrics import bounded_code
from colonnade.observability import context


def _codes(errors: list[GraphQLError] | None) -> list[str]:
    return [bounded_code((e.extensions or {}).get("code")) for e in errors or ()]


class ObserveOperation(SchemaExtension):
    """Must run outermost (first in the list): its exit then sees the translated errors."""

    def on_execute(self) -> Iterator[None]:
        # Known before the resolvers run, for whoever must answer a request cut short (the
        # shutdown's drain gate tells a cut mutation from a cut query).
        obs = context.observation()
        if obs is not None:
            with contextlib.suppress(RuntimeError):
                obs.operation_type = self.execution_context.operation_type.value
        yield

    def on_operation(self) -> Iterator[None]:
        yield
        obs = context.observation()
        if obs is None:
            return
        ec = self.execution_context
        obs.executed = True
        obs.parsed = ec.graphql_document is not None
        if obs.parsed:
            try:
                obs.operation_type = ec.operation_type.value
            except RuntimeError:  # no operation matches the requested operationName
                obs.operation_type = "unknown"
            obs.operation_name = ec.operation_name
        # A refused document's errors are both pre-execution errors and the result's: once.
        errors = ec.result.errors if ec.result is not None else ec.pre_execution_errors
        obs.error_codes.extend(_codes(errors))
