"""The ERP connector regenerated from wsdl/erp/ by ``colonnade import wsdl`` and compared with
the hand-written one: the standard connector suite against the same SAP-shaped sandbox, and
the same orders for every seeded customer and number."""

from __future__ import annotations

import dataclasses
import sys
import tempfile
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import pytest
from support import Credentials

from colonnade.config import Settings, contracts_dir
from colonnade.connectors.domain import SalesOrderDraft, SalesOrderLine
from colonnade.connectors.erp import ErpConnector, ErpSettings
from colonnade.errors import UpstreamRejected
from colonnade.fetched import Fetched
from colonnade.runtime import Runtime
from colonnade.sandboxes import SandboxSet, ServedSandbox
from colonnade.state import MemoryBackend
from colonnade.testing import ConnectorSuite
from colonnade.wsdl_import import import_wsdl
from colonnade.wsdl_import.package import write_package

WSDL = contracts_dir() / "erp" / "zsd_salesorder.wsdl"
GETLIST, GETDETAIL, CREATE = (
    "ZSD_SALESORDER_GETLIST",
    "ZSD_SALESORDER_GETDETAIL",
    "ZSD_SALESORDER_CREATE",
)


def _regenerate() -> Any:
    """Write the package (as the CLI does) and import it from where it was written."""
    out = Path(tempfile.mkdtemp(prefix="colonnade-erp-regenerated-"))
    report = import_wsdl(WSDL, name="erpgen")
    write_package(report, WSDL, {}, name="erpgen", out=out)
    sys.path.insert(0, str(out))
    import colonnade_erpgen

    return colonnade_erpgen


REGENERATED = _regenerate()
DRAFT = {
    "ORDER_HEADER": {"SOLD_TO_PARTY": "0000100002", "CURRENCY": "EUR", "CUST_PO": "PO-77"},
    "IT_ITEMS": {"item": [{"MATNR": "MAT-1001", "KWMENG": "1", "NETWR": "9.50"}]},
}


class OwnedErpgen(REGENERATED.ErpgenConnector):  # type: ignore[misc,name-defined]
    """What a team does with the owned package: SAP's fault table, as the hand-written has."""

    fault_table = ErpConnector.fault_table


class TestRegeneratedErpOnTheErpSandbox(ConnectorSuite):
    """The suite tests/connectors/test_erp_kit.py runs for the hand-written connector."""

    plugin = dataclasses.replace(
        REGENERATED.PLUGIN, build=OwnedErpgen, sandbox="colonnade.sandboxes.erp:ErpSandbox"
    )
    drift_field = "VBELN"
    settings: ClassVar[dict[str, Any]] = {
        "service_path": ErpSettings().service_path,
        "return_log": {"ignore": ["V1/302"]},  # what the hand-written one knows, as config
    }
    samples: ClassVar[dict[str, Any]] = {
        GETLIST: lambda c: c.read(GETLIST, {"IT_CUSTOMERS": {"item": ["0000100002"]}}),
        GETDETAIL: lambda c: c.read(GETDETAIL, {"IT_ORDERS": {"item": ["0000500001"]}}),
        CREATE: lambda c, key: c.write(CREATE, DRAFT, key),
    }


@pytest.fixture
async def regenerated(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> Any:
    settings = REGENERATED.ErpgenSettings(
        base_url=f"{providers_server.base_url}/erp",
        service_path=ErpSettings().service_path,
        return_log={"ignore": ["V1/302"]},
        username=creds.erp_user,
        password=creds.erp_password,
        batch={
            GETLIST: {"keys": "IT_CUSTOMERS.item", "match": "ET_ORDERS.item.KUNNR"},
            GETDETAIL: {"keys": "IT_ORDERS.item", "match": "ET_ORDERS.item.VBELN"},
        },
    )
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    connector = REGENERATED.ErpgenConnector(settings, runtime)
    yield connector
    await connector.aclose()
    await runtime.aclose()


def _order(record: dict[str, Any]) -> tuple[Any, ...]:
    items = [
        (i["MATNR"], Decimal(i["KWMENG"]), Decimal(i["NETWR"])) for i in record["ITEMS"]["item"]
    ]
    return (record["VBELN"], record["KUNNR"], Decimal(record["NETWR"]), record["WAERK"], items)


def _written(order: Any) -> tuple[Any, ...]:
    items = [(i.material, i.quantity, i.net_value.amount) for i in order.items]
    return (
        order.number,
        order.customer_number,
        order.net_value.amount,
        order.net_value.currency,
        items,
    )


async def test_every_customer_gets_the_same_orders_from_both(
    regenerated: Any, facade: Any, providers: SandboxSet
) -> None:
    customers = sorted(providers.erp.currencies)
    assert len(customers) == 200
    ours = await regenerated.read_keys(GETLIST, customers)
    theirs = await facade.connector("erp").orders_by_customer(customers)
    compared = 0
    for customer in customers:
        mine, written = ours[customer], theirs[customer]
        assert isinstance(mine, Fetched)
        assert [_order(r) for r in mine.value] == [_written(o) for o in written.value]
        compared += len(mine.value)
    assert compared > 200  # every order of the seed, not an empty comparison
    numbers = [o.number for c in customers[:50] for o in theirs[c].value]
    by_number = await regenerated.read_keys(GETDETAIL, numbers)
    detail = await facade.connector("erp").orders_by_number(numbers)
    assert all(
        [_order(r) for r in by_number[n].value] == [_written(detail[n].value)] for n in numbers
    )


async def test_a_refused_create_is_refused_by_both_with_sap_s_message(
    regenerated: Any, facade: Any
) -> None:
    bad = {**DRAFT, "ORDER_HEADER": {"SOLD_TO_PARTY": "0000999999", "CURRENCY": "EUR"}}
    with pytest.raises(UpstreamRejected) as ours:
        await regenerated.write(CREATE, bad, "regen-refused-1")
    line = SalesOrderLine(material="MAT-1001", quantity=Decimal(1), unit_price=Decimal("9.50"))
    draft = SalesOrderDraft(customer_number="0000999999", currency="EUR", lines=[line])
    with pytest.raises(UpstreamRejected) as theirs:
        await facade.connector("erp").create_order(draft, "regen-refused-2")
    assert ours.value.provider_code == theirs.value.provider_code
    assert ours.value.message.split(": ", 1)[1] == theirs.value.message.split(": ", 1)[1]
