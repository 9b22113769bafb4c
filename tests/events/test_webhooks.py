"""Webhook ingestion over real HTTP: the payment sandbox sends signed events to a served
facade; every count comes from the facade's durable store and the sandbox's sender."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
import pytest
from events.conftest import ServeFacade, sqlite_rows
from events.support import wait_for
from support import metric

from colonnade.sandboxes import SandboxSet
from colonnade.sandboxes.webhook_sender import stripe_signature

CUSTOMER = "001000000000002AAA"
CREATE = """mutation($key: String!) { createPayment(input: {customerId: "001000000000002AAA",
  amount: "12.50", currency: "EUR", idempotencyKey: $key}) { id status } }"""


def events_db(tmp_path: Path) -> Path:
    return tmp_path / "data" / "events.sqlite3"


def done(tmp_path: Path) -> int:
    rows = sqlite_rows(events_db(tmp_path), "SELECT count(*) FROM events WHERE status='done'")
    return int(rows[0][0])


def test_a_payment_created_through_the_graph_comes_back_as_webhooks(
    serve_facade: ServeFacade, providers: SandboxSet, tmp_path: Path
) -> None:
    with serve_facade() as base:
        reply = httpx.post(f"{base}/graphql", json={"query": CREATE, "variables": {"key": "k1"}})
        payment = reply.json()["data"]["createPayment"]
        assert payment["status"] == "SUCCEEDED"
        assert providers.payments.webhooks.wait_idle()
        wait_for(lambda: done(tmp_path) == 2, what="both events handled")
    rows = sqlite_rows(
        events_db(tmp_path), "SELECT type, outcome, handled FROM events ORDER BY seq"
    )
    assert rows == [
        ("payment_intent.created", "applied:requires_confirmation", 1),
        ("payment_intent.succeeded", "applied:succeeded", 1),
    ]
    objects = sqlite_rows(events_db(tmp_path), "SELECT key, state, final FROM objects")
    assert objects == [(f"payments|payment_intent:{payment['id']}", "succeeded", 1)]


def post(base: str, body: bytes, header: str | None) -> httpx.Response:
    headers = {"content-type": "application/json"}
    if header is not None:
        headers["Stripe-Signature"] = header
    return httpx.post(f"{base}/webhooks/payments", content=body, headers=headers)


def event_body(event_id: str, status: str = "processing", created: int | None = None) -> bytes:
    import json

    return json.dumps(
        {
            "id": event_id,
            "type": f"payment_intent.{status}",
            "created": created or int(time.time()),
            "data": {
                "object": {
                    "id": "pi_manual1",
                    "object": "payment_intent",
                    "status": status,
                    "customer": "cus_00000000000001",
                }
            },
        }
    ).encode()


def test_refusals_are_typed_and_nothing_refused_is_stored(
    serve_facade: ServeFacade, webhook_secret: str, tmp_path: Path
) -> None:
    now = int(time.time())
    body = event_body("evt_manual_1")
    with serve_facade(max_body_bytes=2048) as base:
        assert post(base, body, None).status_code == 400
        assert post(base, body, stripe_signature("whsec_wrong", body, now)).status_code == 400
        stale = post(base, body, stripe_signature(webhook_secret, body, now - 301))
        assert stale.status_code == 400
        assert "tolerance" in stale.json()["error"]
        not_json = b"not json"
        assert (
            post(base, not_json, stripe_signature(webhook_secret, not_json, now)).status_code == 400
        )
        huge = b"{" + b" " * 4096 + b"}"
        assert post(base, huge, stripe_signature(webhook_secret, huge, now)).status_code == 413
        unknown = httpx.post(f"{base}/webhooks/nobody", content=body)
        assert unknown.status_code == 404
        assert events_db(tmp_path).exists()
        assert sqlite_rows(events_db(tmp_path), "SELECT count(*) FROM events") == [(0,)]
        first = post(base, body, stripe_signature(webhook_secret, body, now))
        again = post(base, body, stripe_signature(webhook_secret, body, now))
        assert first.json() == {"received": True, "duplicate": False}
        assert again.json() == {"received": True, "duplicate": True}
        wait_for(lambda: done(tmp_path) == 1)
        metrics = httpx.get(f"{base}/metrics").text
    for outcome, n in [("refused", 3), ("invalid", 1), ("too_large", 1), ("stored", 1)]:
        seen = metric(metrics, "colonnade_webhooks_total", source="payments", outcome=outcome)
        assert seen == n, outcome
    handled = metric(metrics, "colonnade_events_handled_total", source="payments", outcome="done")
    assert handled == 1


def test_an_older_event_after_a_newer_one_never_steps_the_object_back(
    serve_facade: ServeFacade, webhook_secret: str, tmp_path: Path
) -> None:
    now = int(time.time())
    with serve_facade() as base:
        newer = event_body("evt_new", "succeeded", now)
        older = event_body("evt_old", "processing", now - 5)
        assert post(base, newer, stripe_signature(webhook_secret, newer, now)).status_code == 200
        wait_for(lambda: done(tmp_path) == 1)
        assert post(base, older, stripe_signature(webhook_secret, older, now)).status_code == 200
        wait_for(lambda: done(tmp_path) == 2)
    rows = sqlite_rows(events_db(tmp_path), "SELECT id, outcome FROM events ORDER BY seq")
    assert rows == [("evt_new", "applied:succeeded"), ("evt_old", "superseded:processing")]
    assert sqlite_rows(events_db(tmp_path), "SELECT state FROM objects") == [("succeeded",)]


@pytest.mark.parametrize("intents", [40])
def test_storm_with_duplicates_reordering_forgeries_stale_and_replays(
    serve_facade: ServeFacade, providers: SandboxSet, tmp_path: Path, intents: int
) -> None:
    chaos = {"duplicates": 0.3, "reorder": 12, "forged": 0.2, "stale": 0.2, "replays": 0.2}
    sender = providers.payments.webhooks
    with serve_facade(chaos=chaos) as base:
        ids = providers.payments.storm(intents)
        assert sender.wait_idle(60)
        emitted = set(sender.emitted)
        wait_for(lambda: done(tmp_path) == len(emitted), 60, "every genuine event handled")
        assert httpx.get(f"{base}/healthz").status_code == 200
    db = events_db(tmp_path)
    stored = {r[0]: r[1:] for r in sqlite_rows(db, "SELECT id, status, handled FROM events")}
    lost = emitted - set(stored)
    handled_twice = [i for i, (_, handled) in stored.items() if handled != 1]
    forged_accepted = [i for i in stored if i.startswith(("evt_forged_", "evt_stale_"))]
    print(
        f"\nstorm: emitted={len(emitted)} stored={len(stored)} lost={len(lost)} "
        f"handled_twice={len(handled_twice)} forged_or_stale_accepted={len(forged_accepted)} "
        f"sender={dict(sender.stats)}"
    )
    assert sender.stats["sent_duplicate"] > 0
    assert sender.stats["sent_forged"] > 0
    assert sender.stats["sent_stale"] > 0
    assert sender.stats["sent_replay"] > 0
    assert (lost, handled_twice, forged_accepted) == (set(), [], [])
    assert all(status == "done" for status, _ in stored.values())
    assert sender.stats["forged_accepted"] == sender.stats["stale_accepted"] == 0
    assert set(sender.refused.values()) == {400}
    # The facade's view of every intent is the sandbox's final status.
    states = dict(sqlite_rows(db, "SELECT key, state FROM objects"))
    truth = {
        f"payments|payment_intent:{i}": providers.payments.payment_intents[i]["status"] for i in ids
    }
    assert states == truth


def test_the_sandbox_control_api_drives_a_storm_over_http(
    serve_facade: ServeFacade,
    providers: SandboxSet,
    providers_server: object,
    webhook_secret: str,
    tmp_path: Path,
) -> None:
    control = f"{providers_server.base_url}/payments/__control"  # type: ignore[attr-defined]
    with serve_facade() as base:
        configured = httpx.post(
            f"{control}/webhooks",
            json={
                "url": f"{base}/webhooks/payments",
                "secret": webhook_secret,
                "chaos": {"duplicates": 1.0, "forged": 1.0},
            },
        )
        assert configured.status_code == 200
        storm = httpx.post(f"{control}/storm", json={"intents": 4}, timeout=30).json()
        assert len(storm["payment_intents"]) == 4
        pid = storm["payment_intents"][0]
        refused = httpx.post(f"{control}/intents/{pid}/status", json={"status": "processing"})
        assert refused.status_code == 400  # it already succeeded: final
        wait_for(lambda: httpx.get(f"{control}/webhooks").json()["idle"], 30)
        stats = httpx.get(f"{control}/webhooks").json()
        emitted = stats["emitted"]
        wait_for(lambda: done(tmp_path) == emitted, 30)
    assert stats["delivered"] == emitted
    assert stats["stats"]["sent_duplicate"] == stats["stats"]["sent_forged"] == emitted
    assert stats["stats"].get("forged_accepted", 0) == 0


def test_a_generic_hmac_source_over_http(serve_facade: ServeFacade, tmp_path: Path) -> None:
    """Another provider signing the body with HMAC-SHA512 (base64, prefixed) in its own
    header; its events go to the handler the source names."""
    import base64
    import hashlib
    import hmac

    source = {
        "scheme": "hmac",
        "handler": "payments",
        "header": "X-Acme-Signature",
        "algorithm": "sha512",
        "encoding": "base64",
        "prefix": "v1=",
        "secrets": ["acme-old", "acme-new"],
    }
    body = event_body("evt_acme_1")
    digest = base64.b64encode(hmac.new(b"acme-new", body, hashlib.sha512).digest()).decode()
    wrong = base64.b64encode(hmac.new(b"acme-nope", body, hashlib.sha512).digest()).decode()
    with serve_facade(sources={"acme": source}) as base:
        url = f"{base}/webhooks/acme"
        refused = httpx.post(url, content=body, headers={"X-Acme-Signature": f"v1={wrong}"})
        assert refused.status_code == 400
        ok = httpx.post(url, content=body, headers={"X-Acme-Signature": f"v1={digest}"})
        assert ok.json() == {"received": True, "duplicate": False}
        assert httpx.post(f"{base}/webhooks/payments", content=body).status_code == 404
        wait_for(lambda: done(tmp_path) == 1)
    rows = sqlite_rows(events_db(tmp_path), "SELECT id, source, object_key FROM events")
    assert rows == [("evt_acme_1", "acme", "acme|payment_intent:pi_manual1")]
