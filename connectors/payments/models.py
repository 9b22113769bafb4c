"""Stripe's wire model for what Colonnade reads (field names from Stripe's OpenAPI spec)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, TypeAdapter


class StripePaymentIntent(BaseModel):
    model_config = ConfigDict(extra="ignore")

    id: str
    object: Literal["payment_intent"]
    amount: int
    currency: str
    status: str
    created: int
    customer: str | None = None
    description: str | None = None


class StripePaymentIntentList(BaseModel):
    model_config = ConfigDict(extra="ignore")

    object: Literal["list"]
    data: list[StripePaymentIntent]
    has_more: bool


PAYMENT_INTENT = TypeAdapter(StripePaymentIntent)
PAYMENT_INTENT_LIST = TypeAdapter(StripePaymentIntentList)
