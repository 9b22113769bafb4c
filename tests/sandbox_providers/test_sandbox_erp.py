"""ERP sandbox checked with zeep against the WSDL on disk: WSDL and server must agree."""

from __future__ import annotations

from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
import zeep
from lxml import etree
from sandbox_support import ERP_AUTH
from zeep.exceptions import Fault as ZeepFault

from colonnade.sandboxes import SandboxSet, ServedSandbox
from colonnade.sandboxes.erp import SERVICE_PATH

WSDL = Path(__file__).resolve().parents[2] / "wsdl" / "erp" / "zsd_salesorder.wsdl"
ACTION = "urn:sap-com:document:sap:rfc:functions:ZSD_SALESORDER:{}Request"


@pytest.fixture(scope="module")
def zclient() -> Iterator[zeep.Client]:
    settings = zeep.Settings(
        strict=True, forbid_dtd=True, forbid_entities=True, forbid_external=True
    )
    client = zeep.Client(wsdl=str(WSDL), settings=settings)
    yield client
    client.transport.session.close()


def call(served: ServedSandbox, client: zeep.Client, op: str, **kwargs: Any) -> Any:
    """Serialise with zeep, POST with httpx, deserialise the reply with zeep."""
    envelope = client.create_message(client.service, op, **kwargs)
    r = post(served, etree.tostring(envelope), op)
    binding = client.service._binding
    return binding.process_reply(client, binding.get(op), r)


def post(
    served: ServedSandbox, body: bytes, op: str, auth: tuple[str, str] = ERP_AUTH
) -> httpx.Response:
    headers = {"Content-Type": "text/xml; charset=utf-8", "SOAPAction": f'"{ACTION.format(op)}"'}
    return httpx.post(
        f"{served.base_url}/erp{SERVICE_PATH}", content=body, headers=headers, auth=auth
    )


def test_getlist(served: ServedSandbox, zclient: zeep.Client, sandbox: SandboxSet) -> None:
    result = call(
        served,
        zclient,
        "ZSD_SALESORDER_GETLIST",
        IT_CUSTOMERS={"item": ["0000100002", "100001", "0000999999"]},
    )
    orders = result.ET_ORDERS.item
    expected = sandbox.erp.orders_for("0000100001") + sandbox.erp.orders_for("0000100002")
    assert [o.VBELN for o in orders] == [o.vbeln for o in expected]
    first, seeded = orders[0], expected[0]
    assert seeded.netwr == first.NETWR
    assert seeded.items[0].kwmeng == first.ITEMS.item[0].KWMENG
    assert first.ITEMS.item[0].POSNR == "000010"
    (warning,) = result.RETURN.item
    assert (warning.TYPE, warning.ID, warning.NUMBER, warning.MESSAGE_V1) == (
        "W",
        "V1",
        "010",
        "0000999999",
    )
    assert sandbox.erp.recorder.calls("erp.ZSD_SALESORDER_GETLIST")[0].batch_size == 3


def test_getdetail(served: ServedSandbox, zclient: zeep.Client, sandbox: SandboxSet) -> None:
    result = call(
        served,
        zclient,
        "ZSD_SALESORDER_GETDETAIL",
        IT_ORDERS={"item": ["0000500001", "0000599999"]},
    )
    assert [o.VBELN for o in result.ET_ORDERS.item] == ["0000500001"]
    (err,) = result.RETURN.item
    assert (err.TYPE, err.NUMBER, err.MESSAGE_V1) == ("E", "302", "0000599999")
    assert "is not in the database" in err.MESSAGE


