"""Subscription roots: live updates over graphql-transport-ws (``/graphql``)."""

from __future__ import annotations

from collections.abc import AsyncGenerator
from datetime import UTC, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from colonnade.connectors import domain
from colonnade.resolvers import subscriptions
from colonnade.schema.sensors import DeskOccupancy, desk_changes
from colonnade.schema.types import PaymentStatus


@strawberry.type(description="A payment changed status at the provider (from its webhook).")
class PaymentUpdate:
    payment_id: strawberry.ID
    customer_id: strawberry.ID
    status: PaymentStatus  # type: ignore[valid-type]
    event_type: str
    event_id: str
    changed_at: datetime


@strawberry.type
class PaymentSubscription:
    @strawberry.subscription(
        description="Status changes of a customer's payments, as the provider reports them."
    )
    async def payment_updated(
        self, info: Info[Any, Any], customer_id: strawberry.ID
    ) -> AsyncGenerator[PaymentUpdate, None]:
        async for update in subscriptions.payment_updates(info, str(customer_id)):
            yield PaymentUpdate(
                payment_id=strawberry.ID(update["paymentId"]),
                customer_id=strawberry.ID(update["customerId"]),
                status=domain.PaymentStatus(update["status"]),
                event_type=update["eventType"],
                event_id=update["eventId"],
                changed_at=datetime.fromtimestamp(update["created"], tz=UTC),
            )


@strawberry.type
class SensorSubscription:
    @strawberry.subscription(description="Desks of a floor whose occupancy changed.")
    async def desk_occupancy(
        self, info: Info[Any, Any], floor: int
    ) -> AsyncGenerator[DeskOccupancy, None]:
        async for desk in desk_changes(info, floor):
            yield desk
