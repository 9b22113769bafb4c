"""Render Stripe customer and payment_intent objects (fields per the stored OpenAPI extract)."""

from __future__ import annotations

import hashlib
from typing import Any

from colonnade.sandboxes.data import Customer, PaymentSeed


def customer_object(
    cid: str,
    created: int,
    *,
    name: str | None = None,
    email: str | None = None,
    description: str | None = None,
    phone: str | None = None,
    currency: str | None = None,
    metadata: dict[str, str] | None = None,
) -> dict[str, Any]:
    return {
        "id": cid,
        "object": "customer",
        "address": None,
        "balance": 0,
        "created": created,
        "currency": currency,
        "default_source": None,
        "delinquent": False,
        "description": description,
        "discount": None,
        "email": email,
        "invoice_prefix": hashlib.sha256(cid.encode()).hexdigest()[:8].upper(),
        "invoice_settings": {"custom_fields": None, "default_payment_method": None, "footer": None},
        "livemode": False,
        "metadata": metadata or {},
        "name": name,
        "phone": phone,
        "preferred_locales": [],
        "shipping": None,
        "tax_exempt": "none",
    }


def seeded_customer(c: Customer) -> dict[str, Any]:
    return customer_object(
        c.stripe_id,
        int(c.created.timestamp()),
        name=c.name,
        email=c.email,
        description=c.account_number,
        phone=c.phone,
        currency=c.currency.lower(),
        metadata={"crm_account_id": c.crm_id, "sap_customer_number": c.kunnr},
    )


def payment_intent_object(
    pid: str,
    created: int,
    amount: int,
    currency: str,
    *,
    customer: str | None,
    description: str | None,
    metadata: dict[str, str] | None,
    succeeded: bool,
) -> dict[str, Any]:
    digest = hashlib.sha256(pid.encode()).hexdigest()
    return {
        "id": pid,
        "object": "payment_intent",
        "amount": amount,
        "amount_capturable": 0,
        "amount_received": amount if succeeded else 0,
        "application": None,
        "application_fee_amount": None,
        "canceled_at": None,
        "cancellation_reason": None,
        "capture_method": "automatic",
        "client_secret": f"{pid}_secret_{digest[:25]}",
        "confirmation_method": "automatic",
        "created": created,
        "currency": currency,
        "customer": customer,
        "description": description,
        "invoice": None,
        "last_payment_error": None,
        "latest_charge": f"ch_{digest[:24]}" if succeeded else None,
        "livemode": False,
        "metadata": metadata or {},
        "next_action": None,
        "on_behalf_of": None,
        "payment_method": f"pm_{digest[24:48]}" if succeeded else None,
        "payment_method_options": {},
        "payment_method_types": ["card"],
        "receipt_email": None,
        "review": None,
        "setup_future_usage": None,
        "shipping": None,
        "statement_descriptor": None,
        "statement_descriptor_suffix": None,
        "status": "succeeded" if succeeded else "requires_payment_method",
        "transfer_data": None,
        "transfer_group": None,
    }


def seeded_payment_intent(p: PaymentSeed) -> dict[str, Any]:
    return payment_intent_object(
        p.id,
        p.created,
        p.amount,
        p.currency,
        customer=p.customer,
        description=p.description,
        metadata={"sap_order": p.order_vbeln} if p.order_vbeln else {},
        succeeded=True,
    )
