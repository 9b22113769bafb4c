"""SAP sales-order structures → domain SalesOrder, and a draft → the create request."""

from __future__ import annotations

import hashlib
from typing import Any

from colonnade.connectors.domain import (
    Money,
    SalesOrder,
    SalesOrderDraft,
    SalesOrderItem,
    SalesOrderStatus,
)
from colonnade.connectors.erp.models import SapOrder

_STATUS = {
    "A": SalesOrderStatus.OPEN,
    "B": SalesOrderStatus.IN_PROCESS,
    "C": SalesOrderStatus.COMPLETED,
}


def to_sales_order(order: SapOrder) -> SalesOrder:
    items = order.ITEMS.item if order.ITEMS else []
    return SalesOrder(
        number=order.VBELN,
        customer_number=order.KUNNR,
        date=order.AUDAT,
        purchase_order=order.BSTNK or None,
        net_value=Money(amount=order.NETWR, currency=order.WAERK),
        status=_STATUS[order.GBSTK],
        items=[
            SalesOrderItem(
                position=int(i.POSNR),
                material=i.MATNR,
                description=i.ARKTX,
                quantity=i.KWMENG,
                unit=i.VRKME,
                net_value=Money(amount=i.NETWR, currency=order.WAERK),
            )
            for i in items
        ],
    )


def reference_for(idempotency_key: str) -> str:
    """SAP's "your reference" (IHREZ, 12 characters) carries a digest of the idempotency key,
    so a create whose response was lost can be found again."""
    return "CL" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:10].upper()


def create_request(draft: SalesOrderDraft, reference: str | None) -> dict[str, Any]:
    header: dict[str, Any] = {"SOLD_TO_PARTY": draft.customer_number, "CURRENCY": draft.currency}
    if draft.purchase_order:
        header["CUST_PO"] = draft.purchase_order
    if reference:
        header["IHREZ"] = reference
    return {
        "ORDER_HEADER": header,
        "IT_ITEMS": {
            "item": [
                {"MATNR": line.material, "KWMENG": line.quantity, "NETWR": line.unit_price}
                for line in draft.lines
            ]
        },
    }
