"""N stateless replicas on one Redis, as separate ``colonnade serve`` processes: what one
replica learns — an open breaker, a drained bucket, a cached answer, a write's outcome — the
other acts on without calling the provider. Counted at the sandbox, and in each replica's own
/metrics and /readyz.

Both replicas run for the whole module (one key prefix); each test uses its own connector,
operation or keys, so the order of the tests does not matter.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator

import httpx
import pytest
from scaleout_support import ask, attempts, code, replicas, sample, shared_prefix
from support import REDIS_URL, facade_env, order_input

from colonnade.sandboxes import Fault, SandboxSet

pytestmark = [pytest.mark.redis, pytest.mark.processes]

CUSTOMER = "001000000000002AAA"  # SAP 0000100002, Stripe cus_00000000000002
CREATE_ORDER = """mutation($input: CreateSalesOrderInput!) {
  createSalesOrder(input: $input) { number customerNumber netValue { amount currency } } }"""
CREATE_PAYMENT = """mutation($input: CreatePaymentInput!) {
  createPayment(input: $input) { id status amount { amount currency } } }"""


def sales_order(n: int) -> str:
    return f'{{ salesOrder(number: "{700000 + n:010d}") {{ number }} }}'


def fx_rates(day: int) -> str:
    return f'{{ fxRates(date: "2024-03-{day:02d}") {{ date }} }}'


@pytest.fixture(scope="module")
def pair(providers_server, creds) -> Iterator[tuple[str, str]]:
    with shared_prefix() as prefix:
        env = facade_env(
            providers_server.base_url,
            creds,
            COLONNADE_REDIS_URL=REDIS_URL,
            COLONNADE_STATE_PREFIX=prefix,
            # Patient (production: 250 ms): a loaded machine's slow reply would make a count race
            COLONNADE_REDIS_TIMEOUT_S="2",
            # (a) one failure in a call opens the ERP's per-operation breaker for a minute
            COLONNADE_CONNECTORS__ERP__RETRY__MAX_ATTEMPTS="1",
            COLONNADE_CONNECTORS__ERP__BREAKER__PER_OPERATION="true",
            COLONNADE_CONNECTORS__ERP__BREAKER__MIN_CALLS="4",
            COLONNADE_CONNECTORS__ERP__BREAKER__BREAK_S="60",
            # (b) the FX provider: two calls, then one every 1000 s; never wait for a token
            COLONNADE_CONNECTORS__FX__BASE_URL=f"{providers_server.base_url}/fx",
            COLONNADE_CONNECTORS__FX__RATE_LIMIT__RATE_PER_S="0.001",
            COLONNADE_CONNECTORS__FX__RATE_LIMIT__BURST="2",
            COLONNADE_CONNECTORS__FX__RATE_LIMIT__MAX_WAIT_S="0",
            # (d) a replica that finds the other's payment in flight (Stripe's 409) retries
            COLONNADE_CONNECTORS__PAYMENTS__RETRY__MAX_ATTEMPTS="8",
            COLONNADE_CONNECTORS__PAYMENTS__RETRY__BASE_DELAY_S="0.05",
            COLONNADE_CONNECTORS__PAYMENTS__RETRY__MAX_DELAY_S="0.5",
        )
        with replicas(env, env) as (a, b):
            yield a, b


@pytest.fixture
async def http() -> httpx.AsyncClient:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


async def test_a_breaker_opened_through_one_replica_is_open_on_the_other(
    pair, providers: SandboxSet, http
) -> None:
    a, b = pair
    providers.erp.faults.add(Fault("status", status=503, match="erp.ZSD_SALESORDER_GETDETAIL*"))
    for n in range(4):
        assert code(await ask(http, a, sales_order(n))) == "UPSTREAM_UNAVAILABLE"
    failed = providers.erp.recorder.count("*")
    assert failed == 4
    body = await ask(http, b, sales_order(10))
    assert code(body) == "CIRCUIT_OPEN"
    assert body["errors"][0]["extensions"]["connector"] == "erp"
    assert providers.erp.recorder.count("*") == failed  # B refused without calling
    assert attempts(b, "erp") == {"CIRCUIT_OPEN": 1}  # refused before sending
    assert attempts(a, "erp") == {"UPSTREAM_UNAVAILABLE": 4}
    ready = (await http.get(f"{b}/readyz")).json()
    erp = ready["connectors"]["erp"]
    assert "open" in erp["breakers"].values(), erp  # read from Redis: B never saw a failure
    assert erp["status"] == "degraded"
    assert ready["state"]["status"] == "ok"


async def test_a_rate_limit_bucket_drained_through_one_replica_is_drained_for_the_other(
    pair, providers: SandboxSet, http
) -> None:
    a, b = pair
    for day in (4, 5):  # the burst, spent through A
        body = await ask(http, a, fx_rates(day))
        assert "errors" not in body, body
    assert providers.fx.recorder.count("*") == 2
    body = await ask(http, b, fx_rates(6))
    assert code(body) == "UPSTREAM_RATE_LIMITED"
    assert body["errors"][0]["extensions"]["connector"] == "fx"
    assert providers.fx.recorder.count("*") == 2
    assert attempts(b, "fx") == {"UPSTREAM_RATE_LIMITED": 1}  # refused before sending
    assert attempts(a, "fx") == {"ok": 2}


async def test_a_read_cached_through_one_replica_is_a_hit_on_the_other(
    pair, providers: SandboxSet, http
) -> None:
    a, b = pair
    query = '{ customer(id: "001000000000005AAA") { name erpCustomerNumber } }'
    first = await ask(http, a, query)
    assert "errors" not in first, first
    calls = {name: p.recorder.count("*") for name, p in providers.providers.items()}
    assert calls["crm"] >= 1
    hits_before = sample(b, "colonnade_cache_events_total", connector="crm", outcome="hit")
    assert await ask(http, b, query) == first
    assert {name: p.recorder.count("*") for name, p in providers.providers.items()} == calls
    assert attempts(b, "crm") == {}
    hits = sample(b, "colonnade_cache_events_total", connector="crm", outcome="hit")
    assert hits == hits_before + 1


def payment(key: str) -> dict[str, object]:
    return {"customerId": CUSTOMER, "amount": "7.25", "currency": "EUR", "idempotencyKey": key}


async def test_a_keyed_payment_sent_to_both_replicas_charges_once(
    pair, providers: SandboxSet, http
) -> None:
    """Stripe keeps idempotency keys itself: each replica sends the client's key, and Stripe
    replays the first result to the second (no Colonnade record needed, nor kept)."""
    a, b = pair
    before = providers.payments.payment_intent_count()
    key = f"scaleout-{uuid.uuid4().hex}"
    first = await ask(http, a, CREATE_PAYMENT, {"input": payment(key)})
    second = await ask(http, b, CREATE_PAYMENT, {"input": payment(key)})
    assert "errors" not in first, first
    assert second == first
    assert providers.payments.payment_intent_count() == before + 1
    sent = providers.payments.recorder.calls("payments.create_payment_intent")
    assert [c.headers.get("Idempotency-Key") for c in sent] == [key, key]


async def test_a_keyed_sales_order_sent_to_both_replicas_is_created_once(
    pair, providers: SandboxSet, http
) -> None:
    """The ERP has no idempotency of its own: Colonnade's record in Redis answers B, which
    never calls the ERP's create."""
    a, b = pair
    before = providers.erp.order_count()
    variables = {"input": order_input(f"scaleout-{uuid.uuid4().hex}")}
    first = await ask(http, a, CREATE_ORDER, variables)
    second = await ask(http, b, CREATE_ORDER, variables)
    assert "errors" not in first, first
    assert second == first
    assert providers.erp.order_count() == before + 1
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1


async def test_concurrent_same_key_writes_to_both_replicas_apply_once(
    pair, providers: SandboxSet, http
) -> None:
    a, b = pair
    orders, payments = providers.erp.order_count(), providers.payments.payment_intent_count()
    order = {"input": order_input(f"scaleout-{uuid.uuid4().hex}")}
    pay = {"input": payment(f"scaleout-{uuid.uuid4().hex}")}
    bodies = await asyncio.gather(
        *(ask(http, base, CREATE_ORDER, order) for base in (a, b, a, b)),
        *(ask(http, base, CREATE_PAYMENT, pay) for base in (a, b, a, b)),
    )
    assert all("errors" not in body for body in bodies), bodies
    assert len({body["data"]["createSalesOrder"]["number"] for body in bodies[:4]}) == 1
    assert len({body["data"]["createPayment"]["id"] for body in bodies[4:]}) == 1
    assert providers.erp.order_count() == orders + 1
    assert providers.erp.recorder.count("erp.ZSD_SALESORDER_CREATE") == 1
    assert providers.payments.payment_intent_count() == payments + 1
