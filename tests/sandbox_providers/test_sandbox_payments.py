"""Payments sandbox over real HTTP: auth, form bodies, list paging, idempotency, errors."""

from __future__ import annotations

import asyncio

import httpx
from sandbox_support import STRIPE_KEY

from colonnade.sandboxes import SandboxSet, ServedSandbox

CUS1 = "cus_00000000000001"


def test_auth_bearer_basic_and_invalid(client: httpx.Client, stripe_auth: dict[str, str]) -> None:
    assert client.get(f"/payments/v1/customers/{CUS1}", headers=stripe_auth).status_code == 200
    assert client.get(f"/payments/v1/customers/{CUS1}", auth=(STRIPE_KEY, "")).status_code == 200
    r = client.get(
        f"/payments/v1/customers/{CUS1}", headers={"Authorization": "Bearer sk_test_wrong1234"}
    )
    assert r.status_code == 401
    assert r.json() == {
        "error": {
            "type": "invalid_request_error",
            "message": "Invalid API Key provided: sk_test_****1234",
        }
    }
    assert r.headers["Request-Id"].startswith("req_")


def test_key_rotation(client: httpx.Client, sandbox: SandboxSet) -> None:
    sandbox.payments.rotate_key("sk_test_rotated", keep_old=False)
    try:
        new = client.get(f"/payments/v1/customers/{CUS1}", auth=("sk_test_rotated", ""))
        old = client.get(f"/payments/v1/customers/{CUS1}", auth=(STRIPE_KEY, ""))
        assert (new.status_code, old.status_code) == (200, 401)
    finally:
        sandbox.payments.api_keys = {STRIPE_KEY}


def test_customer_cross_references(client: httpx.Client, stripe_auth: dict[str, str]) -> None:
    cus = client.get(f"/payments/v1/customers/{CUS1}", headers=stripe_auth).json()
    assert cus["object"] == "customer"
    assert cus["livemode"] is False
    assert cus["metadata"] == {
        "crm_account_id": "001000000000001AAA",
        "sap_customer_number": "0000100001",
    }
    missing = client.get("/payments/v1/customers/cus_nope", headers=stripe_auth)
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "resource_missing"


def test_list_customers_paging(client: httpx.Client, stripe_auth: dict[str, str]) -> None:
    seen: list[str] = []
    params: dict[str, str | int] = {"limit": 100}
    while True:
        page = client.get("/payments/v1/customers", params=params, headers=stripe_auth).json()
        seen.extend(c["id"] for c in page["data"])
        if not page["has_more"]:
            break
        params["starting_after"] = page["data"][-1]["id"]
    assert len(seen) == 200 == len(set(seen))
    back = client.get(
        "/payments/v1/customers",
        params={"ending_before": seen[10], "limit": 5},
        headers=stripe_auth,
    ).json()
    assert [c["id"] for c in back["data"]] == seen[5:10]


def test_list_payment_intents(
    client: httpx.Client, stripe_auth: dict[str, str], sandbox: SandboxSet
) -> None:
    expected = sandbox.payments.payment_intents_for(CUS1)
    got: list[dict[str, object]] = []
    params: dict[str, str | int] = {"customer": CUS1, "limit": 1}
    while True:
        page = client.get("/payments/v1/payment_intents", params=params, headers=stripe_auth).json()
        assert page["object"] == "list"
        assert page["url"] == "/v1/payment_intents"
        got.extend(page["data"])
        if not page["has_more"]:
            break
        params["starting_after"] = page["data"][-1]["id"]
    assert [p["id"] for p in got] == [p["id"] for p in expected]
    created = [p["created"] for p in got]
    assert created == sorted(created, reverse=True)
    assert all(p["status"] == "succeeded" and p["customer"] == CUS1 for p in got)
    bad = client.get("/payments/v1/payment_intents", params={"limit": 101}, headers=stripe_auth)
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "limit"
    missing = client.get("/payments/v1/payment_intents/pi_nope", headers=stripe_auth)
    assert missing.json()["error"] == {
        "type": "invalid_request_error",
        "code": "resource_missing",
        "param": "intent",
        "message": "No such payment_intent: 'pi_nope'",
        "doc_url": "https://stripe.com/docs/error-codes/resource-missing",
    }


def test_create_payment_intent_form(
    client: httpx.Client, stripe_auth: dict[str, str], sandbox: SandboxSet
) -> None:
    before = sandbox.payments.payment_intent_count()
    form = {
        "amount": "1999",
        "currency": "EUR",
        "customer": CUS1,
        "confirm": "true",
        "metadata[order_id]": "42",
    }
    r = client.post("/payments/v1/payment_intents", data=form, headers=stripe_auth)
    pi = r.json()
    assert r.status_code == 200
    assert (pi["amount"], pi["currency"], pi["status"]) == (1999, "eur", "succeeded")
    assert pi["metadata"] == {"order_id": "42"}
    assert sandbox.payments.payment_intent_count() == before + 1
    fetched = client.get(f"/payments/v1/payment_intents/{pi['id']}", headers=stripe_auth).json()
    assert fetched == pi
    unconfirmed = client.post(
        "/payments/v1/payment_intents", data={"amount": "5", "currency": "usd"}, headers=stripe_auth
    )
    assert unconfirmed.json()["status"] == "requires_payment_method"


