"""Authorization per field: the scopes a field or mutation needs, declared on the field.

A Strawberry permission checked *before* the resolver runs, so a refused field costs no
upstream call; the field is null with a ``FORBIDDEN`` error (for a non-null field the null
travels up, as GraphQL says). The declaration is also emitted in the SDL as Apollo
Federation's ``@requiresScopes`` (and ``@authenticated``), so a federation router enforces
the same rule the subgraph does.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from strawberry.federation.schema_directives import Authenticated
from strawberry.federation.schema_directives import RequiresScopes as RequiresScopesDirective
from strawberry.permission import BasePermission, PermissionExtension
from strawberry.types import Info

from colonnade.errors import Forbidden


def principal_of(info: Info[Any, Any]) -> Any:
    return getattr(info.context, "principal", None)


class RequiresScopes(BasePermission):
    """Granted when the caller holds every scope of at least one alternative
    (federation's semantics: the outer list is OR, each inner list AND)."""

    def __init__(self, alternatives: list[list[str]]) -> None:
        self.alternatives = alternatives
        self._granted: dict[Any, bool] = {}
        self._schema_directive = RequiresScopesDirective(scopes=alternatives)  # type: ignore[misc]
        shown = " or ".join(" and ".join(a) for a in alternatives)
        self.message = f"this field needs the scope {shown}"

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        principal = principal_of(info)
        if principal is None:
            return False  # no identity was established: fail closed
        # Checked once per resolved field (100 customers -> 100 checks per list field):
        # remember the answer per principal, bounded.
        granted = self._granted.get(principal)
        if granted is None:
            granted = any(all(principal.allows(s) for s in alt) for alt in self.alternatives)
            if len(self._granted) >= 1024:
                self._granted.clear()
            self._granted[principal] = granted
        return granted

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "forbidden")


class IsAuthenticated(BasePermission):
    """Any verified client, not anonymous access."""

    message = "this field needs an authenticated client"

    def __init__(self) -> None:
        self._schema_directive = Authenticated()  # type: ignore[misc]

    def has_permission(self, source: Any, info: Info[Any, Any], **kwargs: Any) -> bool:
        principal = principal_of(info)
        return principal is not None and principal.method != "anonymous"

    def on_unauthorized(self) -> None:
        raise Forbidden(self.message or "forbidden")


def demand_declared(info: Info[Any, Any], directives: Iterable[object]) -> None:
    """The rule a type declares (``@requiresScopes`` / ``@authenticated`` on an entity),
    checked where no field carries it: a router's (or a caller's) ``_entities``."""
    checks: list[BasePermission] = []
    for directive in directives:
        if isinstance(directive, RequiresScopesDirective):
            checks.append(RequiresScopes([list(alt) for alt in directive.scopes]))
        elif isinstance(directive, Authenticated):
            checks.append(IsAuthenticated())
    for check in checks:
        if not check.has_permission(None, info):
            raise Forbidden((check.message or "forbidden").replace("this field", "this entity", 1))


def requires(*scopes: str, authenticated: bool = False) -> PermissionExtension:
    """``extensions=[requires("invoices:write")]``: all of ``scopes`` are needed."""
    permissions: list[BasePermission] = []
    if authenticated:
        permissions.append(IsAuthenticated())
    if scopes:
        permissions.append(RequiresScopes([list(scopes)]))
    return PermissionExtension(permissions=permissions, use_directives=True)
