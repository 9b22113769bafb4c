"""A hostile provider's reply costs bounded memory and never stalls anyone else's request.

Sizes are counted (bytes read, calls made), never timed: wall-clock figures are in
bench/hostile_provider.py.
"""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest

from colonnade.connectors.erp.connector import ORDERS_BY_CUSTOMER
from colonnade.errors import UpstreamResponseTooLarge
from colonnade.pipeline.resilient import Attempt
from colonnade.sandboxes import Fault, SandboxSet
from colonnade.soap import MAX_ATTRIBUTES

ORDERS = '{ customer(id: "001000000000002AAA") { salesOrders { number } } }'
CUSTOMER = '{ customer(id: "001000000000003AAA") { name } }'
CAP = 1_000_000
CHUNK = 65_536  # the most one read from the socket hands over
HANG_GUARD_S = 10.0


def capped(cap: int = CAP) -> dict[str, Any]:
    return {"connectors": {"erp": {"max_response_bytes": cap}}}


async def get_list(erp: Any) -> dict[str, Any]:
    result: dict[str, Any] = await erp.invoke(
        Attempt(1), ORDERS_BY_CUSTOMER, "ZSD_SALESORDER_GETLIST", IT_CUSTOMERS={"item": ["1"]}
    )
    return result


async def test_a_streamed_reply_past_the_cap_is_refused_having_read_at_most_the_cap(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(**capped())
    providers.erp.faults.add(Fault("huge_body", size=4 * CAP))
    with pytest.raises(UpstreamResponseTooLarge) as refused:
        async with asyncio.timeout(HANG_GUARD_S):
            await get_list(facade.connector("erp"))
    assert CAP < refused.value.bytes_read <= CAP + CHUNK
    assert refused.value.counts_as_failure  # a broken provider: the breaker's business
    assert not refused.value.retryable


async def test_a_declared_length_past_the_cap_is_refused_without_reading(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(**capped())
    providers.erp.faults.add(Fault("huge_body", size=4 * CAP, declare_length=True))
    with pytest.raises(UpstreamResponseTooLarge) as refused:
        await get_list(facade.connector("erp"))
    assert refused.value.bytes_read == 0


async def test_an_oversized_reply_is_a_typed_error_sent_once(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(**capped())
    providers.erp.faults.add(Fault("huge_body", size=4 * CAP))
    body = await facade.query(ORDERS)
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_CONTRACT_VIOLATION",
        "connector": "erp",
    }
    assert str(CAP) in body["errors"][0]["message"]
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1  # not retried


async def test_a_text_node_past_libxml2_s_limit_is_refused_under_the_cap(
    make_facade, providers: SandboxSet
) -> None:
    """Guard (passes before and after): huge_tree stays off, a 12 MB text node is refused."""
    facade = await make_facade(**capped(20_000_000))
    providers.erp.faults.add(Fault("huge_text", size=12_000_000))
    body = await facade.query(ORDERS)
    assert body["errors"][0]["extensions"]["code"] == "UPSTREAM_CONTRACT_VIOLATION"


async def test_an_element_with_too_many_attributes_never_reaches_zeep(
    facade, providers: SandboxSet
) -> None:
    """zeep is quadratic in attributes (100,000 cost it 11 s on the loop): refused first."""
    providers.erp.faults.add(Fault("many_attributes", size=4 * MAX_ATTRIBUTES))
    body = await facade.query(ORDERS)
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_CONTRACT_VIOLATION",
        "connector": "erp",
    }
    assert "attributes" in body["errors"][0]["message"]


async def test_a_reply_being_decoded_does_not_stop_another_connector(
    facade, providers: SandboxSet, monkeypatch: pytest.MonkeyPatch
) -> None:
    """zeep's decoding is held inside the provider's reply until the CRM has answered. On the
    event loop that would deadlock (nothing else can run; the gate's wait gives up); on a
    parse thread the CRM query completes and opens the gate."""
    erp = facade.connector("erp")
    entered, gate = threading.Event(), threading.Event()
    released: list[bool] = []
    decode = erp._binding.process_reply

    def held(*args: Any) -> Any:
        entered.set()
        released.append(gate.wait(HANG_GUARD_S))
        return decode(*args)

    monkeypatch.setattr(erp._binding, "process_reply", held)
    orders = asyncio.create_task(facade.query(ORDERS))
    assert await asyncio.to_thread(entered.wait, HANG_GUARD_S)
    other = await facade.query(CUSTOMER)  # the CRM, while the ERP reply is being decoded
    gate.set()
    body = await orders
    assert other["data"]["customer"]["name"]
    assert released == [True]
    assert body["data"]["customer"]["salesOrders"]
