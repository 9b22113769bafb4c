"""Credentials the sandboxes accept by default (kept out of conftest so tests can import them)."""

from __future__ import annotations

CRM_CREDS = {
    "grant_type": "client_credentials",
    "client_id": "colonnade-demo",
    "client_secret": "demo-secret",
}
STRIPE_KEY = "sk_test_colonnade_demo"
ERP_AUTH = ("COLONNADE", "demo-password")
