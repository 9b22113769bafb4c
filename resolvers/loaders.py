"""DataLoaders, one set per request: every field that needs a customer, a customer's orders
or payments asks a loader, and the loader turns one tick's worth of asks into one port call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader

from colonnade.pipeline.core import Fetched
from colonnade.resolvers.services import Services

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

    def __init__(self, services: Services) -> None:
        self._services = services
        self._made: dict[str, DataLoader[str, Any]] = {}

    def _get(self, name: str, call: BatchCall[Any], max_batch_size: int) -> DataLoader[str, Any]:
        loader = self._made.get(name)
        if loader is None:
            loader = self._made[name] = _loader(call, max_batch_size)
        return loader

    @property
    def customer(self) -> DataLoader[str, Any]:
        return self._get("customer", self._services.customers.customers_by_id, 200)

    @property
    def orders_by_customer(self) -> DataLoader[str, Any]:
        return self._get("orders_by_customer", self._services.orders.orders_by_customer, 100)

    @property
    def order(self) -> DataLoader[str, Any]:
        return self._get("order", self._services.orders.orders_by_number, 100)

    @property
    def payments_by_customer(self) -> DataLoader[str, Any]:
        return self._get("payments_by_customer", self._services.payments.payments_by_customer, 100)

    @property
    def payment(self) -> DataLoader[str, Any]:
        return self._get("payment", self._services.payments.payments_by_id, 100)

    def release(self) -> None:
        for loader in self._made.values():
            loader.clear_all()
        self._made.clear()
