"""Write orchestration: resolve the customer in the CRM, then write to the system of record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from strawberry.types import Info

from colonnade.errors import BadUserInput
from connectors.domain import (
    Money,
    Payment,
    PaymentDraft,
    SalesOrder,
    SalesOrderDraft,
    SalesOrderLine,
)
from resolvers.audit import audited_payment
from resolvers.context import context_of
from resolvers.queries import customer

MAX_KEY_LENGTH = 255


async def create_sales_order(
    info: Info[Any, Any],
    *,
    customer_id: str,
    currency: str,
    purchase_order: str | None,
    lines: list[tuple[str, Decimal, Decimal]],
    idempotency_key: str | None,
) -> SalesOrder:
    _check_key(idempotency_key, required=False)
    buyer = await _existing_customer(info, customer_id)
    if not buyer.erp_customer_number:
        raise BadUserInput(f"customer {customer_id} has no ERP customer number; cannot order")
    try:
        draft = SalesOrderDraft(
            customer_number=buyer.erp_customer_number,
            currency=currency.upper(),
            purchase_order=purchase_order,
            lines=[SalesOrderLine(material=m, quantity=q, unit_price=p) for m, q, p in lines],
        )
    except ValidationError as exc:
        raise BadUserInput(_explain(exc)) from None
    return await context_of(info).services.orders.create_order(draft, idempotency_key)


async def create_payment(
    info: Info[Any, Any],
    *,
    customer_id: str,
    amount: Decimal,
    currency: str,
    description: str | None,
    idempotency_key: str,
) -> Payment:
    _check_key(idempotency_key, required=True)
    if amount <= 0:
        raise BadUserInput("`amount` must be positive")
    payer = await _existing_customer(info, customer_id)
    if not payer.payment_customer_id:
        raise BadUserInput(f"customer {customer_id} has no payment account")
    try:
        draft = PaymentDraft(
            customer_id=payer.payment_customer_id,
            amount=Money(amount=amount, currency=currency.upper()),
            description=description,
        )
    except ValidationError as exc:
        raise BadUserInput(_explain(exc)) from None
    payments = context_of(info).services.payments
    return await audited_payment(
        info, draft, idempotency_key, payments.create_payment(draft, idempotency_key)
    )


async def _existing_customer(info: Info[Any, Any], customer_id: str) -> Any:
    found = await customer(info, customer_id)
    if found is None:
        raise BadUserInput(f"customer {customer_id} does not exist")
    return found


def _check_key(key: str | None, *, required: bool) -> None:
    if key is None:
        if required:
            raise BadUserInput("`idempotencyKey` is required")
        return
    if not 0 < len(key) <= MAX_KEY_LENGTH:
        raise BadUserInput(f"`idempotencyKey` must be 1 to {MAX_KEY_LENGTH} characters")


def _explain(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"invalid input at {where}: {first['msg']}"
