"""The typed interfaces resolvers depend on. Swap a provider by implementing one of these.

Batch methods take many keys and answer each key with a value wrapped in ``Fetched`` (which
says whether it is stale) or with the exception for that key alone: one missing record or one
failed key never fails its neighbours in a DataLoader batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeAlias, TypeVar

from colonnade import Fetched
from colonnade.connectors.domain import (
    Customer,
    CustomerPage,
    Payment,
    PaymentDraft,
    SalesOrder,
    SalesOrderDraft,
)

T = TypeVar("T")
PerKey: TypeAlias = dict[str, Fetched[T] | BaseException]


class CustomerDirectory(Protocol):
    @property
    def name(self) -> str: ...

    async def customers_by_id(self, ids: Sequence[str]) -> PerKey[Customer | None]: ...

    async def customers_by_erp_number(self, numbers: Sequence[str]) -> PerKey[Customer | None]:
        """The customer whose ERP customer number this is (a federation key another graph
        holds); ``None``: no account has it. A malformed number fails its own key only."""
        ...

    async def customer_page(
        self, first: int, after: tuple[str, str] | None
    ) -> Fetched[CustomerPage]:
        """``after`` is the (name, id) of the last customer seen: keyset pagination."""
        ...

    async def customer_count(self) -> Fetched[int]: ...


class OrderBook(Protocol):
    @property
    def name(self) -> str: ...

    async def orders_by_customer(
        self, customer_numbers: Sequence[str]
    ) -> PerKey[list[SalesOrder]]: ...

    async def orders_by_number(self, numbers: Sequence[str]) -> PerKey[SalesOrder | None]: ...

    async def create_order(
        self, draft: SalesOrderDraft, idempotency_key: str | None
    ) -> SalesOrder: ...


class PaymentGateway(Protocol):
    @property
    def name(self) -> str: ...

    async def payments_by_customer(self, customer_ids: Sequence[str]) -> PerKey[list[Payment]]: ...

    async def payments_by_id(self, ids: Sequence[str]) -> PerKey[Payment | None]: ...

    async def create_payment(self, draft: PaymentDraft, idempotency_key: str) -> Payment: ...
