"""One access-log line per GraphQL request; a request id returned and sent to providers."""

from __future__ import annotations

import json
from typing import Any

from support import Credentials

from colonnade.sandboxes import Fault, SandboxSet

NESTED = '{ customer(id: "001000000000002AAA") { name salesOrders { number } payments { id } } }'


def access_lines(logs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [e for e in logs if e["event"] == "graphql_request"]


async def test_one_line_per_request_with_what_it_did(
    make_facade, providers: SandboxSet, logs: list[dict[str, Any]]
) -> None:
    facade = await make_facade(connectors={"erp": {"retry": {"max_attempts": 2}}})
    providers.erp.faults.add(Fault("status", status=503))
    response = await facade.client.post(
        "/graphql",
        json={"query": f"query Nested {NESTED}"},
        headers={"X-Request-Id": "client-req-0001", "X-Client-Name": "backoffice-web"},
    )
    assert response.status_code == 200
    assert response.headers["X-Request-Id"] == "client-req-0001"
    [line] = access_lines(logs)
    assert line["request_id"] == "client-req-0001"
    assert line["operation_type"] == "query"
    assert line["operation_name"] == "Nested"
    assert line["client"] == "backoffice-web"
    assert line["outcome"] == "partial"
    assert line["error_codes"] == ["UPSTREAM_UNAVAILABLE"]
    assert line["status"] == 200
    assert line["duration_ms"] > 0
    # Upstream calls made, per connector: token + account (crm), two ERP attempts, one Stripe list.
    assert line["upstream_calls"]["erp"] == 2 == providers.erp.recorder.count("*")
    assert line["upstream_calls"]["payments"] == providers.payments.recorder.count("*")
    assert line["upstream_calls"]["crm"] == providers.crm.recorder.count("*")
    assert line["upstream_total"] == sum(line["upstream_calls"].values())
    # Every upstream_call line of the request carries its id.
    upstream = [e for e in logs if e["event"] == "upstream_call"]
    assert upstream
    assert {e["request_id"] for e in upstream} == {"client-req-0001"}


async def test_request_id_is_sent_to_every_provider_call(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade()
    response = await facade.client.post("/graphql", json={"query": NESTED})
    rid = response.headers["X-Request-Id"]
    assert len(rid) == 32
    # The token endpoint is not among them: one token serves many requests.
    calls = [
        *[c for c in providers.crm.recorder.calls() if c.operation != "crm.token"],
        *providers.erp.recorder.calls(),
        *providers.payments.recorder.calls(),
    ]
    assert {c.provider for c in calls} == {"crm", "erp", "payments"}
    assert {c.headers.get("X-Request-Id") for c in calls} == {rid}


async def test_malformed_request_ids_are_replaced(make_facade, providers: SandboxSet) -> None:
    facade = await make_facade()
    for bad in ("short", "x" * 200, 'evil;id=with"quote', "a b c d e f g h"):
        response = await facade.client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"X-Request-Id": bad}
        )
        rid = response.headers["X-Request-Id"]
        assert rid != bad
        assert len(rid) == 32


async def test_refused_requests_are_logged_too(
    make_facade, providers: SandboxSet, logs: list[dict[str, Any]]
) -> None:
    facade = await make_facade(server={"max_body_bytes": 1024})
    await facade.client.post("/graphql", json={"query": "{ __typename }" + " " * 2000})
    await facade.client.post(
        "/graphql", content=b"{not json", headers={"content-type": "application/json"}
    )
    await facade.client.get("/graphql", headers={"accept": "text/html"})  # the IDE: not logged
    codes = [line["error_codes"] for line in access_lines(logs)]
    assert codes == [["PAYLOAD_TOO_LARGE"], ["BAD_REQUEST"]]


async def test_no_secret_reaches_any_log_line(
    make_facade, providers: SandboxSet, creds: Credentials, logs: list[dict[str, Any]]
) -> None:
    facade = await make_facade()
    providers.payments.faults.add(Fault("status", match="payments.*", status=401, times=1))
    await facade.query(NESTED)
    await facade.client.post(
        "/graphql",
        json={"query": NESTED},
        headers={"Authorization": "Bearer client-secret-token-123", "Cookie": "s=cookie-secret"},
    )
    dumped = json.dumps(logs, default=str)
    assert "graphql_request" in dumped
    assert "upstream_call" in dumped
    for secret in (
        creds.api_key,
        creds.client_secret,
        creds.erp_password,
        "client-secret-token-123",
        "cookie-secret",
    ):
        assert secret not in dumped
