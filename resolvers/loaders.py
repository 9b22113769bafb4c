"""The commerce graph's DataLoaders: every field that needs a customer, a customer's orders
or payments asks one, and the loader turns one tick's worth of asks into one port call."""

from __future__ import annotations

from typing import Any

from aiodataloader import DataLoader

from colonnade.connectors.ports import CustomerDirectory, OrderBook, PaymentGateway
from colonnade.platform.context import RequestContext


def customer(ctx: RequestContext) -> DataLoader[str, Any]:
    return ctx.loaders.get(
        "customer", lambda: ctx.services.port(CustomerDirectory).customers_by_id, 200
    )


def customer_by_erp_number(ctx: RequestContext) -> DataLoader[str, Any]:
    return ctx.loaders.get(
        "customer_by_erp_number",
        lambda: ctx.services.port(CustomerDirectory).customers_by_erp_number,
        200,
    )


def orders_by_customer(ctx: RequestContext) -> DataLoader[str, Any]:
    return ctx.loaders.get(
        "orders_by_customer", lambda: ctx.services.port(OrderBook).orders_by_customer
    )


def order(ctx: RequestContext) -> DataLoader[str, Any]:
    return ctx.loaders.get("order", lambda: ctx.services.port(OrderBook).orders_by_number)


def payments_by_customer(ctx: RequestContext) -> DataLoader[str, Any]:
    return ctx.loaders.get(
        "payments_by_customer", lambda: ctx.services.port(PaymentGateway).payments_by_customer
    )


def payment(ctx: RequestContext) -> DataLoader[str, Any]:
    return ctx.loaders.get("payment", lambda: ctx.services.port(PaymentGateway).payments_by_id)
