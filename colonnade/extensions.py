"""Cross-cutting GraphQL concerns, each a small Strawberry schema extension.

- ``RequestDeadline``: the request's time budget, seen by every upstream call below.
- ``ErrorTranslation``: Colonnade's typed errors become ``extensions.code`` (+ connector);
  anything unexpected is logged with its traceback and masked — no stack trace, credential
  or provider body ever reaches a client.
- ``ReleaseRequestState``: a request's loaded data is freed when it ends, not at the next GC.
- ``DegradationNotice``: stale data and fallbacks served are listed in
  ``extensions.colonnade`` (``stale``, ``fallbacks``).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import structlog
from graphql import GraphQLError, GraphQLSyntaxError
from strawberry.extensions import SchemaExtension

from colonnade.degradation import DegradationReport
from colonnade.errors import ColonnadeError, ConfigError, ErrorCode, StateUnavailable
from colonnade.pipeline import deadline

_log = structlog.get_logger("colonnade.graphql")
# Errors about our own configuration or state: logged for operators, masked for clients.
_OPERATOR_ONLY = (ConfigError, StateUnavailable)


def request_deadline(seconds: float) -> type[SchemaExtension]:
    class RequestDeadline(SchemaExtension):
        def on_operation(self) -> Iterator[None]:
            with deadline.deadline_scope(seconds):
                yield

    return RequestDeadline


def _with_code(error: GraphQLError, extensions: dict[str, Any]) -> GraphQLError:
    error.extensions = {**extensions, **(error.extensions or {})}
    return error


def translate(error: GraphQLError) -> GraphQLError:
    original = error.original_error
    if original is None:
        code = ErrorCode.GRAPHQL_VALIDATION_FAILED
        if isinstance(error, GraphQLSyntaxError):
            code = ErrorCode.GRAPHQL_PARSE_FAILED
        return _with_code(error, {"code": code.value})
    if isinstance(original, GraphQLError):
        # Variable or literal coercion: graphql-core's outer message names the variable and
        # carries its location ("Variable '$n' has invalid value ..."); keep it, and take the
        # code from what the scalar raised when that is one of ours (BAD_USER_INPUT).
        root: BaseException = original
        while isinstance(root, GraphQLError) and root.original_error is not None:
            root = root.original_error
        if isinstance(root, ColonnadeError) and not isinstance(root, _OPERATOR_ONLY):
            return _with_code(error, root.as_extensions())
        inner = original.extensions or {}
        return _with_code(
            error, {"code": inner.get("code", ErrorCode.GRAPHQL_VALIDATION_FAILED.value)}
        )
    if isinstance(original, ColonnadeError) and not isinstance(original, _OPERATOR_ONLY):
        return GraphQLError(
            original.message,
            nodes=error.nodes,
            source=error.source,
            positions=error.positions,
            path=error.path,
            extensions=original.as_extensions(),
        )
    _log.error(
        "resolver_crashed",
        path=error.path,
        error=type(original).__name__,
        exc_info=original,
    )
    return GraphQLError(
        "Internal server error",
        nodes=error.nodes,
        source=error.source,
        positions=error.positions,
        path=error.path,
        extensions={"code": ErrorCode.INTERNAL.value},
    )


class ErrorTranslation(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        yield
        # Strawberry shares one error list between the result and pre_execution_errors:
        # translate (and log) each error once.
        done: dict[int, GraphQLError] = {}

        def once(error: GraphQLError) -> GraphQLError:
            if id(error) not in done:
                done[id(error)] = translate(error)
            return done[id(error)]

        result = self.execution_context.result
        if result is not None and result.errors:
            result.errors = [once(e) for e in result.errors]
        pre = self.execution_context.pre_execution_errors
        if pre:
            self.execution_context.pre_execution_errors = [once(e) for e in pre]


class ReleaseRequestState(SchemaExtension):
    """After the operation, let the request context drop what it loaded (its ``release``).

    graphql-core's execution context is a reference cycle that keeps the request context
    alive until the cyclic collector runs; releasing here frees the loaded data at once."""

    def on_operation(self) -> Iterator[None]:
        yield
        release = getattr(self.execution_context.context, "release", None)
        if callable(release):
            release()


class DegradationNotice(SchemaExtension):
    def get_results(self) -> dict[str, Any]:
        report = getattr(self.execution_context.context, "report", None)
        notice = report.as_extensions() if isinstance(report, DegradationReport) else {}
        return {"colonnade": notice} if notice else {}
