"""Per-request state every resolver reaches through ``info.context``: the services, the
request's DataLoaders, the caller, and the report of stale or fallback data served (which the
response carries in ``extensions``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, TypeVar

from strawberry.types import Info

from colonnade.degradation import DegradationReport
from colonnade.fetched import Fetched
from colonnade.platform.loaders import Loaders
from colonnade.platform.services import Services

T = TypeVar("T")


@dataclass(slots=True)
class RequestContext:
    services: Services
    loaders: Loaders = field(default_factory=Loaders)
    report: DegradationReport = field(default_factory=DegradationReport)
    request: Any = None
    response: Any = None
    principal: Any = None
    """The verified caller (colonnade.gateway.identity.Principal); scopes are checked on it."""
    connection_params: dict[str, Any] | None = None
    """A WebSocket's ``connection_init`` payload (Strawberry sets it; None over HTTP)."""

    def release(self) -> None:
        """The operation is over: drop what it loaded (see ``Loaders``)."""
        self.loaders.release()


def context_of(info: Info[Any, Any]) -> RequestContext:
    """The request's context, from a resolver's ``info``."""
    ctx = info.context
    assert isinstance(ctx, RequestContext)
    return ctx


def unwrap(info: Info[Any, Any], connector: str, fetched: Fetched[T]) -> T:
    """The value; a stale one is recorded with this field's path so the client can tell."""
    if fetched.stale:
        context_of(info).report.note(info.path.as_list(), connector, fetched)
    return fetched.value
