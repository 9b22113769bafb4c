"""Nothing lost, nothing doubled: keyed writes under dropped and delayed responses."""

from __future__ import annotations

import asyncio

import pytest
from support import order_input

from colonnade.sandboxes import Fault, SandboxSet

CUSTOMER = "001000000000002AAA"

CREATE_PAYMENT = """mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id amount { amount } } }"""
CREATE_ORDER = """mutation($input: CreateSalesOrderInput!) { createSalesOrder(input: $input) { number purchaseOrder } }"""

# The faults below make a third of the attempts fail after the provider committed; the
# default retry budget (20 %) exists to protect providers, not to cover that on purpose.
PATIENT = {"retry": {"max_attempts": 6, "budget_ratio": 1.0}, "breaker": {"enabled": False}}


@pytest.fixture
async def facade(make_facade, backend_kind):
    return await make_facade(
        backend=backend_kind,
        connectors={
            "payments": PATIENT,
            "erp": PATIENT | {"timeouts": {"total_s": 1.0, "read_s": 1.0}},
        },
    )


async def test_200_concurrent_payments_while_responses_drop_after_commit(
    facade, providers: SandboxSet
) -> None:
    providers.payments.faults.add(
        Fault("drop_after_commit", match="payments.create_payment_intent", probability=0.2)
    )
    providers.payments.faults.add(
        Fault(
            "delay_after_commit",
            match="payments.create_payment_intent",
            latency_s=0.05,
            probability=0.2,
        )
    )
    before = providers.payments.payment_intent_count()

    async def pay(n: int) -> dict:
        payment = {
            "customerId": CUSTOMER,
            "amount": f"{n + 1}.00",
            "currency": "EUR",
            "idempotencyKey": f"p-{n}",
        }
        return await facade.query(CREATE_PAYMENT, {"input": payment})

    bodies = await asyncio.gather(*(pay(n) for n in range(200)))

    assert all("errors" not in b for b in bodies), [b for b in bodies if "errors" in b][:3]
    assert providers.payments.payment_intent_count() == before + 200
    amounts = sorted(float(b["data"]["createPayment"]["amount"]["amount"]) for b in bodies)
    assert amounts == [float(n + 1) for n in range(200)]  # every client got its own payment
    dropped = providers.payments.recorder.count("payments.create_payment_intent") - 200
    assert dropped > 0  # the faults did fire, and were retried


async def test_concurrent_sales_orders_survive_lost_responses_through_our_own_record(
    facade, providers: SandboxSet
) -> None:
    """SAP has no idempotency keys: Colonnade's record plus a lookup by reference do the job."""
    providers.erp.faults.add(
        Fault("drop_after_commit", match="erp.ZSD_SALESORDER_CREATE", probability=0.3)
    )
    before = providers.erp.order_count()

    async def order(n: int) -> dict:
        data = {
            "customerId": CUSTOMER,
            "currency": "EUR",
            "purchaseOrder": f"PO-{n}",
            "idempotencyKey": f"so-{n}",
            "lines": [{"material": "MAT-1001", "quantity": "1", "unitPrice": "1"}],
        }
        return await facade.query(CREATE_ORDER, {"input": data})

    bodies = await asyncio.gather(*(order(n) for n in range(50)))

    assert all("errors" not in b for b in bodies), [b for b in bodies if "errors" in b][:3]
    assert providers.erp.order_count() == before + 50
    assert sorted(b["data"]["createSalesOrder"]["purchaseOrder"] for b in bodies) == sorted(
        f"PO-{n}" for n in range(50)
    )
    # Some responses were lost; each was found again by its reference, never sent twice.
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") > 0
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 50


async def test_a_repeated_order_returns_the_first_one(facade, providers: SandboxSet) -> None:
    data = {
        "customerId": CUSTOMER,
        "currency": "EUR",
        "idempotencyKey": "so-repeat",
        "lines": [{"material": "MAT-1001", "quantity": "2", "unitPrice": "3"}],
    }
    first = await facade.query(CREATE_ORDER, {"input": data})
    again = await asyncio.gather(*(facade.query(CREATE_ORDER, {"input": data}) for _ in range(5)))
    assert all(b == first for b in again)
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1


async def test_a_lost_response_then_a_client_retry_finds_the_order(make_facade, providers) -> None:
    """The client gives up (no retries configured), then repeats the request with its key."""
    facade = await make_facade(connectors={"erp": {"retry": {"max_attempts": 1}}})
    providers.erp.faults.add(Fault("drop_after_commit", match="erp.ZSD_SALESORDER_CREATE", times=1))
    data = {
        "customerId": CUSTOMER,
        "currency": "EUR",
        "idempotencyKey": "so-lost",
        "lines": [{"material": "MAT-1001", "quantity": "1", "unitPrice": "9"}],
    }
    before = providers.erp.order_count()
    lost = await facade.query(CREATE_ORDER, {"input": data})
    assert lost["errors"][0]["extensions"]["code"] == "UPSTREAM_OUTCOME_UNKNOWN"
    assert providers.erp.order_count() == before + 1  # it was committed all the same

    found = await facade.query(CREATE_ORDER, {"input": data})
    assert "errors" not in found
    assert providers.erp.order_count() == before + 1
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1  # found, not resent


async def test_the_same_order_key_with_other_lines_is_refused(facade, providers) -> None:
    data = order_input("so-mismatch")
    await facade.query(CREATE_ORDER, {"input": data})
    data["lines"] = [{"material": "MAT-1002", "quantity": "1", "unitPrice": "1"}]
    body = await facade.query(CREATE_ORDER, {"input": data})
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1


@pytest.mark.redis
async def test_a_keyed_sap_create_is_refused_not_risked_while_redis_is_away(
    make_facade, providers
) -> None:
    """Without its idempotency record a create could not be made safe: it is not sent."""
    from support import REDIS_URL, RedisProxy, redis_prefix

    port = int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    proxy = RedisProxy("127.0.0.1", port)
    await proxy.start()
    try:
        async with redis_prefix() as prefix:
            url = f"redis://127.0.0.1:{proxy.port}/{REDIS_URL.rsplit('/', 1)[1]}"
            facade = await make_facade(backend="redis", prefix=prefix, url=url)
            await proxy.stop()
            data = {
                "customerId": CUSTOMER,
                "currency": "EUR",
                "idempotencyKey": "so-no-redis",
                "lines": [{"material": "MAT-1001", "quantity": "1", "unitPrice": "1"}],
            }
            body = await facade.query(CREATE_ORDER, {"input": data})
            assert body["errors"][0]["extensions"] == {
                "code": "UPSTREAM_UNAVAILABLE",
                "connector": "erp",
            }
            assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 0
            # Reads keep working from the provider meanwhile.
            read = await facade.query(
                '{ customer(id: "001000000000002AAA") { salesOrders { number } } }'
            )
            assert "errors" not in read
    finally:
        await proxy.stop()
