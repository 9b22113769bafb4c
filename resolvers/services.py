"""The connectors behind the ports, built once per process from the settings."""

from __future__ import annotations

from dataclasses import dataclass

from colonnade.connectors.crm import CrmConnector
from colonnade.connectors.erp import ErpConnector
from colonnade.connectors.payments import PaymentsConnector
from colonnade.connectors.ports import CustomerDirectory, OrderBook, PaymentGateway
from colonnade.runtime import Runtime


@dataclass(slots=True)
class Services:
    customers: CustomerDirectory
    orders: OrderBook
    payments: PaymentGateway
    closers: tuple[CrmConnector | ErpConnector | PaymentsConnector, ...] = ()

    async def aclose(self) -> None:
        for connector in self.closers:
            await connector.aclose()


def build_services(runtime: Runtime) -> Services:
    """Construct every connector (loads WSDLs now, at start-up, never per request)."""
    connectors = runtime.settings.connectors
    crm = CrmConnector(connectors.crm, runtime)
    erp = ErpConnector(connectors.erp, runtime)
    payments = PaymentsConnector(connectors.payments, runtime)
    return Services(customers=crm, orders=erp, payments=payments, closers=(crm, erp, payments))
