"""Payments sandbox: Stripe v1 shapes (API keys, form bodies, lists, idempotency keys)."""

from __future__ import annotations

import asyncio
import base64
import binascii
import re
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any, ClassVar, Self

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from colonnade.sandboxes import forms
from colonnade.sandboxes.data import SeedData
from colonnade.sandboxes.idempotency import IdempotencyStore
from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.ratelimit import RateLimiter
from colonnade.sandboxes.stripe_objects import (
    customer_object,
    payment_intent_object,
    seeded_customer,
    seeded_payment_intent,
)
from colonnade.sandboxes.webhook_sender import Chaos, WebhookSender
from colonnade.sandboxes.wire import CaptureCycle

# The event Stripe sends when a PaymentIntent enters a status.
_EVENT_FOR_STATUS = {
    "requires_payment_method": "payment_intent.payment_failed",
    "requires_confirmation": "payment_intent.created",
    "requires_action": "payment_intent.requires_action",
    "processing": "payment_intent.processing",
    "requires_capture": "payment_intent.amount_capturable_updated",
    "canceled": "payment_intent.canceled",
    "succeeded": "payment_intent.succeeded",
}
_FINAL = frozenset({"succeeded", "canceled"})

_CURRENCY = re.compile(r"^[A-Za-z]{3}$")
_RATE_MESSAGE = (
    "Too many requests hit the API too quickly. "
    "We recommend an exponential backoff of your requests."
)


def stripe_error(status: int, type_: str, message: str, **extra: str) -> JSONResponse:
    """Stripe's error envelope: {"error": {"type", "message", ...}}."""
    body: dict[str, Any] = {"type": type_, "message": message, **extra}
    if extra.get("code") == "resource_missing":
        body["doc_url"] = "https://stripe.com/docs/error-codes/resource-missing"
    return JSONResponse({"error": body}, status_code=status)


def _missing(param: str) -> JSONResponse:
    return stripe_error(
        400,
        "invalid_request_error",
        f"Missing required param: {param}.",
        code="parameter_missing",
        param=param,
    )


def _mask(key: str) -> str:
    prefix = key[:8] if key.startswith(("sk_test_", "sk_live_")) else ""
    return f"{prefix}****{key[-4:]}"


class _Invalid(Exception):
    """A validation failure, carrying the Stripe error response."""

    def __init__(self, response: Response) -> None:
        self.response = response


def _paginate(
    items: list[dict[str, Any]], params: Any, url: str, kind: str
) -> dict[str, Any] | Response:
    raw = params.get("limit", "10")
    if not raw.isdigit() or not 1 <= int(raw) <= 100:
        return stripe_error(
            400,
            "invalid_request_error",
            "Invalid limit: must be an integer between 1 and 100.",
            code="parameter_invalid_integer",
            param="limit",
        )
    limit = int(raw)
    ids = [i["id"] for i in items]
    for cursor_param in ("starting_after", "ending_before"):
        cursor = params.get(cursor_param)
        if cursor is not None and cursor not in ids:
            return stripe_error(
                400,
                "invalid_request_error",
                f"No such {kind}: '{cursor}'",
                code="resource_missing",
                param=cursor_param,
            )
    if (after := params.get("starting_after")) is not None:
        start = ids.index(after) + 1
        page, has_more = items[start : start + limit], len(items) > start + limit
    elif (before := params.get("ending_before")) is not None:
        end = ids.index(before)
        start = max(0, end - limit)
        page, has_more = items[start:end], start > 0
    else:
        page, has_more = items[:limit], len(items) > limit
    return {"object": "list", "url": url, "has_more": has_more, "data": page}


