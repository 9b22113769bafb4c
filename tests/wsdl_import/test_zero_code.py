"""A connector configured with only a WSDL serves typed GraphQL fields at start-up: the ERP's
WSDL through the whole app (gateway, schema, pipeline) against the SAP-shaped ERP sandbox,
answers compared with the hand-written ERP connector's, upstream calls counted."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import Credentials

from colonnade.app import create_app
from colonnade.config import Settings
from colonnade.embedded import start_sandbox, wants_sandbox
from colonnade.errors import ConfigError
from colonnade.platform import assemble
from colonnade.runtime import Runtime
from colonnade.sandboxes import SandboxSet, ServedSandbox
from colonnade.state import MemoryBackend

GETLIST = "ZSD_SALESORDER_GETLIST"
GETDETAIL = "ZSD_SALESORDER_GETDETAIL"
CUSTOMER = "0000100002"


def sap_table(server: ServedSandbox, creds: Credentials, **extra: Any) -> dict[str, Any]:
    """What the SAP owner writes: the WSDL, where the service is, as whom; which reads take
    a list of keys (SAP's tables say so only by their names)."""
    return {
        "wsdl": "erp/zsd_salesorder.wsdl",
        "base_url": server.base_url,
        "username": creds.erp_user,
        "password": creds.erp_password,
        "retry": {"base_delay_s": 0.001, "max_delay_s": 0.005},
        "batch": {GETDETAIL: {"keys": "IT_ORDERS.item", "match": "ET_ORDERS.item.VBELN"}},
        # SAP answers an unknown number with E V1/302 in RETURN: for a lookup, an answer
        "return_log": {"ignore": ["V1/302"]},
        **extra,
    }


LIST = """query($c: [String!]) {
  sapZSD_SALESORDER_GETLIST(IT_CUSTOMERS: {item: $c}) {
    ET_ORDERS { item { VBELN KUNNR NETWR WAERK ITEMS { item { POSNR MATNR KWMENG } } } }
    RETURN { item { TYPE MESSAGE } }
  }
}"""


@pytest.fixture
async def sap(
    make_facade: Any, providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> Any:
    return await make_facade(connectors={"sap": sap_table(providers_server, creds)})


def calls(providers: SandboxSet, operation: str) -> list[int]:
    return [c.batch_size for c in providers.erp.recorder.calls(f"erp.{operation}")]


async def test_a_wsdl_alone_serves_the_same_orders_as_the_hand_written_connector(
    sap: Any, providers: SandboxSet
) -> None:
    body = await sap.query(LIST, {"c": [CUSTOMER]})
    assert "errors" not in body, body
    answer = body["data"]["sapZSD_SALESORDER_GETLIST"]
    orders = answer["ET_ORDERS"]["item"]
    assert answer["RETURN"] == {"item": []}  # SAP's empty RETURN table: [], never [null]
    written = await sap.connector("erp").orders_by_customer([CUSTOMER])
    expected = written[CUSTOMER].value
    assert expected
    assert [o["VBELN"] for o in orders] == [o.number for o in expected]
    assert {o["KUNNR"] for o in orders} == {CUSTOMER}  # "0000100002": its zeros kept
    assert [Decimal(o["NETWR"]) for o in orders] == [o.net_value.amount for o in expected]
    assert [o["WAERK"] for o in orders] == [o.net_value.currency for o in expected]
    lines = [[i["MATNR"] for i in o["ITEMS"]["item"]] for o in orders]
    assert lines == [[i.material for i in o.items] for o in expected]
    again = await sap.query(LIST, {"c": [CUSTOMER]})
    assert again["data"] == body["data"]
    assert calls(providers, GETLIST) == [1, 1]  # ours (then cached) and the hand-written one


async def test_by_key_fields_of_one_request_are_one_soap_call(
    sap: Any, providers: SandboxSet
) -> None:
    numbers = ["0000500001", "0000500002", "0000500003"]
    fields = " ".join(
        f'o{i}: sapZSD_SALESORDER_GETDETAILByKey(key: "{n}") {{ VBELN KUNNR }}'
        for i, n in enumerate(numbers)
    )
    body = await sap.query(f"{{ {fields} }}")
    assert "errors" not in body, body
    assert [body["data"][f"o{i}"][0]["VBELN"] for i in range(3)] == numbers
    assert calls(providers, GETDETAIL) == [3]
    unknown = await sap.query('{ sapZSD_SALESORDER_GETDETAILByKey(key: "0009999999") { VBELN } }')
    assert unknown["data"] == {"sapZSD_SALESORDER_GETDETAILByKey": []}


async def test_input_the_xsd_refuses_is_bad_user_input_before_any_call(
    sap: Any, providers: SandboxSet
) -> None:
    body = await sap.query(LIST, {"c": ["00001000021"]})  # CHAR10
    [error] = body["errors"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "maxLength" in error["message"]
    assert calls(providers, GETLIST) == []


CREATE = """mutation($key: String) {
  sapZSD_SALESORDER_CREATE(
    ORDER_HEADER: {SOLD_TO_PARTY: "0000100002", CURRENCY: "EUR"}
    IT_ITEMS: {item: [{MATNR: "MAT-1001", KWMENG: "2", NETWR: "10.00"}]}
    idempotencyKey: $key
  ) { SALES_NO RETURN { item { TYPE MESSAGE } } }
}"""


async def test_a_keyed_create_is_sent_once(sap: Any, providers: SandboxSet) -> None:
    first = await sap.query(CREATE, {"key": "order-7"})
    assert "errors" not in first, first
    number = first["data"]["sapZSD_SALESORDER_CREATE"]["SALES_NO"]
    assert number
    assert number.startswith("0")
    second = await sap.query(CREATE, {"key": "order-7"})
    assert second["data"] == first["data"]
    assert calls(providers, "ZSD_SALESORDER_CREATE") == [1]


INTROSPECT = """{
  __type(name: "%s") {
    fields { name args { name type { ...T } } type { ...T } }
    inputFields { name type { ...T } }
  }
}
fragment T on __Type { kind name ofType { kind name ofType { kind name ofType { kind name } } } }"""


def _printed(t: dict[str, Any]) -> str:
    if t["kind"] == "NON_NULL":
        return _printed(t["ofType"]) + "!"
    if t["kind"] == "LIST":
        return "[" + _printed(t["ofType"]) + "]"
    return str(t["name"])


async def _type(facade: Any, name: str) -> dict[str, Any]:
    body = await facade.query(INTROSPECT % name)
    found: dict[str, Any] = body["data"]["__type"]
    return found


async def test_the_fields_are_in_the_served_schema_typed(sap: Any) -> None:
    query = {f["name"]: f for f in (await _type(sap, "Query"))["fields"]}
    getlist = query["sapZSD_SALESORDER_GETLIST"]
    assert {a["name"]: _printed(a["type"]) for a in getlist["args"]} == {
        "IT_CUSTOMERS": "SapCHAR10_TInput",
        "MAX_ROWS": "Int",
    }
    assert _printed(getlist["type"]) == "SapZSD_SALESORDER_GETLISTResponse"
    mutation = {f["name"]: f for f in (await _type(sap, "Mutation"))["fields"]}
    create = {a["name"]: _printed(a["type"]) for a in mutation["sapZSD_SALESORDER_CREATE"]["args"]}
    assert create["idempotencyKey"] == "String"
    item = {
        f["name"]: _printed(f["type"])
        for f in (await _type(sap, "SapZSD_SO_ITEM_SInput"))["inputFields"]
    }
    assert item["KWMENG"] == "Decimal!"  # exact decimals, required on input
    table = {f["name"]: _printed(f["type"]) for f in (await _type(sap, "SapZSD_SO_T"))["fields"]}
    assert table == {"item": "[SapZSD_SO_S!]!"}  # a list is [] when empty, never [null]


def test_a_wsdl_that_cannot_be_used_stops_the_start_with_its_report(tmp_path: Path) -> None:
    wsdl = tmp_path / "broken.wsdl"
    wsdl.write_text(BROKEN)
    settings = Settings(
        sandbox={"embedded": "off"},
        connectors={"legacy": {"wsdl": str(wsdl), "base_url": "http://127.0.0.1:9"}},
    )
    with pytest.raises(ConfigError) as caught:
        assemble(settings, Runtime.create(settings, backend=MemoryBackend()))
    message = caught.value.message
    assert "connectors.legacy" in message
    assert "wsdl:portType" in message  # names the element
    assert "declares no operation" in message  # and why


def test_a_table_for_no_connector_and_no_wsdl_is_still_a_typo() -> None:
    with pytest.raises(ValueError, match="give it `wsdl = …`"):
        Settings(connectors={"sapp": {"base_url": "http://x"}})


BROKEN = """<?xml version="1.0"?>
<definitions xmlns="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:tns="urn:legacy" targetNamespace="urn:legacy">
  <portType name="Ghost"/>
  <binding name="B" type="tns:Ghost">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
  </binding>
  <service name="S"><port name="Port" binding="tns:B"><soap:address location="http://x/"/></port></service>
</definitions>
"""


async def test_with_no_base_url_the_demo_serves_it_from_a_sandbox_made_from_the_wsdl() -> None:
    """A SAP owner's first try: the WSDL and nothing else; the embedded demo answers every
    operation from the WSDL's own types (values a lossy mapping would change)."""
    settings = Settings(
        connectors={"sap": {"wsdl": "erp/zsd_salesorder.wsdl"}},
        gateway={"anonymous": "on", "anonymous_scopes": ["*"]},
    )
    assert wants_sandbox(settings)
    served_settings, served = start_sandbox(settings)
    try:
        app = create_app(served_settings)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c,
        ):
            response = await c.post("/graphql", json={"query": DEMO})
        body = response.json()
        assert "errors" not in body, body
        orders = body["data"]["sapZSD_SALESORDER_GETLIST"]["ET_ORDERS"]["item"]
        assert len(orders) == 2
        assert orders[0]["KUNNR"] == "0000000010"  # a sample string with its zeros
        assert orders[0]["NETWR"] == "1234.50"  # an exact decimal, trailing zero kept
    finally:
        served.stop()


DEMO = """{ sapZSD_SALESORDER_GETLIST(IT_CUSTOMERS: {item: ["0000000010"]}) {
  ET_ORDERS { item { VBELN KUNNR NETWR } } } }"""


def test_the_demo_imports_the_wsdl_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Filling in base_url and credentials for the embedded sandbox does not make the
    connector again: the WSDL is imported and its graph generated once."""
    from colonnade.wsdl_import import connector

    imported: list[Path] = []
    real = connector.import_wsdl

    def counted(path: Path, *args: Any, **kwargs: Any) -> Any:
        imported.append(path)
        return real(path, *args, **kwargs)

    monkeypatch.setattr(connector, "import_wsdl", counted)
    settings = Settings(connectors={"sapdemo": {"wsdl": "erp/zsd_salesorder.wsdl"}})
    served_settings, served = start_sandbox(settings)
    try:
        create_app(served_settings)
    finally:
        served.stop()
    assert served_settings.connectors["sapdemo"]["base_url"]
    assert len(imported) == 1
