"""The cache layer, one suite over the memory backend and a real Redis server."""

from __future__ import annotations

import asyncio
import pickle

import pytest
from support import metric

from colonnade.connectors.erp.connector import ORDERS_BY_CUSTOMER
from colonnade.sandboxes import Fault, SandboxSet

ORDERS = '{ customer(id: "001000000000002AAA") { salesOrders { number } } }'
FULL = '{ customer(id: "001000000000002AAA") { name salesOrders { number } payments { id } } }'


def tiny_tier(ttl_s: float = 1.0, **tier: float) -> dict:
    """The "short" tier made short enough to test. TTLs stay >= 0.5 s and margins generous:
    a loaded CI machine must not turn a fresh hit into a miss."""
    return {"cache": {"tiers": {"short": {"ttl_s": ttl_s, **tier}}}}


def upstream_calls(providers: SandboxSet) -> int:
    return sum(p.recorder.count("*") for p in providers.providers.values())


async def wait_for(predicate, *, limit_s: float = 5.0) -> None:
    """Poll until true: a hang guard, not a timing assertion."""
    async with asyncio.timeout(limit_s):
        while not predicate():  # noqa: ASYNC110 - polls another thread's state
            await asyncio.sleep(0.01)


async def test_second_identical_query_is_free_then_one_call_after_the_ttl(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind, **tiny_tier())
    first = await facade.query(ORDERS)
    calls = upstream_calls(providers)
    assert await facade.query(ORDERS) == first
    assert upstream_calls(providers) == calls  # zero upstream calls

    await asyncio.sleep(1.1)  # past the 1 s TTL
    assert await facade.query(ORDERS) == first
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 2


async def test_200_concurrent_identical_cold_queries_make_one_call_per_key(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind)
    bodies = await asyncio.gather(*(facade.query(FULL) for _ in range(200)))
    assert all(b == bodies[0] for b in bodies)
    assert "errors" not in bodies[0]
    assert providers.crm.recorder.count("crm.sobject_collection") == 1
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1
    assert providers.payments.recorder.count("payments.list_payment_intents") == 1


async def test_stale_if_error_serves_labelled_data_then_the_typed_error(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind, **tiny_tier(0.5, stale_if_error_s=2.5))
    warm = await facade.query(ORDERS)
    await asyncio.sleep(0.6)
    providers.erp.faults.add(Fault("status", status=503))

    body = await facade.query(ORDERS)
    assert "errors" not in body
    assert body["data"] == warm["data"]
    [label] = body["extensions"]["colonnade"]["stale"]
    assert label["path"] == ["customer", "salesOrders"]
    assert (label["reason"], label["connector"], label["code"]) == (
        "stale_if_error",
        "erp",
        "UPSTREAM_UNAVAILABLE",
    )

    await asyncio.sleep(2.5)  # past ttl + stale-if-error
    body = await facade.query(ORDERS)
    assert body["data"]["customer"]["salesOrders"] is None
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "connector": "erp"}


async def test_stale_if_error_covers_an_open_breaker(make_facade, backend_kind, providers):
    facade = await make_facade(
        backend=backend_kind,
        connectors={"erp": {"breaker": {"min_calls": 2}, "retry": {"max_attempts": 1}}},
        **tiny_tier(0.5, stale_if_error_s=30),
    )
    warm = await facade.query(ORDERS)
    providers.erp.faults.add(Fault("status", status=503))
    for n in range(3):
        await facade.query(f'{{ salesOrder(number: "{500000 + n:010d}") {{ number }} }}')
    await asyncio.sleep(0.6)
    calls = providers.erp.recorder.count("*")
    body = await facade.query(ORDERS)
    assert body["data"] == warm["data"]
    assert body["extensions"]["colonnade"]["stale"][0]["code"] == "CIRCUIT_OPEN"
    assert providers.erp.recorder.count("*") == calls


async def test_stale_while_revalidate_answers_at_once_and_refreshes_once(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind, **tiny_tier(stale_while_revalidate_s=30))
    warm = await facade.query(ORDERS)
    await asyncio.sleep(1.1)
    providers.erp.faults.add(Fault("latency", latency_s=0.3, times=1))  # a refresh takes a while

    bodies = await asyncio.gather(*(facade.query(ORDERS) for _ in range(5)))

    assert all(b["data"] == warm["data"] for b in bodies)
    assert {b["extensions"]["colonnade"]["stale"][0]["reason"] for b in bodies} == {
        "stale_while_revalidate"
    }
    pipeline = facade.connector("erp").pipeline
    await wait_for(lambda: not pipeline.coalescer.refreshing)
    fresh = await facade.query(ORDERS)
    assert "extensions" not in fresh
    await asyncio.sleep(0.3)
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 2  # refreshed once


