"""Payments connector: Stripe REST (form-encoded, API key, native idempotency keys)."""

from typing import Any

from colonnade import ConnectorPlugin, Runtime
from colonnade.connectors.payments.connector import PaymentsConnector
from colonnade.connectors.payments.events import PaymentEvents
from colonnade.connectors.payments.settings import PaymentsSettings
from colonnade.connectors.ports import PaymentGateway


def _webhooks(connector: PaymentsConnector, runtime: Runtime) -> Any:
    """Stripe's signed events keep the cache and the ``paymentUpdated`` subscribers current."""
    return lambda feature: PaymentEvents(
        runtime.cache, feature.broker.publish, feature.audit, connector
    )


PLUGIN = ConnectorPlugin(
    name="payments",
    settings=PaymentsSettings,
    build=PaymentsConnector,
    provides=(PaymentGateway,),
    sandbox="colonnade.sandboxes.payments:PaymentsSandbox",
    webhooks=_webhooks,
    description="Stripe-shaped payments: PaymentIntents",
)

__all__ = ["PLUGIN", "PaymentsConnector", "PaymentsSettings"]
