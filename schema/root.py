"""The commerce graph's root fields, one class per port they need (see ``schema.plugins``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import strawberry
from strawberry.types import Info

from colonnade.gateway import cost, requires
from colonnade.resolvers import mutations, queries
from colonnade.schema.types import Customer, CustomerConnection, Payment, SalesOrder, connection


@strawberry.type
class CustomerQuery:
    @strawberry.field(
        description="A customer by CRM id; null if none exists.",
        extensions=[requires("customers:read")],
        directives=cost(1),
    )
    async def customer(self, info: Info[Any, Any], id: strawberry.ID) -> Customer | None:
        return await queries.customer(info, str(id))  # type: ignore[return-value]

    @strawberry.field(
        description="Customers ordered by name; at most 100 per page. Null (with an error) if "
        "the CRM failed: nullable so that one provider's failure never costs the whole response.",
        extensions=[requires("customers:read")],
        directives=cost(1, slicing_argument="first", assumed_size=20, sized_fields=["edges"]),
    )
    async def customers(
        self, info: Info[Any, Any], first: int = 20, after: str | None = None
    ) -> CustomerConnection | None:
        return connection(await queries.customer_page(info, first, after), after)


@strawberry.type
class OrderQuery:
    @strawberry.field(
        description="A sales order by its ERP number.",
        extensions=[requires("orders:read")],
        directives=cost(1),
    )
    async def sales_order(self, info: Info[Any, Any], number: strawberry.ID) -> SalesOrder | None:
        return await queries.sales_order(info, str(number))  # type: ignore[return-value]


@strawberry.type
class PaymentQuery:
    @strawberry.field(
        description="A payment by its provider id.",
        extensions=[requires("payments:read")],
        directives=cost(1),
    )
    async def payment(self, info: Info[Any, Any], id: strawberry.ID) -> Payment | None:
        return await queries.payment(info, str(id))  # type: ignore[return-value]


@strawberry.input
class SalesOrderLineInput:
    material: str
    quantity: Decimal
    unit_price: Decimal


@strawberry.input
class CreateSalesOrderInput:
    customer_id: strawberry.ID
    currency: str
    lines: list[SalesOrderLineInput]
    purchase_order: str | None = None
    idempotency_key: str | None = strawberry.field(
        default=None,
        description="Repeat a create with the same key to get the first order back, never a "
        "second one. Without a key, one is derived from the input: an identical create within "
        "10 minutes returns the first order (send distinct keys for distinct identical orders).",
    )


@strawberry.input
class CreatePaymentInput:
    customer_id: strawberry.ID
    amount: Decimal
    currency: str
    idempotency_key: str = strawberry.field(
        description="Required: the provider replays the first result for a repeated key."
    )
    description: str | None = None


# Nullable results: in a document with several mutations, one failing must not null the
# others' results (a payment already made would be lost to the client).


@strawberry.type
class OrderMutation:
    @strawberry.mutation(
        description="Create a sales order in the ERP for a CRM customer.",
        extensions=[requires("orders:write")],
        directives=cost(2),  # CRM lookup + ERP create
    )
    async def create_sales_order(
        self, info: Info[Any, Any], input: CreateSalesOrderInput
    ) -> SalesOrder | None:
        return await mutations.create_sales_order(  # type: ignore[return-value]
            info,
            customer_id=str(input.customer_id),
            currency=input.currency,
            purchase_order=input.purchase_order,
            lines=[(li.material, li.quantity, li.unit_price) for li in input.lines],
            idempotency_key=input.idempotency_key,
        )


@strawberry.type
class PaymentMutation:
    @strawberry.mutation(
        description="Charge a CRM customer through the payment provider.",
        extensions=[requires("payments:write")],
        directives=cost(2),  # CRM lookup + charge
    )
    async def create_payment(
        self, info: Info[Any, Any], input: CreatePaymentInput
    ) -> Payment | None:
        return await mutations.create_payment(  # type: ignore[return-value]
            info,
            customer_id=str(input.customer_id),
            amount=input.amount,
            currency=input.currency,
            description=input.description,
            idempotency_key=input.idempotency_key,
        )
