"""Stripe-shaped webhook events: what a PaymentIntent event means for the graph.

``describe`` places an event on its object's version line — ``created`` first, then the
PaymentIntent's position in Stripe's status machine (events created in the same second are
ordered by how far the intent got), and ``succeeded``/``canceled`` are final. ``handle``
drops the cached answers the change makes wrong (the customer's payment list, the payment
itself), and for news (``current``) pushes the new status to ``paymentUpdated``
subscriptions and appends an audit record (once per event id). ``reconcile`` asks Stripe
about intents stuck in a non-final state, for the webhook that never came.
"""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from colonnade import AuditLog, Described, Entry, Event, Fetched, ObjectState, ResponseCache
from colonnade.connectors.domain import Payment
from colonnade.connectors.payments.connector import customer_tag, payment_tag
from colonnade.connectors.ports import PaymentGateway

# Stripe's PaymentIntent lifecycle, in the order an intent moves through it.
STATUS_RANK = {
    "requires_payment_method": 0,
    "requires_confirmation": 1,
    "requires_action": 2,
    "processing": 3,
    "requires_capture": 4,
    "canceled": 5,
    "succeeded": 5,
}
FINAL = frozenset({"succeeded", "canceled"})
# The event Stripe sends when an intent enters a status.
EVENT_FOR_STATUS = {
    "requires_payment_method": "payment_intent.payment_failed",
    "requires_confirmation": "payment_intent.created",
    "requires_action": "payment_intent.requires_action",
    "processing": "payment_intent.processing",
    "requires_capture": "payment_intent.amount_capturable_updated",
    "canceled": "payment_intent.canceled",
    "succeeded": "payment_intent.succeeded",
}
_MAX_ID = 255

Publish = Callable[[str, dict[str, Any]], Awaitable[None]]


def channel_for_customer(customer_id: str) -> str:
    return f"payments:customer:{customer_id}"


def _text(value: Any, what: str) -> str:
    if not isinstance(value, str) or not 0 < len(value) <= _MAX_ID:
        raise ValueError(f"{what} must be a string of 1 to {_MAX_ID} characters")
    return value


class PaymentEvents:
    def __init__(
        self,
        cache: ResponseCache,
        publish: Publish,
        audit: AuditLog,
        gateway: PaymentGateway,
    ) -> None:
        self.cache = cache
        self.publish = publish
        self.audit = audit
        self.gateway = gateway

    def describe(self, payload: Any) -> Described:
        if not isinstance(payload, dict):
            raise ValueError("the body must be a JSON object")
        event_id = _text(payload.get("id"), "id")
        event_type = _text(payload.get("type"), "type")
        created = payload.get("created")
        if not isinstance(created, int) or isinstance(created, bool) or created < 0:
            raise ValueError("created must be a unix timestamp")
        obj = (payload.get("data") or {}).get("object")
        if not isinstance(obj, dict):
            raise ValueError("data.object must be an object")
        kind = _text(obj.get("object"), "data.object.object")
        object_id = _text(obj.get("id"), "data.object.id")
        if kind != "payment_intent":
            return Described(event_id, event_type, f"{kind}:{object_id}", created)
        status = obj.get("status")
        if status not in STATUS_RANK:
            raise ValueError(f"unknown PaymentIntent status {status!r}")
        return Described(
            event_id,
            event_type,
            f"payment_intent:{object_id}",
            created,
            rank=STATUS_RANK[status],
            final=status in FINAL,
            state=status,
        )

    async def handle(self, event: Event, *, current: bool) -> str:
        body = json.loads(event.payload)
        obj = body["data"]["object"]
        customer = obj.get("customer")
        tags = [payment_tag(obj["id"])]
        if isinstance(customer, str):
            tags.append(customer_tag(customer))
        await self.cache.invalidate(tags=tags)
        if obj.get("object") != "payment_intent":
            return "invalidated"
        if not current:
            return f"superseded:{obj['status']}"
        update = {
            "paymentId": obj["id"],
            "customerId": customer,
            "status": obj["status"],
            "eventId": event.id,
            "eventType": event.meta.type,
            "created": event.meta.created,
            "amount": obj.get("amount"),
            "currency": obj.get("currency"),
        }
        await self.audit.append(
            Entry(
                who=f"webhook:{event.source}",
                action=event.meta.type,
                outcome=obj["status"],
                provider_id=obj["id"],
                request_id=event.id,
                details={"customer": customer, "created": event.meta.created},
            ),
            dedup=f"event:{event.source}:{event.id}",
        )
        if isinstance(customer, str):
            await self.publish(channel_for_customer(customer), update)
        return f"applied:{obj['status']}"

    async def reconcile(self, objects: Sequence[ObjectState]) -> list[tuple[Described, bytes]]:
        ids = [o.key.split(":", 1)[1] for o in objects if o.key.startswith("payment_intent:")]
        if not ids:
            return []
        await self.cache.invalidate(tags=[payment_tag(i) for i in ids])
        fetched = await self.gateway.payments_by_id(ids)
        known = {o.key.split(":", 1)[1]: o for o in objects}
        out: list[tuple[Described, bytes]] = []
        now = int(time.time())
        for pid in ids:
            got = fetched.get(pid)
            if not isinstance(got, Fetched) or got.stale or not isinstance(got.value, Payment):
                continue  # unknown, failed, or only a stale copy: try again next round
            payment = got.value
            if payment.status.value == known[pid].state:
                continue
            out.append(self._synthesized(payment, max(now, known[pid].created)))
        return out

    def _synthesized(self, payment: Payment, created: int) -> tuple[Described, bytes]:
        status = payment.status.value
        event_id = f"reconcile_{payment.id}_{status}_{created}"
        body = {
            "id": event_id,
            "object": "event",
            "type": EVENT_FOR_STATUS[status],
            "created": created,
            "data": {
                "object": {
                    "id": payment.id,
                    "object": "payment_intent",
                    "status": status,
                    "customer": payment.customer_id,
                }
            },
        }
        return self.describe(body), json.dumps(body).encode()
