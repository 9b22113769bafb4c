"""Deterministic seed data: one customer population present in CRM, ERP and payments.

Everything derives from random.Random(seed) and arithmetic, never the wall clock, so two
sandboxes built with the same arguments hold identical data.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

EPOCH = datetime(2024, 1, 15, 10, 0, 0, tzinfo=UTC)

_PREFIXES = [
    "Acme", "Aurora", "Baltic", "Beacon", "Cobalt", "Crescent", "Delta", "Emerald", "Falcon",
    "Granite", "Harbor", "Helix", "Iron", "Juniper", "Keystone", "Lumen", "Meridian", "Nimbus",
    "Northwind", "Orion", "Pinnacle", "Quartz", "Redwood", "Summit", "Tandem", "Umbra", "Vertex",
    "Willow", "Zenith", "Atlas",
]  # fmt: skip
_CORES = [
    "Analytics", "Bakery", "Logistics", "Robotics", "Textiles", "Foods", "Energy", "Optics",
    "Pharma", "Systems", "Tooling", "Media", "Freight", "Metals", "Software", "Outfitters",
]  # fmt: skip
_SUFFIXES = ["GmbH", "Ltd", "Inc", "AG", "BV", "SAS", "LLC", "Group"]
_INDUSTRIES = [
    "Manufacturing", "Retail", "Technology", "Healthcare", "Energy", "Transportation",
    "Food & Beverage",
]  # fmt: skip
_CITIES = [
    ("Berlin", "DE", "EUR", "10115"), ("Hamburg", "DE", "EUR", "20095"),
    ("Munich", "DE", "EUR", "80331"), ("Paris", "FR", "EUR", "75001"),
    ("Lyon", "FR", "EUR", "69001"), ("Amsterdam", "NL", "EUR", "1012"),
    ("London", "GB", "GBP", "EC1A 1BB"), ("Manchester", "GB", "GBP", "M1 1AE"),
    ("New York", "US", "USD", "10001"), ("Chicago", "US", "USD", "60601"),
]  # fmt: skip
_STREETS = ["Main Street", "Harbour Road", "Market Square", "Station Avenue", "Mill Lane"]
MATERIALS: dict[str, str] = {
    "MAT-1000": "Steel bolt M8",
    "MAT-1001": "Copper wire 2mm",
    "MAT-1002": "Hydraulic pump",
    "MAT-1003": "Conveyor belt 5m",
    "MAT-1004": "Safety gloves",
    "MAT-1005": "Control unit X2",
    "MAT-1006": "LED panel 60x60",
    "MAT-1007": "Bearing 6204",
}


@dataclass(frozen=True)
class Customer:
    """A customer as it exists in all three systems (ids cross-reference each other)."""

    index: int
    crm_id: str
    kunnr: str
    stripe_id: str
    name: str
    account_number: str
    industry: str
    phone: str
    website: str
    street: str
    city: str
    postal_code: str
    country: str
    currency: str
    email: str
    created: datetime


@dataclass
class OrderItem:
    """One sales-order line; netwr is the line's net value (qty * unit price)."""

    posnr: str
    matnr: str
    arktx: str
    kwmeng: Decimal
    vrkme: str
    netwr: Decimal


@dataclass
class SalesOrder:
    """SAP-style sales order header with its items."""

    vbeln: str
    kunnr: str
    audat: date
    bstnk: str
    waerk: str
    gbstk: str
    items: list[OrderItem] = field(default_factory=list)
    ihrez: str = ""
    """"Your reference" (12 chars): callers use it to find an order again."""

    @property
    def netwr(self) -> Decimal:
        return sum((i.netwr for i in self.items), Decimal("0.00"))


@dataclass(frozen=True)
class PaymentSeed:
    """A succeeded payment intent as seeded; the payments sandbox renders the Stripe object."""

    id: str
    customer: str
    amount: int
    currency: str
    created: int
    description: str
    order_vbeln: str | None


