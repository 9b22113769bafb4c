"""The unified graph's types. Resolvers hand back domain models, which these types read by
attribute (Strawberry resolves a field by ``getattr``), so no copy is made per object; the
nested fields delegate to ``resolvers``."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from colonnade.connectors import domain
from colonnade.gateway import cost, requires
from colonnade.resolvers import entities, queries


def _is(model: type) -> Any:
    """``is_type_of`` for an entity whose resolvers hand back ``model``: how the ``_Entity``
    union tells its members apart."""
    return classmethod(lambda cls, obj, info: isinstance(obj, model))


SalesOrderStatus = strawberry.enum(
    domain.SalesOrderStatus, description="Overall status of a sales order."
)
PaymentStatus = strawberry.enum(domain.PaymentStatus, description="Lifecycle state of a payment.")


@strawberry.federation.type(
    description="An amount of money in one currency (ISO 4217). Exact decimal, as a string.",
    shareable=True,  # a value type: every subgraph with orders or payments serves it
)
class Money:
    amount: Decimal
    currency: str


@strawberry.type
class SalesOrderItem:
    position: int
    material: str
    description: str | None
    quantity: Decimal
    unit: str | None
    net_value: Money


@strawberry.federation.type(
    description="A sales order in the ERP.",
    keys=["number"],
    requires_scopes=[["orders:read"]],  # as salesOrder(number:): for _entities and routers
)
class SalesOrder:
    number: strawberry.ID
    customer_number: str
    date: date
    purchase_order: str | None
    net_value: Money
    status: SalesOrderStatus  # type: ignore[valid-type]
    items: list[SalesOrderItem]

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], number: strawberry.ID) -> Any:
        return await entities.sales_order(info, number)

    is_type_of = _is(domain.SalesOrder)


@strawberry.federation.type(
    description="A payment at the payment provider.",
    keys=["id"],
    requires_scopes=[["payments:read"]],  # as payment(id:): for _entities and routers
)
class Payment:
    id: strawberry.ID
    amount: Money
    status: PaymentStatus  # type: ignore[valid-type]
    created_at: datetime
    description: str | None

    @classmethod
    async def resolve_reference(cls, info: Info[Any, Any], id: strawberry.ID) -> Any:
        return await entities.payment(info, id)

    is_type_of = _is(domain.Payment)


@strawberry.federation.type(
    description="A customer, as the CRM knows it, joined with the ERP and payments.",
    keys=["id", "erpCustomerNumber"],  # another graph may know a customer by either
    # As customer(id:): a router asks it of any subgraph that returns a Customer (and each
    # subgraph's _entities checks it), not only of the root fields that declare it.
    requires_scopes=[["customers:read"]],
)
class Customer:
    id: strawberry.ID
    name: str
    account_number: str | None
    industry: str | None
    phone: str | None
    website: str | None
    city: str | None
    country: str | None
    created_at: datetime | None

    @strawberry.field(description="The customer's number in the ERP; null if it has none.")
    def erp_customer_number(self) -> str | None:
        return queries.link(self, "erp_customer_number")  # type: ignore[arg-type]

    @strawberry.field(description="The customer's id at the payment provider; null if none.")
    def payment_customer_id(self) -> str | None:
        return queries.link(self, "payment_customer_id")  # type: ignore[arg-type]

    @classmethod
    async def resolve_reference(
        cls,
        info: Info[Any, Any],
        id: strawberry.ID | None = None,
        erpCustomerNumber: str | None = None,  # the representation's own (GraphQL) name
    ) -> Any:
        return await entities.customer(info, id, erpCustomerNumber)

    is_type_of = _is(domain.Customer)


@strawberry.type
class CustomerOrders:
    """``Customer.salesOrders``: in the graph where an ``OrderBook`` is."""

    @strawberry.field(
        description="Sales orders from the ERP; null (with an error) if it failed.",
        extensions=[requires("orders:read")],
        directives=cost(1, batched=True),  # one batch
    )
    async def sales_orders(self, info: Info[Any, Any]) -> list[SalesOrder] | None:
        return await queries.orders_of(info, self)  # type: ignore[arg-type,return-value]


@strawberry.type
class CustomerPayments:
    """``Customer.payments``: in the graph where a ``PaymentGateway`` is."""

    @strawberry.field(
        description="Most recent payments first; null (with an error) if it failed.",
        extensions=[requires("payments:read")],  # one call per customer:
        directives=cost(1, slicing_argument="first", assumed_size=10),
    )
    async def payments(self, info: Info[Any, Any], first: int = 10) -> list[Payment] | None:
        return await queries.payments_of(info, self, first)  # type: ignore[arg-type,return-value]


@strawberry.type
class CustomerEdge:
    cursor: str
    node: Customer


@strawberry.type
class PageInfo:
    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="A page of customers, ordered by name (Relay cursor connection).")
class CustomerConnection:
    edges: list[CustomerEdge]
    page_info: PageInfo

    @strawberry.field(
        description="All customers in the CRM (one extra CRM call); null if the CRM cannot say.",
        extensions=[requires("customers:read")],
        directives=cost(1),
    )
    async def total_count(self, info: Info[Any, Any]) -> int | None:
        return await queries.customer_count(info)


def connection(page: domain.CustomerPage, after: str | None) -> CustomerConnection:
    edges = [CustomerEdge(cursor=queries.encode_cursor(c), node=c) for c in page.customers]  # type: ignore[arg-type]
    return CustomerConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next_page,
            has_previous_page=after is not None,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
    )
