"""The domain model the graph speaks: no provider's field names or quirks survive past here.

These are pydantic models because they double as the cache codec: a cached value is JSON
validated back into these types, never unpickled.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True)


class Money(_Model):
    amount: Decimal
    currency: str = Field(min_length=3, max_length=3)


class Customer(_Model):
    id: str
    name: str
    account_number: str | None = None
    industry: str | None = None
    phone: str | None = None
    website: str | None = None
    city: str | None = None
    country: str | None = None
    erp_customer_number: str | None = None
    payment_customer_id: str | None = None
    created_at: datetime | None = None
    unknown_links: tuple[str, ...] = ()
    """Link fields (``erp_customer_number``, ``payment_customer_id``) the provider's record
    did not carry at all — schema drift, not "no link": the joins they feed must fail, typed,
    rather than answer as if the customer had no orders."""


class CustomerPage(_Model):
    customers: list[Customer]
    has_next_page: bool


class SalesOrderStatus(StrEnum):
    OPEN = "OPEN"
    IN_PROCESS = "IN_PROCESS"
    COMPLETED = "COMPLETED"


class SalesOrderItem(_Model):
    position: int
    material: str
    description: str | None = None
    quantity: Decimal
    unit: str | None = None
    net_value: Money


class SalesOrder(_Model):
    number: str
    customer_number: str
    date: date
    purchase_order: str | None = None
    net_value: Money
    status: SalesOrderStatus
    items: list[SalesOrderItem]


class SalesOrderLine(_Model):
    material: str
    quantity: Decimal = Field(gt=0)
    unit_price: Decimal = Field(ge=0)


class SalesOrderDraft(_Model):
    customer_number: str
    currency: str
    purchase_order: str | None = None
    lines: list[SalesOrderLine] = Field(min_length=1)


class PaymentStatus(StrEnum):
    REQUIRES_PAYMENT_METHOD = "requires_payment_method"
    REQUIRES_CONFIRMATION = "requires_confirmation"
    REQUIRES_ACTION = "requires_action"
    PROCESSING = "processing"
    REQUIRES_CAPTURE = "requires_capture"
    CANCELED = "canceled"
    SUCCEEDED = "succeeded"


class Payment(_Model):
    id: str
    amount: Money
    status: PaymentStatus
    created_at: datetime
    description: str | None = None
    customer_id: str | None = None


class PaymentDraft(_Model):
    customer_id: str
    amount: Money
    description: str | None = None
    confirm: bool = True
