"""``_entities(representations:)`` with the checks Strawberry's leaves out.

Strawberry looks a representation's ``__typename`` up unguarded (a missing or unknown one is
an internal error for the whole field) and passes every key to ``resolve_reference`` (a key
it does not take is a ``TypeError``). A representation is client input when the subgraph is
reachable directly: each one that is malformed gets its own ``BAD_USER_INPUT`` at its index,
the others still resolve, and a request carries at most ``MAX_REPRESENTATIONS`` of them
(per ``_entities`` field; each costs a loader key, and the cost analysis prices the field by
its representations). A representation needs the scopes its entity type declares
(``@requiresScopes`` on the type, which a router enforces too).
"""

from __future__ import annotations

import inspect
from collections.abc import Mapping
from typing import Any

from strawberry.types import Info

from colonnade.errors import BadUserInput
from colonnade.gateway.scopes import demand_declared

MAX_REPRESENTATIONS = 1_000


def resolve(
    info: Info[Any, Any], type_map: dict[str, Any], representations: list[Any]
) -> list[Any]:
    """One result per representation: the entity, or the awaitable of it, or its error."""
    if len(representations) > MAX_REPRESENTATIONS:
        raise BadUserInput(
            f"at most {MAX_REPRESENTATIONS} representations per request, got {len(representations)}"
        )
    return [_one(info, type_map, index, r) for index, r in enumerate(representations)]


def _one(info: Info[Any, Any], type_map: dict[str, Any], index: int, representation: Any) -> Any:
    if not isinstance(representation, dict) or not isinstance(
        representation.get("__typename"), str
    ):
        return BadUserInput(f"representation {index} is not an object with a __typename")
    name = representation["__typename"]
    found = type_map.get(name)
    definition = getattr(found, "definition", None)
    origin = getattr(definition, "origin", None)
    resolver = getattr(origin, "resolve_reference", None)
    if resolver is None:
        return BadUserInput(f"representation {index}: {name!r} is not an entity of this graph")
    keys = {k: v for k, v in representation.items() if k != "__typename"}
    odd = next((k for k, v in keys.items() if not isinstance(v, str | int | None)), None)
    if odd is not None or any(isinstance(v, bool) for v in keys.values()):
        # Every key and required field of this graph is an ID or a String (an ID may be an
        # int on the wire): anything else would reach a loader and fail its whole batch.
        return BadUserInput(f"representation {index}: `{odd or 'a key'}` must be a string")
    keys = {k: str(v) if isinstance(v, int) else v for k, v in keys.items()}
    parameters = inspect.signature(resolver).parameters
    missing = [
        n
        for n, p in parameters.items()
        if n != "info"
        and n not in keys
        and p.default is p.empty
        and p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
    ]
    if missing:
        return BadUserInput(f"representation {index}: {name} needs `{'`, `'.join(missing)}`")
    try:
        demand_declared(info, getattr(definition, "directives", None) or ())
        return resolver(**_accepted(parameters, keys, info))
    except Exception as exc:  # noqa: BLE001 - a representation's failure is its own result
        return exc


def _accepted(
    parameters: Mapping[str, inspect.Parameter], keys: dict[str, Any], info: Info[Any, Any]
) -> dict[str, Any]:
    """The keys the resolver takes (all of them if it takes ``**``), with ``info`` if asked."""
    takes_any = any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters.values())
    accepted = keys if takes_any else {k: v for k, v in keys.items() if k in parameters}
    return {**accepted, "info": info} if "info" in parameters else accepted
