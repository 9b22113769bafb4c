"""Stripe-shaped payments, declared: a customer's PaymentIntents (one cursor walk per
customer: Stripe has no batch endpoint), one by id (a 404 is none), and creates carrying the
client's Idempotency-Key, which Stripe honours (so the engine may retry; Stripe replays).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Literal

from pydantic import BaseModel

from colonnade import BadUserInput, Bearer, Cursor, ErrorBody, Keys, RestConnector, RestOperation
from colonnade.connectors.domain import Payment, PaymentDraft, PaymentStatus
from colonnade.connectors.payments.mapping import from_minor, to_minor
from colonnade.connectors.ports import PerKey


class StripePaymentIntent(BaseModel):  # field names from Stripe's OpenAPI spec
    id: str
    object: Literal["payment_intent"]
    amount: int
    currency: str
    status: str
    created: int
    customer: str | None = None
    description: str | None = None


def to_payment(i: StripePaymentIntent) -> Payment:
    return Payment(
        id=i.id,
        amount=from_minor(i.amount, i.currency),
        status=PaymentStatus(i.status),
        created_at=datetime.fromtimestamp(i.created, tz=UTC),
        description=i.description,
        customer_id=i.customer,
    )


def customer_tag(customer_id: str) -> str:
    return f"payments:customer:{customer_id}"


def payment_tag(payment_id: str) -> str:
    return f"payments:payment:{payment_id}"


class PaymentsConnector(RestConnector):
    name = "payments"
    api_version = "2024-06-20"  # the Stripe-Version whose object shapes the model declares
    version_header = "Stripe-Version"
    credentials = Bearer("api_key")
    errors = ErrorBody(
        code=("error.code", "error.type"),
        message="error.message",
        in_success=True,
        retry_header="Stripe-Should-Retry",
    )
    # A customer's payment history: when Stripe fails, yesterday's list beats none (labelled).
    by_customer = RestOperation(
        "GET",
        "/v1/payment_intents",
        StripePaymentIntent,
        to_payment,
        name="payments_by_customer",
        params={"customer": "{key}", "limit": "{settings.page_size}"},
        pages=Cursor("starting_after", last_item="id", has_more="has_more"),
        tier="short",
        # A router (or a caller of a payments subgraph) names the customer: check it first.
        keys=Keys(r"cus_[A-Za-z0-9]{1,64}", "a payment customer id (cus_ then letters, digits)"),
        last_known_good_s=86_400,
        tags=(customer_tag("{key}"),),
    )
    by_id = RestOperation(
        "GET",
        "/v1/payment_intents/{key}",
        StripePaymentIntent,
        to_payment,
        name="payment_by_id",
        tier="short",
        tags=(payment_tag("{key}"),),
        keys=Keys(r"pi_[A-Za-z0-9]{1,64}", "a payment id (pi_ followed by letters and digits)"),
    )
    create = RestOperation(
        "POST",
        "/v1/payment_intents",
        StripePaymentIntent,
        to_payment,
        name="create_payment",
        body=("amount", "currency", "customer", "confirm", "description"),
        form=True,
        idempotency_header="Idempotency-Key",
        invalidates=(customer_tag("{customer}"),),
    )

    async def payments_by_customer(self, customer_ids: Sequence[str]) -> PerKey[list[Payment]]:
        return await self.call_each(self.by_customer, customer_ids)

    async def payments_by_id(self, ids: Sequence[str]) -> PerKey[Payment | None]:
        return await self.find_each(self.by_id, ids)

    async def create_payment(self, draft: PaymentDraft, idempotency_key: str) -> Payment:
        try:
            minor = to_minor(draft.amount)
        except ValueError as exc:
            raise BadUserInput(str(exc)) from None
        return await self.write(
            self.create,
            idempotency_key=idempotency_key,
            amount=minor,
            currency=draft.amount.currency.lower(),
            customer=draft.customer_id,
            confirm=draft.confirm,
            description=draft.description or None,
        )

    async def contract_probe(self) -> None:
        """A customer's payments, then one of them by id (live: contract_samples.customer)."""
        customer = self.settings.contract_samples.get("customer", "cus_00000000000002")
        listed = (await self.payments_by_customer([customer]))[customer]
        if not isinstance(listed, BaseException) and listed.value:
            await self.payments_by_id([listed.value[0].id])


PAYMENTS_BY_CUSTOMER = PaymentsConnector.by_customer.operation
PAYMENT_BY_ID = PaymentsConnector.by_id.operation
CREATE_PAYMENT = PaymentsConnector.create.operation
