"""Payments connector: Stripe REST (form-encoded, API key, native idempotency keys)."""

from colonnade.connectors.payments.connector import PaymentsConnector

__all__ = ["PaymentsConnector"]
