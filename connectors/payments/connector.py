"""Stripe-shaped payments: list a customer's PaymentIntents, fetch one, create one.

Stripe has no "payments of many customers" endpoint, so a batch of customers costs one list
call per customer — concurrently, deduplicated, bounded by the bulkhead, and cached per
customer. Creates carry the client's ``Idempotency-Key``, so the engine may retry them and
Stripe replays the first result. ``Stripe-Should-Retry`` overrides our own retry judgement.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import httpx
from pydantic import TypeAdapter

from colonnade.auth import BearerKeyAuth, Secret
from colonnade.connector import HttpConnector
from colonnade.connectors.domain import Payment, PaymentDraft
from colonnade.connectors.payments.mapping import to_minor, to_payment
from colonnade.connectors.payments.models import (
    PAYMENT_INTENT,
    PAYMENT_INTENT_LIST,
    StripePaymentIntent,
)
from colonnade.connectors.payments.settings import PaymentsSettings
from colonnade.connectors.ports import PerKey
from colonnade.errors import BadUserInput, UpstreamError
from colonnade.pipeline.operation import Kind, Operation
from colonnade.pipeline.resilient import Attempt
from colonnade.runtime import Runtime

# A customer's payment history: when Stripe fails, yesterday's list beats none (labelled).
PAYMENTS_BY_CUSTOMER = Operation(
    "payments", "payments_by_customer", tier="short", last_known_good_s=86_400
)
PAYMENT_BY_ID = Operation("payments", "payment_by_id", tier="short")
CREATE_PAYMENT = Operation("payments", "create_payment", kind=Kind.WRITE, native_idempotency=True)

_PAYMENTS = TypeAdapter(list[Payment])
_PAYMENT = TypeAdapter(Payment | None)
_PAYMENT_REQUIRED = TypeAdapter(Payment)
_MAX_PAGES = 10
_PAYMENT_INTENT_ID = re.compile(r"pi_[A-Za-z0-9]{1,64}")


def customer_tag(customer_id: str) -> str:
    return f"payments:customer:{customer_id}"


def payment_tag(payment_id: str) -> str:
    return f"payments:payment:{payment_id}"


class PaymentsConnector(HttpConnector):
    name = "payments"
    operations = (PAYMENTS_BY_CUSTOMER, PAYMENT_BY_ID, CREATE_PAYMENT)
    api_version = "2024-06-20"  # the Stripe-Version whose object shapes models.py declares

    def __init__(self, settings: PaymentsSettings, runtime: Runtime) -> None:
        super().__init__(settings, runtime)
        self.http.headers["Stripe-Version"] = self.api_version
        self.page_size = settings.page_size
        self.auth = BearerKeyAuth(
            Secret("connectors.payments.api_key", settings.api_key, settings.api_key_file)
        )

    # ----------------------------------------------------------------- port: PaymentGateway
    async def payments_by_customer(self, customer_ids: Sequence[str]) -> PerKey[list[Payment]]:
        return await self.pipeline.read_each(
            PAYMENTS_BY_CUSTOMER,
            customer_ids,
            self._list_for_customer,
            _PAYMENTS,
            scope=self.cache_scope(),
            tags_for=lambda c: (customer_tag(c),),
        )

    async def payments_by_id(self, ids: Sequence[str]) -> PerKey[Payment | None]:
        valid = [i for i in dict.fromkeys(ids) if _PAYMENT_INTENT_ID.fullmatch(i)]
        results: PerKey[Payment | None] = {
            i: BadUserInput(f"{i!r} is not a payment id (pi_ followed by letters and digits)")
            for i in ids
            if i not in valid
        }  # an id becomes a URL path segment: never let "../customers" through
        results.update(
            await self.pipeline.read_each(
                PAYMENT_BY_ID,
                valid,
                self._get_one,
                _PAYMENT,
                scope=self.cache_scope(),
                tags_for=lambda i: (payment_tag(i),),
            )
        )
        return results

    async def create_payment(self, draft: PaymentDraft, idempotency_key: str) -> Payment:
        try:
            minor = to_minor(draft.amount)
        except ValueError as exc:
            raise BadUserInput(str(exc)) from None
        form: dict[str, Any] = {
            "amount": str(minor),
            "currency": draft.amount.currency.lower(),
            "customer": draft.customer_id,
            "confirm": "true" if draft.confirm else "false",
        }
        if draft.description:
            form["description"] = draft.description

        async def send(attempt: Attempt) -> Payment:
            request = self.http.build_request(
                "POST",
                "/v1/payment_intents",
                data=form,
                headers={"Idempotency-Key": idempotency_key},
            )
            response = await self.send(attempt, CREATE_PAYMENT, request)
            return self._payment(
                CREATE_PAYMENT, self.parse(CREATE_PAYMENT, response, PAYMENT_INTENT)
            )

        return await self.pipeline.write(
            CREATE_PAYMENT,
            send,
            _PAYMENT_REQUIRED,
            args=form,
            scope=self.write_scope(),
            idempotency_key=idempotency_key,
            invalidate_tags=(customer_tag(draft.customer_id),),
        )

    async def contract_probe(self) -> None:
        """A customer's payments, then one of them by id (live: contract_samples.customer)."""
        customer = self.settings.contract_samples.get("customer", "cus_00000000000002")
        listed = (await self.payments_by_customer([customer]))[customer]
        if not isinstance(listed, BaseException) and listed.value:
            await self.payments_by_id([listed.value[0].id])

    # ----------------------------------------------------------------- wire
    async def _list_for_customer(self, customer_id: str, attempt: Attempt) -> list[Payment]:
        payments: list[Payment] = []
        params: dict[str, str] = {"customer": customer_id, "limit": str(self.page_size)}
        for _ in range(_MAX_PAGES):
            request = self.http.build_request("GET", "/v1/payment_intents", params=params)
            response = await self.send(attempt, PAYMENTS_BY_CUSTOMER, request)
            page = await self.aparse(PAYMENTS_BY_CUSTOMER, response, PAYMENT_INTENT_LIST)
            payments.extend(self._payment(PAYMENTS_BY_CUSTOMER, i) for i in page.data)
            if not page.has_more or not page.data:
                break
            params["starting_after"] = page.data[-1].id
        return payments

    async def _get_one(self, payment_id: str, attempt: Attempt) -> Payment | None:
        request = self.http.build_request("GET", f"/v1/payment_intents/{payment_id}")
        try:
            response = await self.send(attempt, PAYMENT_BY_ID, request)
        except UpstreamError as err:
            if err.status == 404:
                return None
            raise
        return self._payment(PAYMENT_BY_ID, self.parse(PAYMENT_BY_ID, response, PAYMENT_INTENT))

    def _payment(self, op: Operation, intent: StripePaymentIntent) -> Payment:
        """Map, or a typed contract violation (an unknown status, a currency we cannot
        read) — never an unclassified error that would be masked as a bug."""
        try:
            return to_payment(intent)
        except ValueError as exc:
            raise self.contract_violation(op, exc) from None

    # ----------------------------------------------------------------- classification
    def provider_error(self, response: httpx.Response) -> tuple[str | None, str | None]:
        try:
            body: Any = response.json()
        except ValueError:
            return None, None
        error = body.get("error") if isinstance(body, dict) else None
        if not isinstance(error, dict):
            return None, None
        return error.get("code") or error.get("type"), error.get("message")

    def error_for(self, op: Operation, response: httpx.Response) -> UpstreamError:
        err = super().error_for(op, response)
        hint = response.headers.get("Stripe-Should-Retry")
        if hint in ("true", "false"):
            err.retryable = hint == "true"
        return err

    def check_success(self, op: Operation, response: httpx.Response) -> None:
        if response.content[:20].lstrip().startswith(b"{") and b'"error"' in response.content[:64]:
            code, _ = self.provider_error(response)
            if code is not None:
                raise self.error_inside_success(op, response, code)
