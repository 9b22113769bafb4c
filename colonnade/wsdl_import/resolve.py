"""What the generated graph code of an imported WSDL calls at request time (kept here, not in
each generated module, so a fix reaches every imported service without regenerating).

The generated resolvers hand the connector plain values keyed by GraphQL names
(``values.to_zeep``'s contract) and turn its plain GraphQL value back into the generated
Strawberry types; enums travel by their GraphQL names in between, which is also what the
cache stores.
"""

from __future__ import annotations

import datetime as dt
import enum
import functools
import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any, TypeVar

from strawberry import UNSET
from strawberry.types import Info
from strawberry.types.base import has_object_definition

from colonnade.errors import UpstreamContractViolation
from colonnade.platform.context import context_of, unwrap
from colonnade.platform.loaders import BatchCall

T = TypeVar("T")
_LOADER_BATCH = 1_000  # the connector splits a batch by its own max_keys
E = TypeVar("E", bound=enum.Enum)


async def read(
    info: Info[Any, Any], connector: str, operation: str, args: Mapping[str, Any]
) -> Any:
    """A read through the connector's pipeline (cached by tier, coalesced, batched)."""
    fetched = await context_of(info).services.connector(connector).read(operation, plain(args))
    return unwrap(info, connector, fetched)


async def read_key(
    info: Info[Any, Any], connector: str, operation: str, key: str, args: Mapping[str, Any]
) -> Any:
    """One key's records of a batched operation: the keys the fields of one request ask for
    (with the same other arguments) become one ``read_keys`` call, through a DataLoader."""
    context = context_of(info)
    service = context.services.connector(connector)
    rest = plain(args)
    name = f"wsdl:{connector}:{operation}:{json.dumps(rest, sort_keys=True, default=str)}"

    def batch() -> BatchCall[Any]:
        return lambda keys: service.read_keys(operation, keys, rest)

    fetched = await context.loaders.get(name, batch, max_batch_size=_LOADER_BATCH).load(key)
    return unwrap(info, connector, fetched)


async def write(
    info: Info[Any, Any],
    connector: str,
    operation: str,
    args: Mapping[str, Any],
    idempotency_key: str | None,
) -> Any:
    """A write: sent once per idempotency key, never retried blindly."""
    service = context_of(info).services.connector(connector)
    return await service.write(operation, plain(args), idempotency_key)


def plain(value: Any) -> Any:
    """Strawberry input → plain values by GraphQL name; unset fields are left out (absent on
    the wire), an explicit null stays (``xsi:nil`` where the element is nillable)."""
    if isinstance(value, Mapping):
        return {k: plain(v) for k, v in value.items() if not _unset(v)}
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, enum.Enum):
        return _names(type(value))[1].get(value.value, value.name)
    if has_object_definition(value):
        definition = value.__strawberry_definition__
        return {
            f.graphql_name or f.python_name: plain(getattr(value, f.python_name))
            for f in definition.fields
            if not _unset(getattr(value, f.python_name))
        }
    return value


def _unset(value: Any) -> bool:
    return value is UNSET


@functools.cache
def _names(cls: type[enum.Enum]) -> tuple[dict[str, Any], dict[Any, str]]:
    """(GraphQL name → XML value, XML value → GraphQL name) of a generated enum."""
    definition = cls.__strawberry_definition__  # type: ignore[attr-defined]
    by_name = {v.name: v.value for v in definition.values}
    return by_name, {raw: name for name, raw in by_name.items()}


def enum_of(connector: str, cls: type[E], name: Any) -> E | None:
    """The member for a GraphQL enum name; a value the WSDL does not list is the provider
    breaking its contract (a typed error on that field, not a wrong answer)."""
    if name is None:
        return None
    by_name = _names(cls)[0]
    if name not in by_name:
        raise UpstreamContractViolation(
            f"{connector} sent {str(name)[:60]!r}, which is not a value of "
            f"{cls.__strawberry_definition__.name}",  # type: ignore[attr-defined]
            connector=connector,
        )
    return cls(by_name[name])


def date_of(connector: str, value: Any) -> dt.date | None:
    """A date from the connector's ISO text (the cache stores text); zeep has already
    dropped an ``xs:date``'s offset (a known gap, see the README)."""
    if value is None or isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise UpstreamContractViolation(
            f"a date the provider sent is not one: {str(value)[:40]!r}", connector=connector
        ) from None


def datetime_of(connector: str, value: Any) -> dt.datetime | None:
    """A datetime from ISO text, its time zone kept (``+02:00`` stays ``+02:00``)."""
    if value is None or isinstance(value, dt.datetime):
        return value
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        raise UpstreamContractViolation(
            f"a dateTime the provider sent is not one: {str(value)[:40]!r}", connector=connector
        ) from None


def one(build: Callable[[Any], T], value: Any) -> T | None:
    return None if value is None else build(value)


def many(build: Callable[[Any], T], values: Iterable[Any] | None) -> list[T]:
    """``[]`` for an absent list, never ``null``; items the provider left empty are dropped
    (``values.to_graphql`` already does, this keeps an edited mapping honest too)."""
    return [build(v) for v in values or () if v is not None]
