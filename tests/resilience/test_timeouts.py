"""A provider that hangs never holds a client past the deadline."""

from __future__ import annotations

import asyncio

from colonnade.sandboxes import Fault

Q = '{ customer(id: "001000000000002AAA") { name salesOrders { number } } }'


async def test_a_hanging_provider_gives_partial_data_within_the_deadline(
    make_facade, providers
) -> None:
    facade = await make_facade(server={"request_deadline_s": 1.0})
    providers.erp.faults.add(Fault("latency", latency_s=30))
    # A guard against hanging, far above the deadline; the assertions are about the answer.
    body = await asyncio.wait_for(facade.query(Q), timeout=15)
    assert body["data"]["customer"]["name"]
    assert body["data"]["customer"]["salesOrders"] is None
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_TIMEOUT", "connector": "erp"}


async def test_a_slow_attempt_times_out_and_the_retry_succeeds(make_facade, providers) -> None:
    facade = await make_facade(connectors={"erp": {"timeouts": {"total_s": 0.5, "read_s": 0.5}}})
    providers.erp.faults.add(
        Fault("latency", match="erp.ZSD_SALESORDER_GETLIST", latency_s=5, times=1)
    )
    body = await asyncio.wait_for(facade.query(Q), timeout=15)
    assert isinstance(body["data"]["customer"]["salesOrders"], list)
    # (The sandbox records a call when it answers; the first is still sleeping there.)
    outcomes = [r.outcome for r in facade.runtime.telemetry.recent if r.connector == "erp"]
    assert outcomes == ["UPSTREAM_TIMEOUT", "ok"]


async def test_retries_never_outlive_the_connector_deadline(make_facade, providers) -> None:
    facade = await make_facade(
        server={"request_deadline_s": 1.0},
        connectors={
            "erp": {
                "deadline_s": 1.0,
                "retry": {"max_attempts": 10, "base_delay_s": 0},
                "timeouts": {"total_s": 0.4, "read_s": 0.4},
            }
        },
    )
    providers.erp.faults.add(Fault("latency", latency_s=5))
    body = await asyncio.wait_for(facade.query(Q), timeout=15)
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_TIMEOUT"
    pipeline = facade.connector("erp").pipeline
    async with asyncio.timeout(10):  # the shared call may finish after the client's answer
        while pipeline.coalescer.in_flight:  # noqa: ASYNC110
            await asyncio.sleep(0.02)
    attempts = [r for r in facade.runtime.telemetry.recent if r.connector == "erp"]
    # 0.4 s attempts inside a 1 s budget: at most 3 ever start, never the 10 allowed.
    assert 2 <= len(attempts) <= 3
    assert {r.outcome for r in attempts} == {"UPSTREAM_TIMEOUT"}
