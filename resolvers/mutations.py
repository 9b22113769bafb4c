"""Write orchestration: resolve the customer in the CRM, then write to the system of record."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from strawberry.types import Info

from colonnade.connectors.domain import (
    Money,
    Payment,
    PaymentDraft,
    SalesOrder,
    SalesOrderDraft,
    SalesOrderLine,
)
from colonnade.connectors.ports import OrderBook, PaymentGateway
from colonnade.errors import BadUserInput
from colonnade.resolvers import inputs
from colonnade.resolvers.audit import audited_payment
from colonnade.resolvers.context import context_of
from colonnade.resolvers.queries import customer

_QUANTITY_SCALE = Decimal("0.001")
_PRICE_SCALE = Decimal("0.01")


async def create_sales_order(
    info: Info[Any, Any],
    *,
    customer_id: str,
    currency: str,
    purchase_order: str | None,
    lines: list[tuple[str, Decimal, Decimal]],
    idempotency_key: str | None,
) -> SalesOrder:
    # Everything the client sent is checked before the first call (the CRM lookup included).
    inputs.idempotency_key(idempotency_key, required=False)
    inputs.crm_id("customerId", customer_id)
    code = inputs.currency(currency)
    if purchase_order is not None:
        inputs.text(
            "purchaseOrder", purchase_order, max_length=inputs.MAX_PURCHASE_ORDER, required=False
        )
    order_lines = _order_lines(lines)
    buyer = await _existing_customer(info, customer_id)
    if not buyer.erp_customer_number:
        raise BadUserInput(f"customer {customer_id} has no ERP customer number; cannot order")
    try:
        draft = SalesOrderDraft(
            customer_number=buyer.erp_customer_number,
            currency=code,
            purchase_order=purchase_order or None,
            lines=order_lines,
        )
    except ValidationError as exc:
        raise BadUserInput(_explain(exc)) from None
    return await context_of(info).services.port(OrderBook).create_order(draft, idempotency_key)


def _order_lines(lines: list[tuple[str, Decimal, Decimal]]) -> list[SalesOrderLine]:
    """SAP's item fields bound the numbers: KWMENG is QUAN 13,3 and NETWR CURR 15,2."""
    if not 0 < len(lines) <= inputs.MAX_LINES:
        raise BadUserInput(f"`lines` must hold 1 to {inputs.MAX_LINES} lines, got {len(lines)}")
    out = []
    for n, (material, quantity, unit_price) in enumerate(lines):
        where = f"lines[{n}]"
        inputs.text(f"{where}.material", material, max_length=inputs.MAX_MATERIAL)
        inputs.decimal(
            f"{where}.quantity",
            quantity,
            max_integer_digits=10,
            max_decimals=3,
            minimum=Decimal(0),
            inclusive=False,
        )
        inputs.decimal(
            f"{where}.unitPrice",
            unit_price,
            max_integer_digits=11,
            max_decimals=2,
            minimum=Decimal(0),
            inclusive=True,
        )
        if quantity * unit_price >= Decimal(10) ** 13:
            raise BadUserInput(f"`{where}`: quantity × unitPrice must be less than 10^13")
        # Fixed scales (exact after the checks above): one canonical form of equal input, so
        # a repeat of "1.5" as "1.50" is recognised as the same order (derived keys, records).
        out.append(
            SalesOrderLine(
                material=material,
                quantity=quantity.quantize(_QUANTITY_SCALE),
                unit_price=unit_price.quantize(_PRICE_SCALE),
            )
        )
    return out


async def create_payment(
    info: Info[Any, Any],
    *,
    customer_id: str,
    amount: Decimal,
    currency: str,
    description: str | None,
    idempotency_key: str,
) -> Payment:
    inputs.idempotency_key(idempotency_key, required=True)
    inputs.crm_id("customerId", customer_id)
    inputs.decimal(
        "amount",
        amount,
        max_integer_digits=12,
        max_decimals=4,  # ISO 4217's largest exponent; the connector checks the currency's own
        minimum=Decimal(0),
        inclusive=False,
    )
    code = inputs.currency(currency)
    if description is not None:
        inputs.text("description", description, max_length=inputs.MAX_DESCRIPTION, required=False)
    payer = await _existing_customer(info, customer_id)
    if not payer.payment_customer_id:
        raise BadUserInput(f"customer {customer_id} has no payment account")
    try:
        draft = PaymentDraft(
            customer_id=payer.payment_customer_id,
            amount=Money(amount=amount, currency=code),
            description=description or None,
        )
    except ValidationError as exc:
        raise BadUserInput(_explain(exc)) from None
    payments = context_of(info).services.port(PaymentGateway)
    return await audited_payment(
        info, draft, idempotency_key, payments.create_payment(draft, idempotency_key)
    )


async def _existing_customer(info: Info[Any, Any], customer_id: str) -> Any:
    found = await customer(info, customer_id)
    if found is None:
        raise BadUserInput(f"customer {customer_id} does not exist")
    return found


def _explain(exc: ValidationError) -> str:
    first = exc.errors()[0]
    where = ".".join(str(p) for p in first["loc"])
    return f"invalid input at {where}: {first['msg']}"