class PaymentsSandbox(Provider):
    """Stripe-shaped customers and payment intents."""

    name: ClassVar[str] = "payments"

    def __init__(
        self,
        customers: int = 200,
        *,
        api_keys: set[str] | None = None,
        rate_limit_per_s: float | None = None,
        processing_delay_s: float = 0.0,
    ) -> None:
        super().__init__()
        self.customers_seeded = customers
        self.api_keys: set[str] = set(api_keys or {"sk_test_colonnade_demo"})
        self.rate_limiter = RateLimiter(rate_limit_per_s)
        # Time a create holds its idempotency key before committing (makes 409s observable).
        self.processing_delay_s = processing_delay_s
        self.idempotency = IdempotencyStore()
        self.webhooks = WebhookSender()
        self._lock = threading.Lock()
        self.reset()
        self.app = CaptureCycle(Starlette(routes=self._routes()))

    @classmethod
    def fresh(cls, customers: int) -> Self:
        return cls(customers, api_keys={"sk_test_" + secrets.token_urlsafe(24)})

    def connector_settings(self) -> dict[str, Any]:
        return {"api_key": next(iter(sorted(self.api_keys)))}

    def send_webhooks(self, url: str, secret: str) -> bool:
        self.webhooks.configure(url, secret)
        return True

    def reset(self) -> None:
        seed = SeedData.build(customers=self.customers_seeded)
        with self._lock:
            self.customers: dict[str, dict[str, Any]] = {
                c.stripe_id: seeded_customer(c) for c in seed.customers
            }
            self.payment_intents: dict[str, dict[str, Any]] = {
                p.id: seeded_payment_intent(p) for p in seed.payments
            }
            self._next_customer = len(self.customers) + 1
            self._next_intent = len(self.payment_intents) + 1
        self.idempotency.clear()
        self.rate_limiter.reset()
        self.webhooks.reset()

    def rotate_key(self, new_key: str, *, keep_old: bool = True) -> None:
        """Add a key; with keep_old=False every other key stops working."""
        with self._lock:
            if not keep_old:
                self.api_keys.clear()
            self.api_keys.add(new_key)

    def _routes(self) -> list[Any]:
        return [
            self.route("/v1/customers", "payments.list_customers", self.list_customers, ["GET"]),
            self.route("/v1/customers", "payments.create_customer", self.create_customer, ["POST"]),
            self.route("/v1/customers/{id}", "payments.get_customer", self.get_customer, ["GET"]),
            self.route(
                "/v1/payment_intents", "payments.list_payment_intents", self.list_intents, ["GET"]
            ),
            self.route(
                "/v1/payment_intents",
                "payments.create_payment_intent",
                self.create_intent,
                ["POST"],
            ),
            self.route(
                "/v1/payment_intents/{id}", "payments.get_payment_intent", self.get_intent, ["GET"]
            ),
            Route("/__control/webhooks", self._configure_webhooks, methods=["POST"]),
            Route("/__control/webhooks", self._webhook_stats, methods=["GET"]),
            Route("/__control/intents/{id}/status", self._set_status, methods=["POST"]),
            Route("/__control/storm", self._storm, methods=["POST"]),
        ]

    # Webhooks -------------------------------------------------------------------------
    def _event(self, intent: dict[str, Any], type_: str) -> dict[str, Any]:
        return {
            "id": f"evt_{secrets.token_hex(12)}",
            "object": "event",
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "data": {"object": dict(intent)},
            "livemode": False,
            "pending_webhooks": 1,
            "request": {"id": None, "idempotency_key": None},
            "type": type_,
        }

    def _emit(self, intent: dict[str, Any], type_: str | None = None) -> None:
        self.webhooks.emit(self._event(intent, type_ or _EVENT_FOR_STATUS[intent["status"]]))

    def set_status(self, pid: str, status: str, *, notify: bool = True) -> dict[str, Any]:
        """Move an intent to ``status`` (what Stripe's async processing does) and send the
        webhook for it; a final intent (succeeded, canceled) does not move."""
        if status not in _EVENT_FOR_STATUS:
            raise ValueError(f"unknown status {status!r}")
        with self._lock:
            intent = self.payment_intents[pid]
            if intent["status"] in _FINAL:
                raise ValueError(f"{pid} is {intent['status']} and cannot change")
            intent["status"] = status
            if status == "succeeded":
                intent["amount_received"] = intent["amount"]
            if status == "canceled":
                intent["canceled_at"] = int(time.time())
            snapshot = dict(intent)
        if notify:
            self._emit(snapshot)
        return snapshot

    def storm(self, intents: int, customers: list[str] | None = None) -> list[str]:
        """``intents`` new PaymentIntents, each walked through a lifecycle with a webhook per
        step: requires_payment_method → requires_action → processing → succeeded (every
        fourth is canceled after requires_action instead)."""
        with self._lock:
            pool = customers or sorted(self.customers)[:20]
        ids: list[str] = []
        for n in range(intents):
            with self._lock:
                intent = self._execute_intent(
                    {"amount": str(100 + n), "currency": "eur", "customer": pool[n % len(pool)]}
                )
            ids.append(intent["id"])
            steps = ["requires_action", "canceled"] if n % 4 == 3 else [
                "requires_action", "processing", "succeeded"
            ]  # fmt: skip
            for status in steps:
                self.set_status(intent["id"], status)
        return ids

    async def _configure_webhooks(self, request: Request) -> Response:
        body = await request.json()
        self.webhooks.configure(
            body.get("url"),
            str(body.get("secret", "")),
            Chaos.from_json(body.get("chaos") or {}),
            retry_base_s=float(body.get("retry_base_s", 0.05)),
        )
        return JSONResponse({"ok": True})

    async def _webhook_stats(self, request: Request) -> Response:
        w = self.webhooks
        return JSONResponse(
            {
                "stats": dict(w.stats),
                "emitted": len(w.emitted),
                "delivered": len(w.delivered),
                "idle": w.idle(),
            }
        )

    async def _set_status(self, request: Request) -> Response:
        body = await request.json()
        try:
            intent = self.set_status(request.path_params["id"], str(body.get("status")))
        except KeyError:
            return stripe_error(404, "invalid_request_error", "No such payment_intent")
        except ValueError as exc:
            return stripe_error(400, "invalid_request_error", str(exc))
        return JSONResponse(intent)

    async def _storm(self, request: Request) -> Response:
        body = await request.json()
        ids = await asyncio.to_thread(self.storm, int(body.get("intents", 10)))
        return JSONResponse({"payment_intents": ids})

    # Test helpers ---------------------------------------------------------------------
    def payment_intent_count(self) -> int:
        with self._lock:
            return len(self.payment_intents)

    def payment_intents_for(self, customer_id: str) -> list[dict[str, Any]]:
        with self._lock:
            return [
                p for p in self._newest_first(self.payment_intents) if p["customer"] == customer_id
            ]

    # Fault shapes ---------------------------------------------------------------------
    def status_response(self, operation: str, status: int) -> Response:
        if status == 429:
            return stripe_error(429, "invalid_request_error", _RATE_MESSAGE, code="rate_limit")
        if status >= 500:
            return stripe_error(status, "api_error", "An unknown error occurred on Stripe's end.")
        return stripe_error(status, "invalid_request_error", f"Sandbox injected HTTP {status}")

    def error_in_200_response(self, operation: str) -> Response:
        body = {"error": {"type": "api_error", "message": "An unknown error occurred."}}
        return JSONResponse(body, status_code=200)

    def malformed_response(self, operation: str) -> Response:
        return Response(b'{"object": "list", "data": [{"id": "pi_', media_type="application/json")

    def finalize(self, request: Request, response: Response) -> None:
        response.headers["Request-Id"] = f"req_{secrets.token_hex(7)}"

    # Helpers --------------------------------------------------------------------------
    @staticmethod
    def _newest_first(objects: dict[str, dict[str, Any]]) -> list[dict[str, Any]]:
        return sorted(objects.values(), key=lambda o: (o["created"], o["id"]), reverse=True)

    def _api_key(self, request: Request) -> str | Response:
        auth = request.headers.get("authorization", "")
        key = ""
        if auth.lower().startswith("bearer "):
            key = auth[7:].strip()
        elif auth.lower().startswith("basic "):
            try:
                key = base64.b64decode(auth[6:]).decode().split(":", 1)[0]
            except (binascii.Error, UnicodeDecodeError):
                key = ""
        if not key:
            return stripe_error(
                401,
                "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth "
                "(e.g. 'Authorization: Bearer YOUR_SECRET_KEY').",
            )
        if key not in self.api_keys:
            return stripe_error(
                401, "invalid_request_error", f"Invalid API Key provided: {_mask(key)}"
            )
        if not self.rate_limiter.allow():
            return stripe_error(429, "invalid_request_error", _RATE_MESSAGE, code="rate_limit")
        return key

    async def _form(self, request: Request) -> dict[str, Any]:
        if "json" in request.headers.get("content-type", ""):
            raise _Invalid(
                stripe_error(
                    400,
                    "invalid_request_error",
                    "Invalid request: Stripe expects application/x-www-form-urlencoded bodies.",
                )
            )
        try:
            return forms.decode(await request.body())
        except (forms.FormError, UnicodeDecodeError) as exc:
            raise _Invalid(stripe_error(400, "invalid_request_error", str(exc))) from exc

    async def _idempotent_create(
        self,
        request: Request,
        api_key: str,
        validate: Callable[[dict[str, Any]], None],
        execute: Callable[[dict[str, Any]], dict[str, Any]],
    ) -> Response:
        """Validate, then run `execute` at most once per Idempotency-Key."""
        try:
            params = await self._form(request)
            key = request.headers.get("idempotency-key")
            if key is None:
                validate(params)
                return await self._execute(params, execute)
            if len(key) > 255:
                raise _Invalid(
                    stripe_error(
                        400,
                        "invalid_request_error",
                        "Idempotency-Key must be at most 255 characters long.",
                        param="Idempotency-Key",
                    )
                )
        except _Invalid as exc:
            return exc.response
        scope = IdempotencyStore.scope(api_key)
        fingerprint = IdempotencyStore.fingerprint(request.method, request.url.path, params)
        saved = self.idempotency.begin(scope, key, fingerprint)
        if saved is not None:
            return self._replay(saved.fingerprint == fingerprint, saved.status, saved.body, key)
        try:
            validate(params)
        except _Invalid as exc:
            self.idempotency.release(scope, key)
            return exc.response
        try:
            response: Response = await self._execute(params, execute)
        except Exception:
            # Stripe saves 500s too; a crashed execution must not leave the key "in use".
            response = stripe_error(500, "api_error", "An unknown error occurred on Stripe's end.")
            self.idempotency.finish(scope, key, response.status_code, bytes(response.body))
            raise
        self.idempotency.finish(scope, key, response.status_code, bytes(response.body))
        return response

    async def _execute(
        self, params: dict[str, Any], execute: Callable[[dict[str, Any]], dict[str, Any]]
    ) -> Response:
        if self.processing_delay_s > 0:
            await asyncio.sleep(self.processing_delay_s)
        with self._lock:
            return JSONResponse(execute(params))

    @staticmethod
    def _replay(same: bool, status: int | None, body: bytes | None, key: str) -> Response:
        if not same:
            return stripe_error(
                400,
                "idempotency_error",
                "Keys for idempotent requests can only be used with the same parameters they were "
                f"first used with. Try using a key other than '{key}' if you meant to execute a "
                "different request.",
            )
        if status is None or body is None:
            response = stripe_error(
                409,
                "idempotency_error",
                "There is currently another in-progress request using this Stripe token (probably "
                "the same Idempotency-Key). Please try again later.",
                code="idempotency_key_in_use",
            )
            response.headers["Stripe-Should-Retry"] = "true"
            return response
        return Response(
            body,
            status_code=status,
            media_type="application/json",
            headers={"Idempotent-Replayed": "true"},
        )

    # Customers ------------------------------------------------------------------------
    async def get_customer(self, request: Request) -> Response:
        if isinstance(key := self._api_key(request), Response):
            return key
        cid = request.path_params["id"]
        with self._lock:
            customer = self.customers.get(cid)
        if customer is None:
            return stripe_error(
                404,
                "invalid_request_error",
                f"No such customer: '{cid}'",
                code="resource_missing",
                param="id",
            )
        return JSONResponse(customer)

    async def list_customers(self, request: Request) -> Response:
        if isinstance(key := self._api_key(request), Response):
            return key
        with self._lock:
            items = self._newest_first(self.customers)
        page = _paginate(items, request.query_params, "/v1/customers", "customer")
        return page if isinstance(page, Response) else JSONResponse(page)

    async def create_customer(self, request: Request) -> Response:
        if isinstance(key := self._api_key(request), Response):
            return key

        def validate(params: dict[str, Any]) -> None:
            if not isinstance(params.get("metadata", {}), dict):
                raise _Invalid(stripe_error(400, "invalid_request_error", "Invalid metadata"))

        def execute(params: dict[str, Any]) -> dict[str, Any]:
            cid = f"cus_{self._next_customer:014d}"
            self._next_customer += 1
            customer = customer_object(
                cid,
                int(time.time()),
                name=params.get("name"),
                email=params.get("email"),
                description=params.get("description"),
                phone=params.get("phone"),
                metadata=params.get("metadata"),
            )
            self.customers[cid] = customer
            return customer

        return await self._idempotent_create(request, key, validate, execute)

    # Payment intents ------------------------------------------------------------------
    async def list_intents(self, request: Request) -> Response:
        if isinstance(key := self._api_key(request), Response):
            return key
        customer = request.query_params.get("customer")
        with self._lock:
            items = [
                p
                for p in self._newest_first(self.payment_intents)
                if customer is None or p["customer"] == customer
            ]
        page = _paginate(items, request.query_params, "/v1/payment_intents", "payment_intent")
        return page if isinstance(page, Response) else JSONResponse(page)

    async def get_intent(self, request: Request) -> Response:
        if isinstance(key := self._api_key(request), Response):
            return key
        pid = request.path_params["id"]
        with self._lock:
            intent = self.payment_intents.get(pid)
        if intent is None:
            return stripe_error(
                404,
                "invalid_request_error",
                f"No such payment_intent: '{pid}'",
                code="resource_missing",
                param="intent",
            )
        return JSONResponse(intent)

    def _validate_intent(self, params: dict[str, Any]) -> None:
        for required in ("amount", "currency"):
            if not params.get(required):
                raise _Invalid(_missing(required))
        amount = str(params["amount"])
        if not amount.isdigit() or int(amount) <= 0:
            raise _Invalid(
                stripe_error(
                    400,
                    "invalid_request_error",
                    "This value must be greater than or equal to 1.",
                    code="parameter_invalid_integer",
                    param="amount",
                )
            )
        if not _CURRENCY.match(str(params["currency"])):
            raise _Invalid(
                stripe_error(
                    400,
                    "invalid_request_error",
                    f"Invalid currency: {params['currency']}",
                    code="parameter_invalid_string",
                    param="currency",
                )
            )
        if not isinstance(params.get("metadata", {}), dict):
            raise _Invalid(stripe_error(400, "invalid_request_error", "Invalid metadata"))
        customer = params.get("customer")
        with self._lock:
            known = customer is None or customer in self.customers
        if not known:
            raise _Invalid(
                stripe_error(
                    400,
                    "invalid_request_error",
                    f"No such customer: '{customer}'",
                    code="resource_missing",
                    param="customer",
                )
            )

    def _execute_intent(self, params: dict[str, Any]) -> dict[str, Any]:
        pid = f"pi_{self._next_intent:024d}"
        self._next_intent += 1
        intent = payment_intent_object(
            pid,
            int(time.time()),
            int(params["amount"]),
            str(params["currency"]).lower(),
            customer=params.get("customer"),
            description=params.get("description"),
            metadata=params.get("metadata"),
            succeeded=params.get("confirm") == "true",
        )
        self.payment_intents[pid] = intent
        if intent["status"] == "succeeded":
            self._emit({**intent, "status": "requires_confirmation"}, "payment_intent.created")
            self._emit(intent)
        else:
            self._emit(intent, "payment_intent.created")
        return intent

    async def create_intent(self, request: Request) -> Response:
        if isinstance(key := self._api_key(request), Response):
            return key
        return await self._idempotent_create(
            request, key, self._validate_intent, self._execute_intent
        )
