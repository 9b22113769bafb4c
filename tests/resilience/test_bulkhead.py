"""The bulkhead: one slow provider cannot take more than its share of concurrent calls."""

from __future__ import annotations

import asyncio

from colonnade.config import ConnectorSettings
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import Attempt, ResilientCaller
from colonnade.sandboxes import Fault
from colonnade.state import MemoryBackend
from colonnade.telemetry import Telemetry


async def test_concurrent_calls_never_exceed_the_bulkhead() -> None:
    caller = ResilientCaller(
        "slow", ConnectorSettings(bulkhead={"max_concurrent": 3}), MemoryBackend(), Telemetry()
    )
    in_flight = peak = 0

    async def attempt(_: Attempt) -> int:
        nonlocal in_flight, peak
        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.01)
        in_flight -= 1
        return 1

    results = await asyncio.gather(
        *(caller.call(Operation("slow", "op"), attempt, idempotent=True) for _ in range(20))
    )
    assert results == [1] * 20
    assert peak == 3


async def test_a_slow_provider_does_not_starve_the_others(make_facade, providers) -> None:
    facade = await make_facade(
        server={"request_deadline_s": 2.0}, connectors={"erp": {"bulkhead": {"max_concurrent": 2}}}
    )
    providers.erp.faults.add(Fault("latency", latency_s=1.5))
    slow = [
        facade.query(f'{{ salesOrder(number: "{500000 + n:010d}") {{ number }} }}')
        for n in range(6)
    ]
    fast = [facade.query(f'{{ customer(id: "001{n:012d}AAA") {{ name }} }}') for n in range(1, 6)]
    bodies = await asyncio.gather(*slow, *fast)
    assert all("errors" not in b for b in bodies[6:])  # the CRM answered throughout
    assert providers.erp.recorder.peak_in_flight == 2  # never more than the bulkhead
    codes = [e["extensions"]["code"] for b in bodies[:6] for e in b.get("errors", [])]
    assert codes  # the ones queued behind the bulkhead ran out of time
    assert set(codes) == {"UPSTREAM_TIMEOUT"}
