"""The commerce graph, written against ports (``connectors.ports``), never against a
connector: whichever connector provides a ``CustomerDirectory``, ``OrderBook`` or
``PaymentGateway`` answers it. Each part is served when its ports are (``colonnade.platform``).
"""

from __future__ import annotations

from colonnade.connectors.ports import CustomerDirectory, OrderBook, PaymentGateway
from colonnade.platform import GraphPart
from colonnade.schema.root import (
    CustomerQuery,
    OrderMutation,
    OrderQuery,
    PaymentMutation,
    PaymentQuery,
)
from colonnade.schema.sensors import SensorQuery, start_sensors
from colonnade.schema.subscriptions import PaymentSubscription, SensorSubscription
from colonnade.schema.types import (
    Customer,
    CustomerOrders,
    CustomerPayments,
    Money,
    Payment,
    SalesOrder,
)

CUSTOMERS = GraphPart(
    name="customers",
    query=CustomerQuery,
    exports=(Customer, Money, Payment, SalesOrder),  # extended by name: {"Money": ...}
    entities=(Customer,),
    requires=(CustomerDirectory,),
)
ORDERS = GraphPart(
    name="orders",
    query=OrderQuery,
    mutation=OrderMutation,
    extends={Customer: CustomerOrders},
    needs={Customer: ("erp_customer_number",)},  # what Customer.salesOrders reads
    entities=(SalesOrder,),
    requires=(OrderBook, CustomerDirectory),
)
PAYMENTS = GraphPart(
    name="payments",
    query=PaymentQuery,
    mutation=PaymentMutation,
    subscription=PaymentSubscription,
    extends={Customer: CustomerPayments},
    needs={Customer: ("payment_customer_id",)},  # what Customer.payments reads
    entities=(Payment,),
    requires=(PaymentGateway, CustomerDirectory),
)
SENSORS = GraphPart(
    name="sensors", query=SensorQuery, subscription=SensorSubscription, start=start_sensors
)


def plugins() -> list[GraphPart]:
    """The ``colonnade.plugins`` entry point ``graph``."""
    return [CUSTOMERS, ORDERS, PAYMENTS, SENSORS]


__all__ = ["plugins"]
