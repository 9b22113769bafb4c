"""The circuit breaker: opens on a failure ratio, fails fast, one probe, closes on success."""

from __future__ import annotations

import asyncio
import time

import httpx
import pytest
from support import facade_env, redis_prefix, served_facade

from colonnade.sandboxes import Fault, SandboxSet
from colonnade.state import BreakerState

BREAKER = {"min_calls": 4, "failure_ratio": 0.5, "window_s": 30, "break_s": 0.5, "break_max_s": 5}


def order_query(n: int) -> str:
    return f'{{ salesOrder(number: "{500000 + n:010d}") {{ number }} }}'


async def erp_state(facade) -> BreakerState:
    return await facade.connector("erp").pipeline.caller.breaker("orders_by_number").state()


async def wait_out_the_break(facade) -> None:
    breaker = facade.connector("erp").pipeline.caller.breaker("orders_by_number")
    snap = await breaker._backend.breaker_snapshot(
        breaker.key, now=time.time(), policy=breaker.policy
    )
    await asyncio.sleep(max(0.0, (snap.open_until or 0) - time.time()) + 0.05)


async def trip(facade, providers: SandboxSet) -> None:
    providers.erp.faults.add(Fault("status", status=503))
    for n in range(4):
        body = await facade.query(order_query(n))
        assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert await erp_state(facade) is BreakerState.OPEN


@pytest.fixture
async def facade(make_facade, backend_kind):
    return await make_facade(
        backend=backend_kind, connectors={"erp": {"breaker": BREAKER, "retry": {"max_attempts": 1}}}
    )


async def test_open_breaker_fails_fast_without_calling(facade, providers: SandboxSet) -> None:
    await trip(facade, providers)
    calls = providers.erp.recorder.count("*")
    body = await facade.query(order_query(9))
    assert body["errors"][0]["extensions"] == {"code": "CIRCUIT_OPEN", "connector": "erp"}
    assert providers.erp.recorder.count("*") == calls


async def test_one_probe_after_the_break_then_closed(facade, providers: SandboxSet) -> None:
    await trip(facade, providers)
    providers.erp.faults.clear()
    providers.erp.faults.add(Fault("latency", latency_s=0.8, times=1))  # the probe takes a while
    await wait_out_the_break(facade)
    calls = providers.erp.recorder.count("*")

    bodies = await asyncio.gather(*(facade.query(order_query(n)) for n in range(10, 20)))

    answered = [b for b in bodies if b["data"]["salesOrder"] is not None]
    refused = [b for b in bodies if b.get("errors")]
    assert len(answered) == 1  # the single half-open probe
    assert {e["extensions"]["code"] for b in refused for e in b["errors"]} == {"CIRCUIT_OPEN"}
    assert providers.erp.recorder.count("*") == calls + 1
    assert await erp_state(facade) is BreakerState.CLOSED
    assert (await facade.query(order_query(30)))["data"]["salesOrder"] is not None


async def test_a_failed_probe_reopens_for_longer(facade, providers: SandboxSet) -> None:
    await trip(facade, providers)
    breaker = facade.connector("erp").pipeline.caller.breaker("orders_by_number")
    first = await breaker._backend.breaker_snapshot(
        breaker.key, now=time.time(), policy=breaker.policy
    )
    await wait_out_the_break(facade)
    body = await facade.query(order_query(40))  # the probe, still failing
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    second = await breaker._backend.breaker_snapshot(
        breaker.key, now=time.time(), policy=breaker.policy
    )
    assert second.state is BreakerState.OPEN
    assert second.trips == first.trips + 1


async def test_client_errors_do_not_open_the_breaker(facade, providers: SandboxSet) -> None:
    bad = [{"material": "MAT-9999", "quantity": "1", "unitPrice": "1"}]  # SAP refuses it
    for _ in range(8):
        body = await facade.query(
            """mutation($lines: [SalesOrderLineInput!]!) { createSalesOrder(input:
               {customerId: "001000000000002AAA", currency: "EUR", lines: $lines}) { number } }""",
            {"lines": bad},
        )
        assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_REJECTED"
    assert await erp_state(facade) is BreakerState.CLOSED


async def test_client_errors_do_not_dilute_the_failure_ratio(facade, providers: SandboxSet) -> None:
    """Refused orders are neither failures nor successes: ten of them, then 2 answers and 2
    failures, is 2 failures in 4 counted calls and opens the breaker (counted as successes
    it was 2 in 14, and a failing provider kept being called)."""
    bad = [{"material": "MAT-9999", "quantity": "1", "unitPrice": "1"}]  # SAP refuses it
    for _ in range(10):
        body = await facade.query(
            """mutation($lines: [SalesOrderLineInput!]!) { createSalesOrder(input:
               {customerId: "001000000000002AAA", currency: "EUR", lines: $lines}) { number } }""",
            {"lines": bad},
        )
        assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_REJECTED"
    for n in (10, 11):
        assert (await facade.query(order_query(n)))["data"]["salesOrder"] is not None
    assert await erp_state(facade) is BreakerState.CLOSED
    providers.erp.faults.add(Fault("status", status=503))
    for n in (12, 13):
        body = await facade.query(order_query(n))
        assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_UNAVAILABLE"
    assert await erp_state(facade) is BreakerState.OPEN
    body = await facade.query(order_query(9))
    assert body["errors"][0]["extensions"]["code"] == "CIRCUIT_OPEN"


@pytest.mark.redis
async def test_two_server_processes_on_one_redis_share_one_breaker(
    providers: SandboxSet, providers_server, creds
) -> None:
    async with redis_prefix() as prefix:
        from support import REDIS_URL

        env = facade_env(
            providers_server.base_url,
            creds,
            COLONNADE_REDIS_URL=REDIS_URL,
            COLONNADE_STATE_PREFIX=prefix,
            COLONNADE_CACHE__ENABLED="false",
            COLONNADE_CONNECTORS__ERP__RETRY__MAX_ATTEMPTS="1",
            COLONNADE_CONNECTORS__ERP__BREAKER__MIN_CALLS="4",
            COLONNADE_CONNECTORS__ERP__BREAKER__BREAK_S="1.0",
        )
        with served_facade(env) as a, served_facade(env) as b:
            async with httpx.AsyncClient(timeout=30) as http:

                async def ask(base: str, n: int) -> dict:
                    r = await http.post(f"{base}/graphql", json={"query": order_query(n)})
                    return r.json()

                providers.erp.faults.add(Fault("status", status=503))
                for n in range(4):  # process A sees the failures
                    assert (await ask(a, n))["errors"][0]["extensions"][
                        "code"
                    ] == "UPSTREAM_UNAVAILABLE"
                calls = providers.erp.recorder.count("*")
                # process B never saw a failure, and still refuses: one breaker, in Redis.
                assert (await ask(b, 5))["errors"][0]["extensions"]["code"] == "CIRCUIT_OPEN"
                assert providers.erp.recorder.count("*") == calls

                providers.erp.faults.clear()
                providers.erp.faults.add(Fault("latency", latency_s=1.0, times=1))
                await asyncio.sleep(1.6)  # past the (jittered) break
                bodies = await asyncio.gather(
                    *(ask(base, 10 + n) for n in range(6) for base in (a, b))
                )
                assert providers.erp.recorder.count("*") == calls + 1  # one probe, both processes
                assert sum(1 for x in bodies if x["data"]["salesOrder"]) == 1
                assert (await ask(b, 30))["data"]["salesOrder"] is not None
                assert (await ask(a, 31))["data"]["salesOrder"] is not None
