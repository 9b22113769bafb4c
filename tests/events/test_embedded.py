"""The embedded default (`colonnade serve`, no config): the payment sandbox signs and sends
its webhooks to the facade itself, so the whole loop works on a fresh machine."""

from __future__ import annotations

import json
import os
from pathlib import Path

import httpx
from events.support import ServeProcess, wait_for
from events.test_audit import cli
from support import free_port

CREATE = """mutation { createPayment(input: {customerId: "001000000000002AAA", amount: "3.00",
  currency: "EUR", idempotencyKey: "embedded-1"}) { id status } }"""


def test_embedded_serve_receives_its_own_sandbox_webhooks(tmp_path: Path) -> None:
    data = tmp_path / "data"
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
    env.update(
        COLONNADE_EVENTS__DATA_DIR=str(data),
        COLONNADE_SERVER__LOG_LEVEL="warning",
        # The demo lets anonymous clients read only; this test pays, as the demo's key may.
        COLONNADE_GATEWAY__ANONYMOUS_SCOPES='["*"]',
    )
    server = ServeProcess(env, free_port()).start()
    try:
        reply = httpx.post(f"{server.base}/graphql", json={"query": CREATE}, timeout=30).json()
        payment = reply["data"]["createPayment"]

        def handled() -> list[dict[str, object]]:
            rows = [json.loads(x) for x in cli(data, "events", "list").stdout.splitlines()]
            return rows if sum(r["status"] == "done" for r in rows) == 2 else []

        rows = wait_for(handled, 30, "both webhooks handled")
    finally:
        server.stop()
    assert [r["type"] for r in rows] == ["payment_intent.created", "payment_intent.succeeded"]
    assert rows[-1]["object_key"] == f"payments|payment_intent:{payment['id']}"
    verified = cli(data, "audit", "verify")
    assert verified.returncode == 0
    assert "intact (3 records)" in verified.stdout
