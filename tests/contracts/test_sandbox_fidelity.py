"""The payment sandbox held to Stripe's published object fields
(../shared/corpus/rest/stripe_objects_fields.json, extracted from stripe/openapi's spec3).

The extract is of a 2019-era API version; where Stripe has since added or dropped a field the
sandbox follows the newer API, and each such difference is listed here with the version that
made it. Anything else the sandbox sends that Stripe does not, a required field it leaves out, a
wrong JSON type, a null where Stripe never sends one, or an enum value Stripe does not have
fails the test.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "rest"
FIELDS = CORPUS / "stripe_objects_fields.json"
pytestmark = [
    pytest.mark.corpus,
    pytest.mark.skipif(not FIELDS.is_file(), reason="../shared/corpus is not beside this clone"),
]

NEWER_API_FIELDS = {"payment_intent": {"latest_charge": "API 2022-11-15 replaced `charges`"}}
DROPPED_IN_NEWER_API = {
    "payment_intent": {"charges": "API 2022-11-15"},
    "customer": {"sources": "API 2020-08-27 (no longer included unless expanded)"},
}
_JSON_TYPES = {
    "integer": (int,),
    "string": (str,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "string|object": (str, dict),
}
_ERROR_FIELDS = {"type", "code", "decline_code", "doc_url", "message", "param", "charge"}


def _problems(kind: str, obj: dict[str, Any], spec: dict[str, Any]) -> list[str]:
    props: dict[str, Any] = spec["properties"]
    out = []
    for name, value in obj.items():
        field = props.get(name)
        if field is None:
            if name not in NEWER_API_FIELDS.get(kind, {}):
                out.append(f"{kind}.{name}: Stripe has no such field")
            continue
        if field.get("type") is None:
            continue  # the extract did not read this field's shape (e.g. customer.address)
        if value is None:
            if not field.get("nullable"):
                out.append(f"{kind}.{name}: null, but Stripe never sends null here")
            continue
        expected = _JSON_TYPES.get(str(field.get("type")))
        if expected and (
            not isinstance(value, expected) or isinstance(value, bool) is not (expected == (bool,))
        ):
            out.append(f"{kind}.{name}: {type(value).__name__}, Stripe sends {field['type']}")
        if field.get("enum") and value not in field["enum"]:
            out.append(f"{kind}.{name}: {value!r} is not one of {field['enum']}")
    for name in spec.get("required", []):
        if name not in obj and name not in DROPPED_IN_NEWER_API.get(kind, {}):
            out.append(f"{kind}.{name}: required by Stripe, missing")
    return out


@pytest.fixture
def stripe(providers: Any, providers_server: Any, creds: Any) -> Iterator[httpx.Client]:
    with httpx.Client(
        base_url=f"{providers_server.base_url}/payments",
        headers={"Authorization": f"Bearer {creds.api_key}"},
    ) as client:
        yield client


def test_payment_intents_and_customers_have_stripes_fields(stripe: httpx.Client) -> None:
    spec = json.loads(FIELDS.read_text())
    intents = stripe.get("/v1/payment_intents", params={"limit": 100}).json()["data"]
    customers = stripe.get("/v1/customers", params={"limit": 20}).json()["data"]
    assert intents
    assert customers
    problems = [p for i in intents for p in _problems("payment_intent", i, spec["payment_intent"])]
    problems += [p for c in customers for p in _problems("customer", c, spec["customer"])]
    assert sorted(set(problems)) == []


def test_errors_use_stripes_envelope(stripe: httpx.Client) -> None:
    missing = stripe.get("/v1/payment_intents/pi_doesnotexist")
    refused = stripe.post("/v1/payment_intents", data={"currency": "eur"})
    for response in (missing, refused):
        assert response.status_code in (400, 404)
        body = response.json()
        assert set(body) == {"error"}
        assert set(body["error"]) <= _ERROR_FIELDS, set(body["error"]) - _ERROR_FIELDS
        assert body["error"]["type"] == "invalid_request_error"


def test_the_check_notices_a_drifting_sandbox() -> None:
    spec = json.loads(FIELDS.read_text())["payment_intent"]
    good = {"id": "pi_1", "object": "payment_intent", "amount": 1, "capture_method": "automatic",
            "confirmation_method": "automatic", "created": 1, "currency": "eur", "livemode": False,
            "payment_method_types": ["card"], "status": "succeeded"}  # fmt: skip
    assert _problems("payment_intent", good, spec) == []
    drifted = {**good, "amount": "1", "status": "paid", "amount_total": 1}
    del drifted["currency"]
    assert sorted(_problems("payment_intent", drifted, spec)) == [
        "payment_intent.amount: str, Stripe sends integer",
        "payment_intent.amount_total: Stripe has no such field",
        "payment_intent.currency: required by Stripe, missing",
        f"payment_intent.status: 'paid' is not one of {spec['properties']['status']['enum']}",
    ]
