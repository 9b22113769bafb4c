"""``Query.vatNumber``: this connector's own part of the graph (no port: only VIES answers it).

A failed check is the field's alone: null, with the typed code in ``extensions`` —
BAD_USER_INPUT for a malformed number (ours or VIES's INVALID_INPUT), UPSTREAM_UNAVAILABLE,
UPSTREAM_TIMEOUT or UPSTREAM_RATE_LIMITED as ``faults.CODES`` maps VIES's faults, CIRCUIT_OPEN
while the member state (or VIES) is paused.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import strawberry
from strawberry.types import Info

from colonnade import GraphPart, context_of, cost, requires, unwrap
from colonnade.connectors.vat.models import VatRegistration as Registration


@strawberry.type(description="A VAT number as the EU's VIES service knows it.")
class VatRegistration:
    country_code: str = strawberry.field(
        description="The member state's VAT prefix (EL for Greece, XI for Northern Ireland)."
    )
    vat_number: str = strawberry.field(description="The national part of the number.")
    valid: bool = strawberry.field(
        description="Whether the number is registered for intra-Community trade today."
    )
    name: str | None = strawberry.field(
        description="The registered trader's name; null where the member state does not "
        "disclose it."
    )
    address: str | None = strawberry.field(
        description="The registered trader's address (lines separated by newlines); null "
        "where the member state does not disclose it."
    )
    request_date: date = strawberry.field(description="The day VIES answered the check.")

    @classmethod
    def of(cls, r: Registration) -> VatRegistration:
        return cls(
            country_code=r.country_code,
            vat_number=r.vat_number,
            valid=r.valid,
            name=r.name,
            address=r.address,
            request_date=r.request_date,
        )


async def check(info: Info[Any, Any], number: str) -> VatRegistration | None:
    ctx = context_of(info)
    loader = ctx.loaders.get(
        "vat.registrations", lambda: ctx.services.connector("vat").registrations
    )
    return VatRegistration.of(unwrap(info, "vat", await loader.load(number)))


@strawberry.type
class VatQuery:
    vat_number: VatRegistration | None = strawberry.field(
        resolver=check,
        description="Check an EU VAT number at VIES, written with its country prefix "
        "(DE123456789; spaces and dots are ignored). Null, with an error, when the number is "
        "malformed or VIES (or the member state's register) cannot answer.",
        extensions=[requires("vat:read")],
        directives=cost(1),
    )


VAT_GRAPH = GraphPart(name="vat", query=VatQuery)
