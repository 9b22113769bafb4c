"""Live updates: ``paymentUpdated(customerId)`` from the webhook-driven payment changes.

The customer is looked up in the CRM (the graph's ids are the CRM's), then the subscription
listens on that customer's channel of the broker (in-process, or Redis pub/sub across
replicas). A subscriber whose bounded queue overflows is dropped: the WebSocket is closed
with 1013 ("try again later", RFC 6455 §7.4.1: the server is shedding load), so the client
reconnects and re-reads the current state instead of being buffered without bound.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from graphql import GraphQLError
from strawberry.types import Info

from colonnade.connectors.payments.events import channel_for_customer
from colonnade.errors import BadUserInput, ColonnadeError
from colonnade.events.pubsub import SlowConsumer
from colonnade.resolvers.context import context_of
from colonnade.resolvers.queries import customer

SLOW_CONSUMER_CLOSE = 1013


async def payment_updates(info: Info[Any, Any], customer_id: str) -> AsyncIterator[dict[str, Any]]:
    try:
        payer = await customer(info, customer_id)
        if payer is None:
            raise BadUserInput(f"customer {customer_id} does not exist")
        if not payer.payment_customer_id:
            raise BadUserInput(f"customer {customer_id} has no payment account")
    except ColonnadeError as exc:
        # A subscription's errors skip the schema's ErrorTranslation: type them here.
        raise GraphQLError(exc.message, extensions=exc.as_extensions()) from None
    request = context_of(info).request
    broker = request.app.state.events.broker
    subscription = broker.subscribe(channel_for_customer(payer.payment_customer_id))
    closing: list[asyncio.Task[None]] = []

    def drop() -> None:
        closing.append(asyncio.ensure_future(_close(request)))

    subscription.on_drop = drop
    try:
        async for update in subscription:
            yield {**update, "customerId": customer_id}
    except SlowConsumer:
        await _close(request)


async def _close(websocket: Any) -> None:
    try:
        await websocket.close(code=SLOW_CONSUMER_CLOSE, reason="slow consumer: too far behind")
    except RuntimeError:  # already closed
        return
