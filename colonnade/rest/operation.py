"""One REST operation, declared as a class attribute of its connector.

``RestOperation("GET", "/v1/things/{key}", WireThing, to_thing, tier="short")`` is
generic over what a call returns: ``map``'s result (or the wire model itself without one),
and a list of it when the operation has ``pages``. The domain type — the cache's codec — is
read from ``map``'s return annotation (``result=`` when a lambda cannot say).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import (
    Any,
    Generic,
    Literal,
    Optional,
    TypedDict,
    TypeVar,
    Unpack,
    cast,
    get_type_hints,
    overload,
)

from pydantic import TypeAdapter

from colonnade.errors import BadUserInput, ConfigError
from colonnade.pipeline.operation import Kind, Operation
from colonnade.rest import templates
from colonnade.rest.batching import Batching
from colonnade.rest.pagination import Pagination

R = TypeVar("R")
W = TypeVar("W")
D = TypeVar("D")
Method = Literal["GET", "POST", "PUT", "PATCH", "DELETE"]
Model = type[W] | TypeAdapter[W]


@dataclass(frozen=True, slots=True)
class Keys:
    """Which keys an operation accepts (``Keys(r"pi_[A-Za-z0-9]{1,64}", "a payment id")``):
    any other is that key's ``BadUserInput``, before any call."""

    pattern: str
    what: str

    def refuse(self, key: str) -> BadUserInput | None:
        if re.fullmatch(self.pattern, key):
            return None
        return BadUserInput(f"{key!r} is not {self.what}")


class Options(TypedDict, total=False):
    name: str
    """The operation's name in metrics, traces and config (default: the attribute's name)."""
    params: Mapping[str, Any]
    headers: Mapping[str, str]
    body: Mapping[str, Any] | Sequence[str]
    """Fields as templates, or the names of arguments sent as they are."""
    form: bool
    """Send ``body`` form-encoded (default: JSON)."""
    batch: Batching
    kind: Kind
    """Default: a GET is a read, anything else a write (a batch read by POST says READ)."""
    tier: str
    tags: Sequence[str]
    """Cache tags of a read, as templates (``"acme:invoice:{key}"``)."""
    invalidates: Sequence[str]
    """Tags a write makes wrong, as templates over its arguments."""
    last_known_good_s: float
    keys: Keys
    idempotency_header: str
    """The provider honours idempotency keys in this header (``Idempotency-Key``)."""
    version: str
    result: Any
    """The domain type, when ``map``'s return annotation cannot say it."""


class RestOperation(Generic[R]):
    @overload
    def __init__(
        self: RestOperation[W],
        method: Method,
        path: str,
        model: Model[W],
        *,
        pages: None = None,
        **options: Unpack[Options],
    ) -> None: ...
    @overload
    def __init__(
        self: RestOperation[D],
        method: Method,
        path: str,
        model: Model[W],
        map: Callable[[W], D],
        *,
        pages: None = None,
        **options: Unpack[Options],
    ) -> None: ...
    @overload
    def __init__(
        self: RestOperation[list[W]],
        method: Method,
        path: str,
        model: Model[W],
        *,
        pages: Pagination,
        **options: Unpack[Options],
    ) -> None: ...
    @overload
    def __init__(
        self: RestOperation[list[D]],
        method: Method,
        path: str,
        model: Model[W],
        map: Callable[[W], D],
        *,
        pages: Pagination,
        **options: Unpack[Options],
    ) -> None: ...
    def __init__(
        self,
        method: Method,
        path: str,
        model: Model[Any],
        map: Callable[[Any], Any] | None = None,
        *,
        pages: Pagination | None = None,
        **options: Unpack[Options],
    ) -> None:
        self.method = method
        self.path = path
        self.wire: TypeAdapter[Any] = (
            model if isinstance(model, TypeAdapter) else TypeAdapter(model)
        )
        self.map: Callable[[Any], Any] = map if map is not None else _identity
        self.pages = pages
        self.batch = options.get("batch")
        self.params = options.get("params", {})
        self.headers = options.get("headers", {})
        body = options.get("body")
        self.body = body if body is None or isinstance(body, Mapping) else _named(body)
        self.form = options.get("form", False)
        self.tags = tuple(options.get("tags", ()))
        self.invalidates = tuple(options.get("invalidates", ()))
        self.keys = options.get("keys")
        self.idempotency_header = options.get("idempotency_header")
        self._name = options.get("name")
        self._options = options
        self._item_type: Any = options.get("result") or _result_type(model, map)
        self._operation: Operation | None = None

    def __set_name__(self, owner: type, attr: str) -> None:
        if self._name is None:
            self._name = attr

    def bind(self, connector: str) -> None:
        """Called for each operation of a connector class: from here on it has an
        ``Operation`` (what the pipeline, cache and config know it by)."""
        if self._name is None:
            raise ConfigError(f"an operation of {connector!r} needs name=")
        if self._operation is not None and self._operation.connector != connector:
            raise ConfigError(f"{self._name!r} is already {self._operation.connector}'s")
        o = self._options
        self._operation = Operation(
            connector,
            self._name,
            kind=o.get("kind", Kind.READ if self.method == "GET" else Kind.WRITE),
            tier=o.get("tier"),
            native_idempotency="idempotency_header" in o,
            last_known_good_s=o.get("last_known_good_s", 0.0),
            version=o.get("version", "1"),
        )

    @property
    def operation(self) -> Operation:
        if self._operation is None:
            raise ConfigError(f"{self._name!r} is not declared on a RestConnector with a name")
        return self._operation

    # ------------------------------------------------------------------ codecs of the result
    @cached_property
    def codec(self) -> TypeAdapter[R]:
        """What a call returns, for the cache: the item, or a list of items with ``pages``."""
        shape: Any = self._item_type
        return cast(TypeAdapter[R], TypeAdapter(list[shape] if self.pages is not None else shape))

    @cached_property
    def optional_codec(self) -> TypeAdapter[R | None]:
        optional: Any = Optional[self._item_type]  # noqa: UP045 - built at run time
        return cast(TypeAdapter[R | None], TypeAdapter(optional))

    def tags_for(self, ns: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(str(templates.render(t, ns)) for t in self.tags)

    def invalidates_for(self, ns: Mapping[str, Any]) -> tuple[str, ...]:
        return tuple(str(templates.render(t, ns)) for t in self.invalidates)

    def __repr__(self) -> str:
        return f"RestOperation({self.method} {self.path}, name={self._name!r})"


def _named(names: Sequence[str]) -> dict[str, str]:
    return {name: "{" + name + "}" for name in names}


def _identity(value: Any) -> Any:
    return value


def _result_type(model: Model[Any], map: Callable[[Any], Any] | None) -> Any:
    if map is not None:
        try:
            return get_type_hints(map)["return"]
        except (KeyError, NameError, TypeError):
            raise ConfigError(
                f"map {getattr(map, '__name__', map)!r} has no return annotation: pass result="
            ) from None
    if isinstance(model, TypeAdapter):
        return model._type
    return model