async def test_a_batch_with_half_its_keys_cached_asks_only_for_the_rest(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind)

    def query(ids: range) -> str:
        return (
            "{ "
            + " ".join(
                f'c{n}: customer(id: "001{n:012d}AAA") {{ salesOrders {{ number }} }}' for n in ids
            )
            + " }"
        )

    await facade.query(query(range(1, 11)))
    body = await facade.query(query(range(1, 21)))
    assert "errors" not in body
    [_, second] = providers.crm.recorder.calls("crm.sobject_collection")
    assert second.batch_size == 10
    [_, second] = providers.erp.recorder.calls("erp.ZSD_SALESORDER_GETLIST")
    assert second.batch_size == 10


async def test_one_caller_cancelling_does_not_cancel_the_shared_call(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind)
    providers.erp.faults.add(Fault("latency", latency_s=0.3, times=1))
    tasks = [asyncio.create_task(facade.query(ORDERS)) for _ in range(5)]
    await wait_for(
        lambda: (
            providers.erp.recorder.count("*") == 0
            and facade.connector("erp").pipeline.coalescer.in_flight > 0
        )
    )
    tasks[0].cancel()
    results = await asyncio.gather(*tasks, return_exceptions=True)
    assert isinstance(results[0], asyncio.CancelledError)
    assert all("errors" not in r and r["data"]["customer"]["salesOrders"] for r in results[1:])
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1


async def test_creating_an_order_invalidates_that_customers_orders(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind)
    before = await facade.query(ORDERS)
    created = await facade.query(
        """mutation { createSalesOrder(input: {customerId: "001000000000002AAA", currency: "EUR",
            lines: [{material: "MAT-1001", quantity: "1", unitPrice: "1"}]}) { number } }"""
    )
    after = await facade.query(ORDERS)
    number = created["data"]["createSalesOrder"]["number"]
    assert number not in [o["number"] for o in before["data"]["customer"]["salesOrders"]]
    assert number in [o["number"] for o in after["data"]["customer"]["salesOrders"]]


async def test_unreadable_or_pickled_entries_are_misses_never_unpickled(
    make_facade, backend_kind, providers
):
    facade = await make_facade(backend=backend_kind)
    erp = facade.connector("erp")
    key = facade.runtime.cache.key(ORDERS_BY_CUSTOMER, "0000100002", erp.cache_scope())

    class Boom:
        def __reduce__(self):
            return (exec, ("raise SystemExit('unpickled!')",))

    await facade.runtime.backend.set(key, pickle.dumps(Boom()), 60)
    body = await facade.query(ORDERS)
    assert "errors" not in body
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1  # treated as a miss

    await facade.runtime.backend.set(key, b'{"t": 1e12, "d": [{"unexpected": "shape"}]}', 60)
    assert "errors" not in await facade.query(ORDERS)
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 2


async def test_hit_miss_and_stale_counts_are_exported(make_facade, backend_kind, providers):
    facade = await make_facade(backend=backend_kind)
    await facade.query(ORDERS)
    await facade.query(ORDERS)
    text = (await facade.client.get("/metrics")).text
    events = "colonnade_cache_events_total"
    assert metric(text, events, connector="erp", tier="short", outcome="miss") == 1
    assert metric(text, events, connector="erp", tier="short", outcome="hit") == 1
    attempts = "colonnade_upstream_attempts_total"
    assert (
        metric(text, attempts, connector="erp", operation="orders_by_customer", outcome="ok") == 1
    )


@pytest.mark.parametrize("configured", [True, False])
async def test_operators_invalidate_by_tag(make_facade, providers, configured, tmp_path):
    token_file = tmp_path / "admin"
    token_file.write_text("s3cret-admin-token")
    facade = await make_facade(**({"admin_token_file": str(token_file)} if configured else {}))
    await facade.query(ORDERS)
    response = await facade.client.post(
        "/admin/cache/invalidate",
        json={"tags": ["erp:customer:0000100002"]},
        headers={"authorization": "Bearer s3cret-admin-token"},
    )
    if not configured:
        assert response.status_code == 404
        return
    assert response.json() == {"removed": 1}
    refused = await facade.client.post(
        "/admin/cache/invalidate", json={"tags": ["x"]}, headers={"authorization": "Bearer nope"}
    )
    assert refused.status_code == 401
    await facade.query(ORDERS)
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 2
