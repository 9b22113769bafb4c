"""A REST provider's huge reply is capped like any other, and large JSON is validated off the
event loop (counted, never timed: bench/hostile_provider.py has the timings)."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from colonnade.connector import OFF_LOOP_BYTES
from colonnade.sandboxes import Fault, SandboxSet

CUSTOMER = '{ customer(id: "001000000000002AAA") { name } }'
ORDER = '{ salesOrder(number: "0000500002") { number } }'
HANG_GUARD_S = 10.0


async def test_a_huge_json_reply_is_refused_at_the_cap(make_facade, providers: SandboxSet) -> None:
    facade = await make_facade(connectors={"crm": {"max_response_bytes": 100_000}})
    providers.crm.faults.add(Fault("huge_body", match="crm.sobject_collection", size=5_000_000))
    body = await facade.query(CUSTOMER)
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_CONTRACT_VIOLATION",
        "connector": "crm",
    }
    assert "larger than 100000 bytes" in body["errors"][0]["message"]
    assert providers.crm.recorder.count("crm.sobject_collection") == 1  # not retried


async def test_large_json_is_validated_while_other_connectors_are_served(
    facade, providers: SandboxSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Validation of a large CRM reply is held until the ERP answered: on the event loop that
    would deadlock (the gate's wait gives up); on the parse threads the ERP query completes."""
    crm = facade.connector("crm")
    entered, gate = threading.Event(), threading.Event()
    released: list[bool] = []
    parse = crm.parse

    def held(op: Any, response: Any, model: Any) -> Any:
        if len(response.content) >= OFF_LOOP_BYTES:
            entered.set()
            released.append(gate.wait(HANG_GUARD_S))
        return parse(op, response, model)

    monkeypatch.setattr(crm, "parse", held)
    providers.crm.faults.add(
        Fault("huge_body", match="crm.sobject_collection", size=2 * OFF_LOOP_BYTES, times=1)
    )
    customer = asyncio.create_task(facade.query(CUSTOMER))
    assert await asyncio.to_thread(entered.wait, HANG_GUARD_S)
    other = await facade.query(ORDER)  # the ERP, while the CRM reply is being validated
    gate.set()
    await customer
    assert other["data"]["salesOrder"]["number"] == "0000500002"
    assert released == [True]
