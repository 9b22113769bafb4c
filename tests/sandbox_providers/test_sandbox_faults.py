"""Every fault kind over real HTTP, the control API, and the fault book itself."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
import pytest
import zeep
from lxml import etree
from sandbox_support import CRM_CREDS, ERP_AUTH

from colonnade.sandboxes import Fault, FaultBook, SandboxSet, ServedSandbox
from colonnade.sandboxes.erp import SERVICE_PATH
from colonnade.sandboxes.forms import decode

ACC = "/crm/services/data/v60.0/sobjects/Account/001000000000001AAA"
WSDL = Path(__file__).resolve().parents[2] / "wsdl" / "erp" / "zsd_salesorder.wsdl"
GETLIST = (
    b'<soap-env:Envelope xmlns:soap-env="http://schemas.xmlsoap.org/soap/envelope/"><soap-env:Body>'
    b'<n0:ZSD_SALESORDER_GETLIST xmlns:n0="urn:sap-com:document:sap:rfc:functions">'
    b"<IT_CUSTOMERS><item>0000100002</item></IT_CUSTOMERS></n0:ZSD_SALESORDER_GETLIST>"
    b"</soap-env:Body></soap-env:Envelope>"
)


def erp_post(client: httpx.Client, body: bytes = GETLIST) -> httpx.Response:
    return client.post(
        f"/erp{SERVICE_PATH}", content=body, auth=ERP_AUTH, headers={"Content-Type": "text/xml"}
    )


def test_fault_book_times_and_match() -> None:
    book = FaultBook()
    book.add(Fault("status", match="crm.query*", times=2))
    assert book.take("crm.token") == []
    assert len(book.take("crm.query_more")) == 1
    assert len(book.take("crm.query")) == 1
    assert book.take("crm.query") == []
    book.add(Fault("latency", probability=0.5))
    hits = sum(bool(book.take("x")) for _ in range(200))
    assert 50 < hits < 150
    with pytest.raises(ValueError, match="unknown fault kind"):
        Fault("explode")  # type: ignore[arg-type]


def test_form_decoding() -> None:
    assert decode(b"amount=5&metadata[a]=1&metadata[b]=2&expand[]=customer&expand[]=x") == {
        "amount": "5",
        "metadata": {"a": "1", "b": "2"},
        "expand": ["customer", "x"],
    }


def test_latency_and_base_latency(
    client: httpx.Client, sandbox: SandboxSet, crm_auth: dict[str, str]
) -> None:
    sandbox.crm.faults.add(Fault("latency", latency_s=0.2, times=1))
    start = time.monotonic()
    assert client.get(ACC, headers=crm_auth).status_code == 200
    assert time.monotonic() - start >= 0.2
    sandbox.set_base_latency(0.05)
    start = time.monotonic()
    client.get(ACC, headers=crm_auth)
    assert time.monotonic() - start >= 0.05


def test_status_with_retry_after_per_provider(
    client: httpx.Client, sandbox: SandboxSet, crm_auth: dict[str, str], stripe_auth: dict[str, str]
) -> None:
    sandbox.crm.faults.add(Fault("status", status=503, retry_after="2", times=1))
    r = client.get(ACC, headers=crm_auth)
    assert (r.status_code, r.headers["Retry-After"]) == (503, "2")
    assert r.json()[0]["errorCode"] == "SERVER_UNAVAILABLE"
    assert "Sforce-Limit-Info" in r.headers
    sandbox.payments.faults.add(Fault("status", status=429, match="payments.get_*", times=1))
    r = client.get("/payments/v1/customers/cus_00000000000001", headers=stripe_auth)
    assert r.status_code == 429
    assert r.json()["error"]["code"] == "rate_limit"
    assert "Retry-After" not in r.headers
    sandbox.payments.faults.add(
        Fault("status", status=500, times=1, headers={"Stripe-Should-Retry": "true"})
    )
    r = client.get("/payments/v1/customers/cus_00000000000001", headers=stripe_auth)
    assert (r.json()["error"]["type"], r.headers["Stripe-Should-Retry"]) == ("api_error", "true")
    sandbox.erp.faults.add(Fault("status", status=503, times=1))
    assert erp_post(client).status_code == 503


def test_status_fault_does_not_process(
    client: httpx.Client, sandbox: SandboxSet, stripe_auth: dict[str, str]
) -> None:
    before = sandbox.payments.payment_intent_count()
    sandbox.payments.faults.add(Fault("status", status=502, times=1))
    r = client.post(
        "/payments/v1/payment_intents", data={"amount": "5", "currency": "eur"}, headers=stripe_auth
    )
    assert r.status_code == 502
    assert sandbox.payments.payment_intent_count() == before


def test_reset(client: httpx.Client, sandbox: SandboxSet, crm_auth: dict[str, str]) -> None:
    sandbox.crm.faults.add(Fault("reset", match="crm.sobject_get", times=1))
    with pytest.raises(httpx.TransportError):
        client.get(ACC, headers=crm_auth)
    assert client.get(ACC, headers=crm_auth).status_code == 200
    assert sandbox.crm.recorder.calls("crm.sobject_get")[0].status == 0


def test_truncate(client: httpx.Client, sandbox: SandboxSet, stripe_auth: dict[str, str]) -> None:
    sandbox.payments.faults.add(Fault("truncate", times=1))
    with pytest.raises(httpx.RemoteProtocolError):
        client.get("/payments/v1/payment_intents", headers=stripe_auth)


def test_malformed(client: httpx.Client, sandbox: SandboxSet, crm_auth: dict[str, str]) -> None:
    sandbox.crm.faults.add(Fault("malformed", times=1))
    r = client.get(ACC, headers=crm_auth)
    assert r.status_code == 200
    with pytest.raises(json.JSONDecodeError):
        r.json()
    sandbox.erp.faults.add(Fault("malformed", times=1))
    r = erp_post(client)
    with pytest.raises(etree.XMLSyntaxError):
        etree.fromstring(r.content)


def test_error_in_200(
    client: httpx.Client, sandbox: SandboxSet, stripe_auth: dict[str, str]
) -> None:
    sandbox.payments.faults.add(Fault("error_in_200", times=1))
    r = client.get("/payments/v1/customers/cus_00000000000001", headers=stripe_auth)
    assert (r.status_code, r.json()["error"]["type"]) == (200, "api_error")
    sandbox.erp.faults.add(Fault("error_in_200", match="erp.ZSD_SALESORDER_GETLIST", times=1))
    zc = zeep.Client(wsdl=str(WSDL), settings=zeep.Settings(strict=True, forbid_external=True))
    try:
        binding = zc.service._binding
        result = binding.process_reply(zc, binding.get("ZSD_SALESORDER_GETLIST"), erp_post(client))
    finally:
        zc.transport.session.close()
    assert result.ET_ORDERS is None or not result.ET_ORDERS.item
    assert result.RETURN.item[0].TYPE == "E"


def test_soap_fault(client: httpx.Client, sandbox: SandboxSet) -> None:
    sandbox.erp.faults.add(Fault("soap_fault", times=1))
    r = erp_post(client)
    assert r.status_code == 500
    root = etree.fromstring(r.content)
    assert root.findtext(".//faultcode") == "soap-env:Server"
    assert root.findtext(".//faultstring") == "Internal error in RFC handler"
    assert root.find(".//detail") is not None


def test_rename_field(client: httpx.Client, sandbox: SandboxSet, crm_auth: dict[str, str]) -> None:
    sandbox.crm.faults.add(Fault("rename_field", rename=("Name", "AccountName"), times=1))
    body = client.get(ACC, headers=crm_auth).json()
    assert "Name" not in body
    assert body["AccountName"]
    sandbox.erp.faults.add(Fault("rename_field", rename=("VBELN", "SALESDOC"), times=1))
    r = erp_post(client)
    assert b"<SALESDOC>" in r.content
    assert b"VBELN" not in r.content


def test_drop_after_commit(
    client: httpx.Client, sandbox: SandboxSet, stripe_auth: dict[str, str]
) -> None:
    before = sandbox.payments.payment_intent_count()
    sandbox.payments.faults.add(Fault("drop_after_commit", match="payments.create_*", times=1))
    headers = stripe_auth | {"Idempotency-Key": "dropped"}
    form = {"amount": "77", "currency": "eur"}
    with pytest.raises(httpx.TransportError):
        client.post("/payments/v1/payment_intents", data=form, headers=headers)
    assert sandbox.payments.payment_intent_count() == before + 1
    retry = client.post("/payments/v1/payment_intents", data=form, headers=headers)
    assert retry.headers["Idempotent-Replayed"] == "true"
    assert sandbox.payments.payment_intent_count() == before + 1


def test_delay_after_commit(
    client: httpx.Client, sandbox: SandboxSet, stripe_auth: dict[str, str]
) -> None:
    before = sandbox.payments.payment_intent_count()
    sandbox.payments.faults.add(Fault("delay_after_commit", latency_s=0.5, times=1))
    with pytest.raises(httpx.ReadTimeout):
        client.post(
            "/payments/v1/payment_intents",
            data={"amount": "1", "currency": "eur"},
            headers=stripe_auth,
            timeout=0.2,
        )
    assert sandbox.payments.payment_intent_count() == before + 1


def test_token_expiry(client: httpx.Client, sandbox: SandboxSet, crm_auth: dict[str, str]) -> None:
    sandbox.crm.faults.add(Fault("token_expiry", times=1))
    r = client.get(ACC, headers=crm_auth)
    assert r.status_code == 401
    assert r.json()[0]["errorCode"] == "INVALID_SESSION_ID"
    assert client.get(ACC, headers=crm_auth).status_code == 401
    fresh = client.post("/crm/services/oauth2/token", data=CRM_CREDS).json()["access_token"]
    assert client.get(ACC, headers={"Authorization": f"Bearer {fresh}"}).status_code == 200


def test_control_api(
    client: httpx.Client, sandbox: SandboxSet, served: ServedSandbox, crm_auth: dict[str, str]
) -> None:
    r = client.post(
        "/__sandbox/faults", json={"provider": "crm", "kind": "status", "status": 500, "times": 1}
    )
    assert r.status_code == 201
    assert client.get(ACC, headers=crm_auth).status_code == 500
    client.post(
        "/__sandbox/faults", json={"provider": "erp", "kind": "rename_field", "rename": ["A", "B"]}
    )
    assert sandbox.erp.faults.active()[0].rename == ("A", "B")
    client.delete("/__sandbox/faults")
    assert sandbox.erp.faults.active() == []
    calls = client.get("/__sandbox/calls").json()
    assert calls["crm"] == {"crm.token": 1, "crm.sobject_get": 1}
    assert client.post("/__sandbox/latency", json={"base_latency_s": 0.01}).status_code == 200
    assert sandbox.payments.faults.base_latency_s == 0.01
    client.post("/__sandbox/reset")
    after = client.get("/__sandbox/calls").json()
    assert {"crm", "payments", "erp"} <= set(after)  # and every other connector's sandbox
    assert all(counts == {} for counts in after.values())
    assert sandbox.crm.faults.base_latency_s == 0
