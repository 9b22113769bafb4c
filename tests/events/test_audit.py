"""The audit log: payment mutations and webhook-driven changes are recorded once, chained,
and ``colonnade audit verify`` finds an edited, a deleted and a truncated record."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from events.conftest import ServeFacade
from events.support import wait_for
from gateway.gateway_support import client_key

from colonnade.events.audit import Entry, RedisAuditLog, SqliteAuditLog, verify, verify_chain
from colonnade.sandboxes import SandboxSet

CREATE = """mutation($key: String!, $amount: Decimal!) { createPayment(input: {
  customerId: "001000000000002AAA", amount: $amount, currency: "EUR", idempotencyKey: $key})
  { id status } }"""


def cli(data: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
    env["COLONNADE_EVENTS__DATA_DIR"] = str(data)
    return subprocess.run(
        [sys.executable, "-m", "colonnade", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_mutations_and_webhooks_are_audited_once_each(
    serve_facade: ServeFacade, providers: SandboxSet, tmp_path: Path
) -> None:
    data = tmp_path / "data"
    key, entry = client_key(["*"])
    with serve_facade(gateway={"api_keys": {"billing": entry}}) as base:
        ok = httpx.post(
            f"{base}/graphql",
            json={"query": CREATE, "variables": {"key": "audit-1", "amount": "5.00"}},
            headers={"x-request-id": "req-42", "x-api-key": key},
        ).json()
        payment_id = ok["data"]["createPayment"]["id"]
        # The same key with another amount: Stripe refuses it; the refusal is audited too.
        refused = httpx.post(
            f"{base}/graphql",
            json={"query": CREATE, "variables": {"key": "audit-1", "amount": "6.00"}},
        ).json()
        assert refused["errors"][0]["extensions"]["code"] == "UPSTREAM_REJECTED"
        assert providers.payments.webhooks.wait_idle()
        wait_for(lambda: len(cli(data, "audit", "list").stdout.splitlines()) == 4, 30)
    records = [json.loads(line) for line in cli(data, "audit", "list").stdout.splitlines()]
    summary = [(r["who"], r["action"], r["outcome"], r["provider_id"]) for r in records]
    assert sorted(summary) == sorted(
        [
            ("billing (api_key)", "payment.create", "succeeded", payment_id),
            ("anonymous", "payment.create", "error:UPSTREAM_REJECTED", None),
            ("webhook:payments", "payment_intent.created", "requires_confirmation", payment_id),
            ("webhook:payments", "payment_intent.succeeded", "succeeded", payment_id),
        ]
    )
    first = next(r for r in records if r["who"] == "billing (api_key)")
    assert (first["request_id"], first["idempotency_key"]) == ("req-42", "audit-1")
    assert [r["seq"] for r in records] == [1, 2, 3, 4]
    verified = cli(data, "audit", "verify")
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "intact (4 records)" in verified.stdout


async def _filled(path: Path, n: int = 5) -> SqliteAuditLog:
    log = SqliteAuditLog(path)
    for i in range(n):
        await log.append(Entry("anonymous", "payment.create", "succeeded", provider_id=f"pi_{i}"))
    return log


async def test_the_database_refuses_updates_and_deletes(tmp_path: Path) -> None:
    log = await _filled(tmp_path / "audit.sqlite3")
    await log.aclose()
    conn = sqlite3.connect(tmp_path / "audit.sqlite3")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("UPDATE audit SET record = '{}' WHERE seq = 2")
    with pytest.raises(sqlite3.IntegrityError, match="append-only"):
        conn.execute("DELETE FROM audit WHERE seq = 2")
    conn.close()


def tamper(path: Path, sql: str) -> None:
    """What someone with the file can do: drop the guards, then change the rows."""
    conn = sqlite3.connect(path)
    conn.execute("DROP TRIGGER audit_no_update")
    conn.execute("DROP TRIGGER audit_no_delete")
    conn.execute(sql)
    conn.commit()
    conn.close()


@pytest.mark.parametrize(
    ("sql", "bad_seq", "reason"),
    [
        (
            "UPDATE audit SET record = replace(record, '\"pi_2\"', '\"pi_9\"') WHERE seq = 3",
            3,
            "changed",
        ),
        ("DELETE FROM audit WHERE seq = 2", 2, "missing"),
        ("DELETE FROM audit WHERE seq = 5", 5, "head"),
    ],
    ids=["edited", "deleted", "truncated"],
)
async def test_verify_names_the_first_bad_record(
    tmp_path: Path, sql: str, bad_seq: int, reason: str
) -> None:
    data = tmp_path / "data"
    log = await _filled(data / "audit.sqlite3")
    await log.aclose()
    assert cli(data, "audit", "verify").returncode == 0
    tamper(data / "audit.sqlite3", sql)
    result = cli(data, "audit", "verify")
    assert result.returncode == 1
    assert f"broken at record {bad_seq}" in result.stdout
    assert reason in result.stdout


def test_a_recomputed_hash_still_breaks_the_chain() -> None:
    """Rewriting a record *and* its own hash: the next record's ``prev`` gives it away."""
    records = [Entry("a", "x", "ok").record(1, "0" * 64, 1.0)]
    records.append(Entry("a", "y", "ok").record(2, records[0]["hash"], 2.0))
    forged = Entry("a", "x", "changed").record(1, "0" * 64, 1.0)
    problem = verify_chain([forged, records[1]], (2, records[1]["hash"]))
    assert problem is not None
    assert problem.seq == 2


@pytest.mark.redis
async def test_redis_audit_log_detects_an_edit_and_a_deletion(
    redis_events: tuple[str, str],
) -> None:
    url, prefix = redis_events
    log = RedisAuditLog(url, prefix)
    try:
        for i in range(4):
            await log.append(Entry("anonymous", "payment.create", "ok", provider_id=f"pi_{i}"))
        assert await log.append(Entry("w", "e", "ok"), dedup="event:1") is not None
        assert await log.append(Entry("w", "e", "ok"), dedup="event:1") is None
        assert await verify(log) is None
        raw = await log._redis.lindex(log._log, 1)
        await log._redis.lset(log._log, 1, raw.replace(b'"ok"', b'"no"'))
        problem = await verify(log)
        assert problem is not None
        assert problem.seq == 2
        await log._redis.lset(log._log, 1, raw)
        assert await verify(log) is None
        await log._redis.lrem(log._log, 1, raw)
        problem = await verify(log)
        assert problem is not None
        assert problem.seq == 2
    finally:
        await log.aclose()
