"""What events do to the graph: cached answers they change are dropped (by tag), and an
intent whose webhook never came is reconciled by a bounded periodic pull."""

from __future__ import annotations

from pathlib import Path

import httpx
from events.conftest import ServeFacade, sqlite_rows
from events.support import wait_for

from colonnade.sandboxes import SandboxSet

QUERY = "query($id: ID!) { payment(id: $id) { id status } }"


def status_in_graph(base: str, pid: str) -> str:
    reply = httpx.post(f"{base}/graphql", json={"query": QUERY, "variables": {"id": pid}})
    return str(reply.json()["data"]["payment"]["status"])


def new_intent(providers: SandboxSet) -> str:
    with providers.payments._lock:
        intent = providers.payments._execute_intent(
            {"amount": "900", "currency": "eur", "customer": "cus_00000000000001"}
        )
    return str(intent["id"])


def object_state(tmp_path: Path, pid: str) -> str | None:
    rows = sqlite_rows(
        tmp_path / "data" / "events.sqlite3",
        f"SELECT state FROM objects WHERE key = 'payments|payment_intent:{pid}'",  # noqa: S608
    )
    return rows[0][0] if rows else None


def test_a_webhook_drops_the_cached_payment_so_the_graph_shows_the_new_status(
    serve_facade: ServeFacade, providers: SandboxSet, tmp_path: Path
) -> None:
    with serve_facade() as base:
        pid = new_intent(providers)
        wait_for(lambda: object_state(tmp_path, pid) == "requires_payment_method")
        assert status_in_graph(base, pid) == "REQUIRES_PAYMENT_METHOD"
        calls = providers.payments.recorder.counts().get("payments.get_payment_intent", 0)
        assert status_in_graph(base, pid) == "REQUIRES_PAYMENT_METHOD"  # cached: no call
        assert providers.payments.recorder.counts()["payments.get_payment_intent"] == calls
        providers.payments.set_status(pid, "processing")
        wait_for(lambda: object_state(tmp_path, pid) == "processing")
        # Well inside the 5 s freshness of the `short` tier: only the webhook explains it.
        assert status_in_graph(base, pid) == "PROCESSING"
        assert providers.payments.recorder.counts()["payments.get_payment_intent"] == calls + 1


def test_a_missing_webhook_is_reconciled_by_a_pull(
    serve_facade: ServeFacade, providers: SandboxSet, tmp_path: Path
) -> None:
    with serve_facade(reconcile_interval_s=0.1, reconcile_after_s=0.2, reconcile_max=5) as base:
        pid = new_intent(providers)
        wait_for(lambda: object_state(tmp_path, pid) == "requires_payment_method")
        providers.payments.set_status(pid, "succeeded", notify=False)  # the webhook is lost
        wait_for(lambda: object_state(tmp_path, pid) == "succeeded", 30, "reconciled")
        assert status_in_graph(base, pid) == "SUCCEEDED"
    rows = sqlite_rows(
        tmp_path / "data" / "events.sqlite3", "SELECT id, type, outcome FROM events ORDER BY seq"
    )
    assert rows[-1][0].startswith(f"reconcile_{pid}_succeeded_")
    assert rows[-1][1:] == ("payment_intent.succeeded", "applied:succeeded")
    # Once final, the object is no longer pulled: exactly one reconcile event.
    assert sum(1 for r in rows if r[0].startswith("reconcile_")) == 1