def crm_id(i: int) -> str:
    return "001" + f"{i:012d}" + "AAA"


def kunnr(i: int) -> str:
    return f"{100000 + i:010d}"


def stripe_customer_id(i: int) -> str:
    return f"cus_{i:014d}"


def vbeln(n: int) -> str:
    return f"{500000 + n:010d}"


def payment_intent_id(n: int) -> str:
    return f"pi_{n:024d}"


def posnr(line: int) -> str:
    return f"{line * 10:06d}"


@dataclass
class SeedData:
    """The whole seeded world; build with SeedData.build(customers=N)."""

    customers: list[Customer]
    orders: list[SalesOrder]
    payments: list[PaymentSeed]

    @classmethod
    def build(cls, customers: int = 200, seed: int = 42) -> SeedData:
        rng = random.Random(seed)
        people: list[Customer] = []
        orders: list[SalesOrder] = []
        payments: list[PaymentSeed] = []
        for i in range(1, customers + 1):
            cust = _customer(i, rng)
            people.append(cust)
            cust_orders = [_order(len(orders) + k + 1, cust, rng) for k in range(rng.randint(0, 5))]
            orders.extend(cust_orders)
            for _ in range(rng.randint(0, 4)):
                n = len(payments) + 1
                linked = rng.choice(cust_orders) if cust_orders else None
                amount = int(linked.netwr * 100) if linked else rng.randint(500, 250_000)
                payments.append(
                    PaymentSeed(
                        id=payment_intent_id(n),
                        customer=cust.stripe_id,
                        amount=amount,
                        currency=cust.currency.lower(),
                        created=int((EPOCH + timedelta(days=30, minutes=97 * n)).timestamp()),
                        description=f"Payment for order {linked.vbeln}" if linked else "Deposit",
                        order_vbeln=linked.vbeln if linked else None,
                    )
                )
        return cls(customers=people, orders=orders, payments=payments)


def _customer(i: int, rng: random.Random) -> Customer:
    name = f"{rng.choice(_PREFIXES)} {rng.choice(_CORES)} {rng.choice(_SUFFIXES)}"
    city, country, currency, postal = rng.choice(_CITIES)
    slug = name.split()[0].lower() + name.split()[1].lower()
    return Customer(
        index=i,
        crm_id=crm_id(i),
        kunnr=kunnr(i),
        stripe_id=stripe_customer_id(i),
        name=name,
        account_number=f"CUST-{i:05d}",
        industry=rng.choice(_INDUSTRIES),
        phone=f"+{rng.randint(1, 49)} {rng.randint(100, 999)} {rng.randint(100000, 999999)}",
        website=f"https://www.{slug}{i}.example",
        street=f"{rng.randint(1, 200)} {rng.choice(_STREETS)}",
        city=city,
        postal_code=postal,
        country=country,
        currency=currency,
        email=f"billing@{slug}{i}.example",
        created=EPOCH + timedelta(hours=i),
    )


def _order(n: int, cust: Customer, rng: random.Random) -> SalesOrder:
    items = []
    for line in range(1, rng.randint(1, 4) + 1):
        matnr = rng.choice(sorted(MATERIALS))
        qty = Decimal(rng.randint(1, 50))
        price = Decimal(rng.randint(100, 50_000)) / 100
        items.append(
            OrderItem(
                posnr=posnr(line),
                matnr=matnr,
                arktx=MATERIALS[matnr],
                kwmeng=qty.quantize(Decimal("0.001")),
                vrkme="PC",
                netwr=(qty * price).quantize(Decimal("0.01")),
            )
        )
    return SalesOrder(
        vbeln=vbeln(n),
        kunnr=cust.kunnr,
        audat=(EPOCH + timedelta(days=n % 300)).date(),
        bstnk=f"PO-{rng.randint(1000, 9999)}" if rng.random() < 0.7 else "",
        waerk=cust.currency,
        gbstk=rng.choice("AABCC"),
        items=items,
    )
