"""Read orchestration: which loader answers which field, and how a customer links across
systems (the CRM record carries the ERP customer number and the payment customer id)."""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any

from strawberry.types import Info

from colonnade.connectors.domain import Customer, CustomerPage, Payment, SalesOrder
from colonnade.connectors.ports import CustomerDirectory, OrderBook, PaymentGateway
from colonnade.errors import BadUserInput, UpstreamContractViolation
from colonnade.fallbacks import Fallback, guarded
from colonnade.fetched import Fetched
from colonnade.resolvers import inputs, loaders
from colonnade.resolvers.context import context_of, unwrap

MAX_PAGE = 100
_MAX_CURSOR = 8_192  # a 255-character name, JSON-escaped and base64-encoded, fits


async def customer(info: Info[Any, Any], customer_id: str) -> Customer | None:
    loaded: Fetched[Customer | None] = await loaders.customer(context_of(info)).load(customer_id)
    return unwrap(info, _name(info, CustomerDirectory), loaded)


async def customer_page(info: Info[Any, Any], first: int, after: str | None) -> CustomerPage:
    if not 0 < first <= MAX_PAGE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE}, got {first}")
    ctx = context_of(info)
    fetched = await ctx.services.port(CustomerDirectory).customer_page(first, decode_cursor(after))
    page = unwrap(info, _name(info, CustomerDirectory), fetched)
    for c in page.customers:  # later customer(id) lookups in this request cost nothing
        # ...and carry the page's freshness: a stale page makes stale customers.
        loaders.customer(ctx).prime(
            c.id, Fetched(c, fetched.stale, fetched.as_of, fetched.reason, fetched.error_code)
        )
    return page


# Declared fallbacks (see colonnade.fallbacks): what a field shows when its provider fails.
TOTAL_COUNT_FALLBACK = Fallback.default(None)
PAYMENTS_FALLBACK = Fallback.message("Payment history is temporarily unavailable.")


async def customer_count(info: Info[Any, Any]) -> int | None:
    async def load() -> int:
        return unwrap(info, _name(info, CustomerDirectory), await _crm(info).customer_count())

    return await guarded(info, TOTAL_COUNT_FALLBACK, load())


def link(of: Customer, field: str) -> str | None:
    """The id that joins this customer to another system; drift in it is an error."""
    if field in getattr(of, "unknown_links", ()):  # a federation Reference has no record
        raise UpstreamContractViolation(
            "crm sent this customer's record without the field that links it to "
            f"{_LINKED[field]} (schema drift); the link is unknown, not empty",
            connector="crm",
        )
    value: str | None = getattr(of, field)
    return value


_LINKED = {"erp_customer_number": "the ERP", "payment_customer_id": "the payment provider"}


async def orders_of(info: Info[Any, Any], of: Customer) -> list[SalesOrder]:
    number = link(of, "erp_customer_number")
    if not number:
        return []
    loaded: Fetched[list[SalesOrder]] = await loaders.orders_by_customer(context_of(info)).load(
        number
    )
    return unwrap(info, _name(info, OrderBook), loaded)


async def payments_of(info: Info[Any, Any], of: Customer, first: int) -> list[Payment]:
    if not 0 < first <= MAX_PAGE:
        raise BadUserInput(f"`first` must be between 1 and {MAX_PAGE}, got {first}")
    account = link(of, "payment_customer_id")
    if not account:
        return []
    loader = loaders.payments_by_customer(context_of(info))
    loaded: Fetched[list[Payment]] = await guarded(info, PAYMENTS_FALLBACK, loader.load(account))
    return unwrap(info, _name(info, PaymentGateway), loaded)[:first]


async def sales_order(info: Info[Any, Any], number: str) -> SalesOrder | None:
    inputs.order_number(number)
    loaded: Fetched[SalesOrder | None] = await loaders.order(context_of(info)).load(number)
    return unwrap(info, _name(info, OrderBook), loaded)


async def payment(info: Info[Any, Any], payment_id: str) -> Payment | None:
    loaded: Fetched[Payment | None] = await loaders.payment(context_of(info)).load(payment_id)
    return unwrap(info, _name(info, PaymentGateway), loaded)


def encode_cursor(c: Customer) -> str:
    return base64.urlsafe_b64encode(json.dumps([c.name, c.id]).encode()).decode()


def decode_cursor(cursor: str | None) -> tuple[str, str] | None:
    """A cursor is client input: what it decodes to goes into a SOQL literal, so it must be
    a name and a CRM id of the kind this API issues, or it is refused before any call."""
    if cursor is None:
        return None
    if len(cursor) <= _MAX_CURSOR and cursor.isascii():
        try:
            name, id_ = json.loads(base64.urlsafe_b64decode(cursor.encode()))
            if isinstance(name, str) and isinstance(id_, str):
                inputs.encodable("after", name)
                inputs.crm_id("after", id_)
                return name, id_
        except (ValueError, binascii.Error, TypeError, BadUserInput):
            pass
    raise BadUserInput("`after` is not a cursor this API issued; pass a pageInfo.endCursor")


def _crm(info: Info[Any, Any]) -> CustomerDirectory:
    return context_of(info).services.port(CustomerDirectory)


def _name(info: Info[Any, Any], port: type) -> str:
    """The connector answering ``port`` here: stale data and errors are labelled with it."""
    name: str = context_of(info).services.port(port).name
    return name
