"""DataLoaders, one set per request: every field that needs a customer, a customer's orders
or payments asks a loader, and the loader turns one tick's worth of asks into one port call."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from typing import Any, TypeVar

from aiodataloader import DataLoader

from colonnade.pipeline.core import Fetched
from resolvers.services import Services

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
    def __init__(self, services: Services) -> None:
        self.customer = _loader(services.customers.customers_by_id, 200)
        self.orders_by_customer = _loader(services.orders.orders_by_customer, 100)
        self.order = _loader(services.orders.orders_by_number, 100)
        self.payments_by_customer = _loader(services.payments.payments_by_customer, 100)
        self.payment = _loader(services.payments.payments_by_id, 100)
