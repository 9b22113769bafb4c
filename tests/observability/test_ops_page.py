"""/ops in headless Chromium while the ERP fails: the ERP card says failing, the others not."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from browser_kit import offline_page, screenshot
from support import Credentials, facade_env, served_facade

from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox

TOKEN = "ops-test-token-0123456789"
SUNSET = "Sat, 01 May 2027 00:00:00 GMT"


def order_query(n: int) -> str:
    return f'{{ salesOrder(number: "{500000 + n:010d}") {{ number }} }}'


@pytest.fixture
def facade_url(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> Iterator[str]:
    env = facade_env(
        providers_server.base_url,
        creds,
        COLONNADE_ADMIN_TOKEN=TOKEN,
        COLONNADE_CONNECTORS__ERP__BREAKER__MIN_CALLS="4",
        COLONNADE_CONNECTORS__ERP__BREAKER__BREAK_S="30",
    )
    with served_facade(env) as base:
        yield base


def test_ops_needs_operator_credentials(facade_url: str) -> None:
    assert httpx.get(f"{facade_url}/ops").status_code == 401
    assert httpx.get(f"{facade_url}/ops/status.json").status_code == 401
    wrong = httpx.get(f"{facade_url}/ops", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.headers["WWW-Authenticate"].startswith("Basic")
    malformed = httpx.get(f"{facade_url}/ops", headers={"Authorization": "Basic !!!not-b64"})
    assert malformed.status_code == 401
    assert httpx.get(f"{facade_url}/ops", auth=("ops", TOKEN)).status_code == 200
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    assert httpx.get(f"{facade_url}/ops/status.json", headers=bearer).status_code == 200
    cookie = httpx.get(f"{facade_url}/ops/ops.js", cookies={"colonnade_ops": TOKEN})
    assert cookie.status_code == 200


def test_ops_page_shows_the_failing_connector(facade_url: str, providers: SandboxSet) -> None:
    providers.erp.faults.add(Fault("status", status=503))
    providers.payments.faults.add(
        Fault(
            "latency", match="payments.*", headers={"Sunset": SUNSET, "Deprecation": "@1767225600"}
        )
    )
    with httpx.Client(base_url=facade_url, timeout=30) as client:
        for n in range(6):
            client.post("/graphql", json={"query": order_query(n)})
        client.post(
            "/graphql",
            json={"query": '{ customer(id: "001000000000002AAA") { name payments { id } } }'},
        )
        status = client.get("/ops/status.json", auth=("ops", TOKEN)).json()
    cards = {c["connector"]: c for c in status["connectors"]}
    assert set(cards) == {"crm", "erp", "payments"}
    assert cards["erp"]["health"] == "failing"
    assert cards["erp"]["breaker"] == "open"
    assert cards["crm"]["health"] == "ok"

    with offline_page(http_credentials={"username": "ops", "password": TOKEN}) as (page, traffic):
        page.goto(f"{facade_url}/ops")  # type: ignore[attr-defined]
        page.wait_for_selector("body[data-loaded=true]", timeout=20_000)  # type: ignore[attr-defined]
        erp = page.locator('[data-connector="erp"]')  # type: ignore[attr-defined]
        crm = page.locator('[data-connector="crm"]')  # type: ignore[attr-defined]
        pay = page.locator('[data-connector="payments"]')  # type: ignore[attr-defined]
        assert erp.get_attribute("data-health") == "failing"
        assert erp.locator(".badge").inner_text().lower() == "failing"
        assert erp.locator('[data-k="breaker"]').inner_text() == "open"
        assert "UPSTREAM_UNAVAILABLE" in erp.locator(".errors").inner_text()
        assert erp.locator("svg.calls rect.f").count() >= 1  # failures on the chart
        assert erp.locator("svg.p99 circle").count() >= 1
        assert crm.get_attribute("data-health") == "ok"
        assert crm.locator('[data-k="version"]').inner_text() == "v60.0"
        assert pay.locator('[data-k="sunset"]').inner_text() == "2027-05-01"
        assert pay.locator('[data-k="version"]').inner_text() == "2024-06-20"
        shot = screenshot(page, "ops-erp-failing.png")
        # Refreshed live: more refused calls show up without reloading the page.
        before = erp.locator('[data-k="calls"]').inner_text()
        with httpx.Client(base_url=facade_url, timeout=30) as client:
            for n in range(3):
                client.post("/graphql", json={"query": order_query(100 + n)})
        page.wait_for_function(  # type: ignore[attr-defined]
            "(t) => document.querySelector('[data-connector=erp] [data-k=calls]').textContent !== t",
            arg=before,
            timeout=20_000,
        )
        assert erp.locator('[data-k="calls"]').inner_text() != before
    assert traffic.left_loopback() == []
    assert shot.stat().st_size > 10_000
