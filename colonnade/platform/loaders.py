"""DataLoaders, one set per request: a field asks a loader for a key, and the loader turns
one tick's worth of asks into one batched port call (``services.port(X).things_by_id``)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader

from colonnade.fetched import Fetched

T = TypeVar("T")

BatchCall = Callable[[Sequence[str]], Awaitable[dict[str, Fetched[T] | BaseException]]]


def _loader(call: BatchCall[Any], max_batch_size: int) -> DataLoader[str, Any]:
    async def batch(keys: list[str]) -> list[Any]:
        answers = await call(keys)
        return [_as_exception(answers[k]) for k in keys]

    return DataLoader(batch, max_batch_size=max_batch_size)


def _as_exception(value: Any) -> Any:
    """aiodataloader rejects a key when its value is an ``Exception`` instance."""
    if isinstance(value, BaseException) and not isinstance(value, Exception):
        return RuntimeError(repr(value))
    return value


class Loaders:
    """Made on first use (most requests need one or two of them) and cleared at the end of
    the request: graphql-core's execution context sits in a reference cycle that holds the
    request context, so without ``release`` every loaded object waits for the cyclic GC."""

    def __init__(self) -> None:
        self._made: dict[str, DataLoader[str, Any]] = {}

    def get(
        self, name: str, call: Callable[[], BatchCall[Any]], max_batch_size: int = 100
    ) -> DataLoader[str, Any]:
        """The request's loader ``name``; ``call`` gives its batch function when first made."""
        loader = self._made.get(name)
        if loader is None:
            loader = self._made[name] = _loader(call(), max_batch_size)
        return loader

    def release(self) -> None:
        for loader in self._made.values():
            loader.clear_all()
        self._made.clear()
