"""The schema, assembled from the graph parts in this deployment, with the gateway's limits.

Strawberry has no ``extend type`` across modules (its federation ``extend=True`` only prints
the keyword for a router), so ``GraphPart.extends`` is done here: for each build, the target
type gets a fresh definition whose fields are its own plus the extending parts'. A fresh one,
not an edited one: a schema built earlier keeps the definition it was built from.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Sequence
from typing import Any

import strawberry
import strawberry.federation
from graphql import GraphQLError
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.federation.schema import FederationAny
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext, Info
from strawberry.types.base import StrawberryObjectDefinition

from colonnade.config import GatewaySettings, ServerSettings
from colonnade.errors import ConfigError
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
from colonnade.platform.plugin import GraphPart
from colonnade.platform.representations import resolve as representations_resolve
from colonnade.platform.stubs import entity_stub

_QUERY_CACHE_SIZE = 1_000  # distinct query texts kept parsed and validated (LRU)
_OWN_DEFINITION: dict[type, StrawberryObjectDefinition] = {}


class ColonnadeSchema(strawberry.federation.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Strawberry would log every error with a traceback. Ours are logged where they are
        understood: bugs by ``ErrorTranslation`` (with traceback), upstream failures by their
        ``upstream_call`` line; a client's bad query is not an operator's problem."""

    def entities_resolver(
        self, info: Info[Any, Any], representations: list[FederationAny]
    ) -> list[FederationAny]:
        return representations_resolve(info, self.schema_converter.type_map, representations)


def _definition(cls: type) -> StrawberryObjectDefinition:
    definition = getattr(cls, "__strawberry_definition__", None)
    if not isinstance(definition, StrawberryObjectDefinition):
        raise ConfigError(f"{cls.__qualname__} is not a Strawberry type: it cannot be extended")
    return definition


def exported_types(parts: Iterable[GraphPart]) -> dict[str, type]:
    """GraphQL type name → class, for every type a part offers for extension."""
    return {_definition(t).name: t for part in parts for t in part.exports}


def extension_target(part: GraphPart, named: type | str, exported: dict[str, type]) -> type:
    """The type ``part`` extends: named by its class, or by the GraphQL name a part exports."""
    if not isinstance(named, str):
        return named
    if named not in exported:
        raise ConfigError(
            f"graph part {part.name!r} extends {named!r}, which no part exports "
            f"(exported: {', '.join(sorted(exported)) or 'none'})"
        )
    return exported[named]


def _owners(parts: Iterable[GraphPart]) -> dict[type, str]:
    """Entity type → the part that owns (and resolves) it."""
    return {entity: part.name for part in parts for entity in part.entities}


def apply_extensions(parts: Sequence[GraphPart], known: Iterable[GraphPart] = ()) -> list[type]:
    """Give every extended type its own fields plus those of the parts in this build.
    ``known``: every installed part (a target named by a part that is left out is still
    found, so a missing target is a typo, not a configuration). An extended entity whose
    owner is not in this build is served as a stub: returned, for the schema to include."""
    known = [*parts, *known]
    exported = exported_types(known)
    in_build = {part.name for part in parts}
    owners = _owners(known)
    added: dict[type, list[Any]] = {}
    stubbed: dict[type, list[tuple[Any, tuple[str, ...]]]] = {}
    owner: dict[tuple[type, str], str] = {}
    for part in parts:
        for named, extension in part.extends.items():
            target = extension_target(part, named, exported)
            needs = tuple(part.needs.get(named, part.needs.get(target, ())))
            for new in _definition(extension).fields:
                first = owner.setdefault((target, new.python_name), part.name)
                if first != part.name:
                    raise ConfigError(
                        f"graph parts {first!r} and {part.name!r} both add "
                        f"{_definition(target).name}.{new.python_name}"
                    )
                if target in owners and owners[target] not in in_build:
                    stubbed.setdefault(target, []).append((new, needs))
                else:
                    added.setdefault(target, []).append(new)
    for target in {*added, *_OWN_DEFINITION}:
        own = _OWN_DEFINITION.setdefault(target, _definition(target))
        extra = added.get(target, [])
        names = {f.python_name for f in own.fields}
        clash = next((f.python_name for f in extra if f.python_name in names), None)
        if clash is not None:
            raise ConfigError(f"a graph part adds {target.__name__}.{clash}, which it has already")
        target.__strawberry_definition__ = dataclasses.replace(  # type: ignore[attr-defined]
            own, fields=[*own.fields, *extra]
        )
    return [
        entity_stub(target, sorted({n for _, needs in fields for n in needs}), fields)
        for target, fields in stubbed.items()
    ]


def _merged(name: str, types: Sequence[type]) -> type | None:
    if not types:
        return None
    return merge_types(name, tuple(types))


def build_schema(
    parts: Sequence[GraphPart],
    server: ServerSettings | None = None,
    gateway: GatewaySettings | None = None,
    cost_budget: ClientCostBudget | None = None,
    known: Sequence[GraphPart] = (),
) -> strawberry.Schema:
    server = server or ServerSettings()
    gateway = gateway or GatewaySettings()
    stubs = apply_extensions(parts, known)
    query = _merged("Query", [p.query for p in parts if p.query is not None])
    scalars: dict[object, Any] = {}
    for part in parts:
        for python_type, definition in part.scalars.items():
            if scalars.setdefault(python_type, definition) is not definition:
                raise ConfigError(f"graph part {part.name!r} declares {python_type!r} again")
    if query is None:
        raise ConfigError(
            "nothing to serve: every graph part is left out (its connectors are disabled or "
            "not configured); configure a connector or set graph.unavailable_fields = 'error'"
        )
    # A federation v2.9 subgraph schema: the scopes and costs declared on fields are printed
    # as @requiresScopes / @authenticated / @cost / @listSize for a router to enforce too.
    return ColonnadeSchema(
        query=query,
        mutation=_merged("Mutation", [p.mutation for p in parts if p.mutation is not None]),
        subscription=_merged(
            "Subscription", [p.subscription for p in parts if p.subscription is not None]
        ),
        types=stubs,
        federation_version="2.9",
        config=StrawberryConfig(scalar_map=scalars),
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


def full_schema(
    server: ServerSettings | None = None, gateway: GatewaySettings | None = None
) -> strawberry.Schema:
    """Every installed part, whatever a deployment configures: the graph ``colonnade schema``
    publishes (and tests and benchmarks query)."""
    from colonnade.platform.assembly import every_part

    return build_schema(every_part(), server, gateway)