def test_create_success_and_business_errors(
    served: ServedSandbox, zclient: zeep.Client, sandbox: SandboxSet
) -> None:
    before = sandbox.erp.order_count()
    items = {
        "item": [
            {"MATNR": "MAT-1000", "KWMENG": Decimal("3"), "NETWR": Decimal("2.50")},
            {"MATNR": "MAT-1001", "KWMENG": Decimal("1"), "NETWR": Decimal("10")},
        ]
    }
    header = {"SOLD_TO_PARTY": "0000100003", "CUST_PO": "PO-1", "CURRENCY": "EUR"}
    ok = call(served, zclient, "ZSD_SALESORDER_CREATE", ORDER_HEADER=header, IT_ITEMS=items)
    assert ok.SALES_NO
    (msg,) = ok.RETURN.item
    assert (msg.TYPE, msg.ID, msg.NUMBER, msg.MESSAGE_V2) == ("S", "V1", "311", ok.SALES_NO)
    assert sandbox.erp.order_count() == before + 1
    detail = call(served, zclient, "ZSD_SALESORDER_GETDETAIL", IT_ORDERS={"item": [ok.SALES_NO]})
    order = detail.ET_ORDERS.item[0]
    assert (
        "0000100003",
        Decimal("17.50"),
        "A",
        "PO-1",
    ) == (order.KUNNR, order.NETWR, order.GBSTK, order.BSTNK)
    assert [i.POSNR for i in order.ITEMS.item] == ["000010", "000020"]

    bad = call(
        served,
        zclient,
        "ZSD_SALESORDER_CREATE",
        ORDER_HEADER=header | {"SOLD_TO_PARTY": "0000999999"},
        IT_ITEMS=items,
    )
    assert not bad.SALES_NO
    assert [(m.TYPE, m.ID, m.NUMBER) for m in bad.RETURN.item] == [
        ("E", "VP", "112"),
        ("E", "V4", "219"),
    ]
    empty = call(
        served, zclient, "ZSD_SALESORDER_CREATE", ORDER_HEADER=header, IT_ITEMS={"item": []}
    )
    assert ("E", "761") in [(m.TYPE, m.NUMBER) for m in empty.RETURN.item]
    test_run = call(
        served, zclient, "ZSD_SALESORDER_CREATE", ORDER_HEADER=header, IT_ITEMS=items, TESTRUN="X"
    )
    assert not test_run.SALES_NO
    assert test_run.RETURN.item[0].TYPE == "S"
    assert sandbox.erp.order_count() == before + 1


def test_auth_wsdl_and_client_faults(served: ServedSandbox, zclient: zeep.Client) -> None:
    envelope = etree.tostring(
        zclient.create_message(zclient.service, "ZSD_SALESORDER_GETLIST", IT_CUSTOMERS={"item": []})
    )
    denied = post(served, envelope, "ZSD_SALESORDER_GETLIST", auth=("COLONNADE", "wrong"))
    assert denied.status_code == 401
    assert "text/html" in denied.headers["content-type"]
    wsdl = httpx.get(f"{served.base_url}/erp{SERVICE_PATH}?wsdl")
    assert wsdl.status_code == 200
    assert f"{served.base_url}/erp{SERVICE_PATH}" in wsdl.text
    xsd = httpx.get(f"{served.base_url}/erp{SERVICE_PATH.rsplit('/', 1)[0]}/zsd_salesorder.xsd")
    assert b"ZSD_SO_S" in xsd.content

    dtd = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e "boom">]>' + envelope.split(b"?>", 1)[-1]
    r = post(served, dtd, "ZSD_SALESORDER_GETLIST")
    assert r.status_code == 500
    fault = etree.fromstring(r.content).find(".//faultcode")
    assert fault is not None
    assert fault.text == "soap-env:Client"
    assert b"DTD" in r.content
    broken = post(served, b"<soap-env:Envelope", "ZSD_SALESORDER_GETLIST")
    assert broken.status_code == 500
    assert b"soap-env:Client" in broken.content
    binding = zclient.service._binding
    with pytest.raises(ZeepFault) as exc:
        binding.process_reply(zclient, binding.get("ZSD_SALESORDER_GETLIST"), broken)
    assert exc.value.code == "soap-env:Client"