def test_create_validation_errors(client: httpx.Client, stripe_auth: dict[str, str]) -> None:
    r = client.post("/payments/v1/payment_intents", data={"currency": "eur"}, headers=stripe_auth)
    assert r.status_code == 400
    assert r.json() == {
        "error": {
            "type": "invalid_request_error",
            "code": "parameter_missing",
            "param": "amount",
            "message": "Missing required param: amount.",
        }
    }
    r = client.post(
        "/payments/v1/payment_intents",
        data={"amount": "5", "currency": "eur", "customer": "cus_x"},
        headers=stripe_auth,
    )
    assert (r.status_code, r.json()["error"]["param"]) == (400, "customer")
    r = client.post(
        "/payments/v1/payment_intents", json={"amount": 5, "currency": "eur"}, headers=stripe_auth
    )
    assert (r.status_code, r.json()["error"]["type"]) == (400, "invalid_request_error")


def test_idempotency_replay_and_mismatch(
    client: httpx.Client, stripe_auth: dict[str, str], sandbox: SandboxSet
) -> None:
    headers = stripe_auth | {"Idempotency-Key": "order-42"}
    form = {"amount": "500", "currency": "eur", "customer": CUS1}
    first = client.post("/payments/v1/payment_intents", data=form, headers=headers)
    again = client.post("/payments/v1/payment_intents", data=form, headers=headers)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert "Idempotent-Replayed" not in first.headers
    other = client.post(
        "/payments/v1/payment_intents", data=form | {"amount": "501"}, headers=headers
    )
    assert other.status_code == 400
    assert other.json()["error"]["type"] == "idempotency_error"
    assert "order-42" in other.json()["error"]["message"]
    assert len(sandbox.payments.payment_intents_for(CUS1)) == len(
        [p for p in sandbox.payments.payment_intents.values() if p["customer"] == CUS1]
    )
    calls = sandbox.payments.recorder.calls("payments.create_payment_intent")
    assert calls[0].headers == {"Idempotency-Key": "order-42", "Authorization": "present"}
    too_long = client.post(
        "/payments/v1/payment_intents",
        data=form,
        headers=stripe_auth | {"Idempotency-Key": "k" * 256},
    )
    assert too_long.status_code == 400


def test_validation_failure_not_saved(client: httpx.Client, stripe_auth: dict[str, str]) -> None:
    headers = stripe_auth | {"Idempotency-Key": "fix-me"}
    bad = client.post("/payments/v1/payment_intents", data={"currency": "eur"}, headers=headers)
    assert bad.status_code == 400
    good = client.post(
        "/payments/v1/payment_intents", data={"amount": "7", "currency": "eur"}, headers=headers
    )
    assert good.status_code == 200


async def test_concurrent_same_key_conflicts(
    served: ServedSandbox, sandbox: SandboxSet, stripe_auth: dict[str, str]
) -> None:
    sandbox.payments.processing_delay_s = 0.3
    before = sandbox.payments.payment_intent_count()
    headers = stripe_auth | {"Idempotency-Key": "same"}
    async with httpx.AsyncClient(base_url=served.base_url, timeout=10) as c:
        rs = await asyncio.gather(
            *(
                c.post(
                    "/payments/v1/payment_intents",
                    data={"amount": "9", "currency": "eur"},
                    headers=headers,
                )
                for _ in range(5)
            )
        )
    statuses = sorted(r.status_code for r in rs)
    assert statuses == [200, 409, 409, 409, 409]
    conflict = next(r for r in rs if r.status_code == 409)
    assert conflict.json()["error"]["code"] == "idempotency_key_in_use"
    assert conflict.headers["Stripe-Should-Retry"] == "true"
    assert sandbox.payments.payment_intent_count() == before + 1


async def test_200_concurrent_creates(
    served: ServedSandbox, sandbox: SandboxSet, stripe_auth: dict[str, str]
) -> None:
    before = sandbox.payments.payment_intent_count()
    limits = httpx.Limits(max_connections=50)
    async with httpx.AsyncClient(base_url=served.base_url, timeout=20, limits=limits) as c:
        rs = await asyncio.gather(
            *(
                c.post(
                    "/payments/v1/payment_intents",
                    data={"amount": str(100 + i % 3), "currency": "eur"},
                    headers=stripe_auth | {"Idempotency-Key": f"k-{i % 40}"},
                )
                for i in range(200)
            )
        )
    ok = [r for r in rs if r.status_code == 200]
    assert all(r.status_code in (200, 400, 409) for r in rs)
    assert sandbox.payments.payment_intent_count() == before + 40
    by_key: dict[str, set[str]] = {}
    for i, r in enumerate(rs):
        if r.status_code == 200:
            by_key.setdefault(f"k-{i % 40}", set()).add(r.json()["id"])
    assert all(len(ids) == 1 for ids in by_key.values())
    assert ok
