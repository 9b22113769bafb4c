"""Every payment mutation leaves an audit record: who, what, the key, the provider's id, the
outcome — success or the error code — appended after the provider answered.

``client_identity`` is the one place that says who the caller is: the client the gateway
verified (``client_id`` and how — API key, JWT or anonymous). A failed audit write is logged
loudly and does not undo a payment that the provider already made.
"""

from __future__ import annotations

from collections.abc import Awaitable
from typing import Any

import structlog
from strawberry.types import Info

from colonnade.connectors.domain import Payment, PaymentDraft
from colonnade.errors import ColonnadeError
from colonnade.events.audit import Entry
from colonnade.resolvers.context import context_of

_log = structlog.get_logger("colonnade.audit")


def client_identity(info: Info[Any, Any]) -> str:
    principal = context_of(info).principal
    if principal is None or principal.method == "anonymous":
        return "anonymous"
    return f"{principal.client_id} ({principal.method})"


def _request_id(request: Any) -> str | None:
    headers = getattr(request, "headers", None)
    return headers.get("x-request-id") if headers is not None else None


async def audited_payment(
    info: Info[Any, Any], draft: PaymentDraft, idempotency_key: str, call: Awaitable[Payment]
) -> Payment:
    request = context_of(info).request
    entry: dict[str, Any] = {
        "who": client_identity(info),
        "action": "payment.create",
        "idempotency_key": idempotency_key,
        "request_id": _request_id(request),
        "details": {
            "customer": draft.customer_id,
            "amount": str(draft.amount.amount),
            "currency": draft.amount.currency,
        },
    }
    try:
        payment = await call
    except ColonnadeError as exc:
        await _append(request, Entry(outcome=f"error:{exc.code.value}", **entry))
        raise
    except Exception:
        await _append(request, Entry(outcome="error:INTERNAL_SERVER_ERROR", **entry))
        raise
    await _append(request, Entry(outcome=payment.status.value, provider_id=payment.id, **entry))
    return payment


async def _append(request: Any, entry: Entry) -> None:
    events = getattr(getattr(getattr(request, "app", None), "state", None), "events", None)
    if events is None:
        _log.error("audit_log_missing", action=entry.action)
        return
    try:
        await events.audit.append(entry)
    except Exception:  # noqa: BLE001 - the payment happened; say loudly that its record did not
        _log.exception("audit_append_failed", action=entry.action, provider_id=entry.provider_id)
