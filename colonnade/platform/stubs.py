"""Entity stubs: a subgraph that adds fields to an entity another subgraph owns.

In one process serving the whole graph, an extension (``Customer.salesOrders``) is added to
the type it extends and reads the domain object it hangs off. In a subgraph where the type's
owner is served elsewhere there is no such object: the router brings the entity instead, as a
representation. So the part's extension becomes what Federation 2 calls an entity stub —

    type Customer @key(fields: "id") {
      id: ID!
      erpCustomerNumber: String @external
      salesOrders: [SalesOrder!] @requires(fields: "erpCustomerNumber")
    }

— made here from the owner's type (its keys, the types of the fields the part ``needs``) and
the part's own fields, unchanged: their resolvers read the same attributes off a
``Reference`` built from the representation that they read off the domain object elsewhere.
"""

from __future__ import annotations

import copy
import re
import types
from collections.abc import Sequence
from types import SimpleNamespace
from typing import Any

import strawberry
from strawberry.federation.schema_directives import (
    Authenticated,
    Cost,
    External,
    Key,
    Requires,
)
from strawberry.federation.schema_directives import RequiresScopes as RequiresScopesDirective
from strawberry.federation.types import FieldSet
from strawberry.types.base import StrawberryObjectDefinition
from strawberry.types.field import StrawberryField
from strawberry.types.unset import UNSET
from strawberry.utils.str_converters import to_camel_case

from colonnade.errors import ConfigError

_PLAIN_FIELDS = re.compile(r"[_A-Za-z][_0-9A-Za-z]*(?:\s+[_A-Za-z][_0-9A-Za-z]*)*")
_AUTH = (RequiresScopesDirective, Authenticated)  # federation's auth directives


class Reference(SimpleNamespace):
    """An entity as a router represents it: its key and the fields a stub requires, by
    Python name; what the representation leaves out is None."""


def graphql_name(field: StrawberryField) -> str:
    return field.graphql_name or to_camel_case(field.python_name)


def keys_of(definition: StrawberryObjectDefinition) -> list[str]:
    """The field sets of the type's ``@key`` directives, in declaration order."""
    return [str(d.fields) for d in definition.directives or () if isinstance(d, Key)]


def _plain(field: StrawberryField, directives: Sequence[object]) -> StrawberryField:
    """The owner's field as data read off the reference (no resolver, same type)."""
    made = StrawberryField(
        python_name=field.python_name,
        graphql_name=field.graphql_name,
        type_annotation=field.type_annotation,
        description=field.description,
        directives=directives,
    )
    if field.base_resolver is not None:  # typed by its resolver's return annotation
        made.type = field.type
    return made


def _extended(field: StrawberryField, required: str) -> StrawberryField:
    """The extension's field on the stub. A batched cost becomes a cost per entity: the
    representations name arbitrary keys, so one batch no longer bounds the upstream work.
    ``@requires`` goes before the scopes, which a permission extension appends when a
    schema is first built: the printed SDL does not depend on what was built before."""
    made = copy.copy(field)
    kept = [_per_entity(d) for d in field.directives if not isinstance(d, _AUTH)]
    needs = [Requires(fields=FieldSet(required))] if required else []
    made.directives = [*kept, *needs, *(d for d in field.directives if isinstance(d, _AUTH))]
    return made


def _per_entity(directive: object) -> object:
    if isinstance(directive, Cost) and getattr(directive, "batched", False):
        return Cost(weight=directive.weight)
    return directive


def entity_stub(
    owner: type, needs: Sequence[str], added: Sequence[tuple[StrawberryField, Sequence[str]]]
) -> type:
    """The stub of ``owner`` serving ``added`` — each field with the owner's fields (Python
    names) its resolver reads, which the router sends along (``@requires``)."""
    definition: StrawberryObjectDefinition = owner.__strawberry_definition__  # type: ignore[attr-defined]
    fields = {f.python_name: f for f in definition.fields}
    by_graphql = {graphql_name(f): f for f in definition.fields}
    for name in needs:
        if name not in fields:
            raise ConfigError(
                f"a graph part needs {definition.name}.{name}, which it does not have"
            )
    needed = {graphql_name(fields[n]) for n in needs}
    # One key: a stub resolves only what it is given, so a second key would tell the query
    # planner it can turn one key into the other (it would plan a hop through the stub).
    keys = [
        k
        for k in keys_of(definition)
        if _PLAIN_FIELDS.fullmatch(k.strip()) and not needed.intersection(k.split())
    ][:1]
    if not keys:
        raise ConfigError(
            f"{definition.name} is extended in a subgraph that does not serve it, but has no "
            f"@key of plain fields other than those the extension needs ({', '.join(needs)})"
        )
    key_fields = [by_graphql[name] for k in keys for name in k.split() if name in by_graphql]
    stub_fields: list[StrawberryField] = []
    seen: set[str] = set()
    for field in key_fields:
        if field.python_name not in seen:
            seen.add(field.python_name)
            stub_fields.append(_plain(field, ()))
    for name in needs:
        if name not in seen:
            seen.add(name)
            stub_fields.append(_plain(fields[name], (External(),)))
    for field, reads in added:
        required = " ".join(graphql_name(fields[n]) for n in reads)
        stub_fields.append(_extended(field, required))
    python_of = {graphql_name(f): f.python_name for f in stub_fields}

    def resolve_reference(cls: type, /, **representation: Any) -> Reference:
        values = {python_of[k]: v for k, v in representation.items() if k in python_of}
        return Reference(**{name: values.get(name) for name in python_of.values()})

    def is_type_of(cls: type, obj: Any, info: Any) -> bool:
        return isinstance(obj, Reference)

    namespace: dict[str, Any] = {f.python_name: f for f in stub_fields}
    namespace["__annotations__"] = {f.python_name: f.type for f in stub_fields}
    namespace["resolve_reference"] = classmethod(resolve_reference)
    namespace["is_type_of"] = classmethod(is_type_of)
    cls = types.new_class(definition.name, (), {}, lambda ns: ns.update(namespace))
    return strawberry.type(
        cls,
        name=definition.name,
        description=definition.description,
        # The owner's own rule travels with it (@requiresScopes on the type): a stub's
        # _entities asks the caller what the owner's does.
        directives=[
            *(Key(fields=FieldSet(k), resolvable=UNSET) for k in keys),
            *(d for d in definition.directives or () if isinstance(d, _AUTH)),
        ],
    )
