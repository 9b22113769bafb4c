"""``_entities``: how a federation router fetches a Colonnade entity from its key.

A representation is resolved through the same DataLoaders as the graph's own fields, so N
representations in one request cost what a list query costs: one batched provider call per
loader, not N. The scopes a representation needs are its entity type's (``@requiresScopes``
on the type, checked by ``colonnade.platform.representations`` for stubs and owners alike).
"""

from __future__ import annotations

from typing import Any

from strawberry.types import Info

from colonnade.connectors.domain import Customer, Payment, SalesOrder
from colonnade.connectors.ports import CustomerDirectory
from colonnade.errors import BadUserInput
from colonnade.fetched import Fetched
from colonnade.resolvers import loaders, queries
from colonnade.resolvers.context import context_of, unwrap


async def customer(
    info: Info[Any, Any], id: str | None, erp_customer_number: str | None
) -> Customer | None:
    """By CRM id, or by ERP customer number (the second key): whichever the router sent."""
    if id is not None:
        return await queries.customer(info, str(id))
    if erp_customer_number is None:
        raise BadUserInput("a Customer representation needs `id` or `erpCustomerNumber`")
    ctx = context_of(info)
    loaded: Fetched[Customer | None] = await loaders.customer_by_erp_number(ctx).load(
        erp_customer_number
    )
    name: str = ctx.services.port(CustomerDirectory).name
    return unwrap(info, name, loaded)


async def sales_order(info: Info[Any, Any], number: str) -> SalesOrder | None:
    return await queries.sales_order(info, str(number))


async def payment(info: Info[Any, Any], id: str) -> Payment | None:
    return await queries.payment(info, str(id))
