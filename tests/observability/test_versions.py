"""API versions and deprecation notices: metrics, one log line, `colonnade versions`."""

from __future__ import annotations

import json
import subprocess
import sys
from typing import Any

from support import Credentials, facade_env, metric, served_facade

from colonnade.observability.versions import notice_from
from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox

SUNSET = "Sat, 01 May 2027 00:00:00 GMT"
SUNSET_TS = 1809129600.0  # 2027-05-01T00:00:00Z
DEPRECATION = "@1767225600"  # 2026-01-01, RFC 9745's structured date
PAYMENTS = '{ customer(id: "001000000000002AAA") { payments { id } } }'
ANNOUNCE = Fault(
    "latency", match="payments.*", headers={"Sunset": SUNSET, "Deprecation": DEPRECATION}
)


def test_headers_are_parsed_in_every_spelling() -> None:
    assert notice_from({}).deprecation is None
    assert not notice_from({})
    assert notice_from({"deprecation": "@1767225600"}).deprecation == 1767225600.0
    assert notice_from({"deprecation": "true"}).deprecation is True
    assert notice_from({"deprecation": "Thu, 01 Jan 2026 00:00:00 GMT"}).deprecation == 1767225600.0
    assert notice_from({"sunset": SUNSET}).sunset == SUNSET_TS
    assert notice_from({"sunset": "soon"}).sunset is None
    link = '<https://docs.example/migrate>; rel="deprecation"; type="text/html"'
    assert notice_from({"deprecation": "true", "link": link}).link == "https://docs.example/migrate"


async def test_a_sunset_announced_by_the_sandbox_is_counted_and_logged_once(
    make_facade, providers: SandboxSet, logs: list[dict[str, Any]]
) -> None:
    facade = await make_facade()
    providers.payments.faults.add(ANNOUNCE)
    await facade.query(PAYMENTS)
    await facade.query('{ customer(id: "001000000000003AAA") { payments { id } } }')
    text = (await facade.client.get("/metrics")).text
    assert (
        metric(text, "colonnade_deprecation_notices_total", connector="payments", kind="sunset")
        == 2
    )
    assert (
        metric(
            text, "colonnade_deprecation_notices_total", connector="payments", kind="deprecation"
        )
        == 2
    )
    assert (
        metric(text, "colonnade_connector_sunset_timestamp_seconds", connector="payments")
        == SUNSET_TS
    )
    assert metric(text, "colonnade_deprecation_notices_total", connector="crm") is None
    assert (
        metric(
            text, "colonnade_connector_api_version_info", connector="payments", version="2024-06-20"
        )
        == 1
    )
    [line] = [e for e in logs if e["event"] == "provider_deprecation_notice"]
    assert line["connector"] == "payments"
    assert line["api_version"] == "2024-06-20"
    assert line["sunset_at"] == "2027-05-01T00:00:00Z"
    assert line["deprecation_at"] == "2026-01-01T00:00:00Z"


def run(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "colonnade", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_versions_cli_declared_and_seen(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> None:
    env = facade_env(providers_server.base_url, creds, COLONNADE_ADMIN_TOKEN="versions-token-123")
    declared = run("versions", "--json", env=env)
    assert declared.returncode == 0, declared.stderr
    rows = {r["connector"]: r for r in json.loads(declared.stdout)["connectors"]}
    assert {k: r["api_version"] for k, r in rows.items()} == {
        "crm": "v60.0",
        "erp": "zsd_salesorder-1",
        "payments": "2024-06-20",
    }
    assert providers.payments.recorder.count("*") == 0  # nothing was called to tell

    providers.payments.faults.add(ANNOUNCE)
    with served_facade(env) as base:
        import httpx

        httpx.post(f"{base}/graphql", json={"query": PAYMENTS}, timeout=30)
        seen = run("versions", "--url", base, env=env)
        unauthorized = run(
            "versions", "--url", base, env={**env, "COLONNADE_ADMIN_TOKEN": "wrong-token-0000"}
        )
    assert seen.returncode == 0, seen.stderr
    [payments] = [line for line in seen.stdout.splitlines() if line.startswith("payments")]
    assert "2024-06-20" in payments
    assert "2027-05-01T00:00:00Z" in payments
    assert "2026-01-01T00:00:00Z" in payments
    [erp] = [line for line in seen.stdout.splitlines() if line.startswith("erp")]
    assert " no " in erp
    assert unauthorized.returncode == 1
    assert "401" in unauthorized.stderr
    assert "wrong-token" not in unauthorized.stderr + unauthorized.stdout
