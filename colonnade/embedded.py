"""The embedded default: with no providers configured, serve the sandbox providers in-process.

``colonnade serve`` with no config must show the whole product on a fresh machine, so the
local stand-ins start on a loopback port and every connector is pointed at them. Their
credentials are generated per process (never written in code or config) and handed to both
sides.
"""

from __future__ import annotations

import secrets

from pydantic import SecretStr

from colonnade.config import ConnectorsSettings, Settings, WebhookSourceSettings


def wants_sandbox(settings: Settings) -> bool:
    mode = settings.sandbox.embedded
    c = settings.connectors
    configured = any(x.base_url for x in (c.crm, c.payments, c.erp))
    return mode == "on" or (mode == "auto" and not configured)


def start_sandbox(settings: Settings, webhook_url: str | None = None) -> tuple[Settings, object]:
    """Start the sandboxes; returns settings pointed at them and the running server. With
    ``webhook_url`` the payment sandbox sends its signed webhooks there (a generated secret,
    shared with ``events.sources.payments`` unless that source is configured already)."""
    from colonnade.sandboxes.app import SandboxSet  # the sandboxes are optional at run time

    client_id = "colonnade-" + secrets.token_hex(4)
    client_secret = secrets.token_urlsafe(24)
    api_key = "sk_test_" + secrets.token_urlsafe(24)
    erp_user, erp_password = "COLONNADE", secrets.token_urlsafe(18)
    sandbox = SandboxSet(
        settings.sandbox.customers,
        crm={"client_id": client_id, "client_secret": client_secret},
        payments={"api_keys": {api_key}},
        erp={"user": erp_user, "password": erp_password},
    )
    sandbox.set_base_latency(settings.sandbox.latency_ms / 1000)
    served = sandbox.serve().start()
    base = served.base_url
    c = settings.connectors
    connectors = ConnectorsSettings(
        crm=c.crm.model_copy(
            update={
                "base_url": f"{base}/crm",
                "client_id": client_id,
                "client_secret": SecretStr(client_secret),
            }
        ),
        payments=c.payments.model_copy(
            update={"base_url": f"{base}/payments", "api_key": SecretStr(api_key)}
        ),
        erp=c.erp.model_copy(
            update={
                "base_url": f"{base}/erp",
                "username": erp_user,
                "password": SecretStr(erp_password),
            }
        ),
    )
    update: dict[str, object] = {"connectors": connectors}
    if webhook_url is not None and "payments" not in settings.events.sources:
        secret = "whsec_" + secrets.token_urlsafe(24)
        source = WebhookSourceSettings(secrets=[SecretStr(secret)])
        sources = {**settings.events.sources, "payments": source}
        update["events"] = settings.events.model_copy(update={"sources": sources})
        sandbox.payments.webhooks.configure(webhook_url, secret)
    return settings.model_copy(update=update), served
