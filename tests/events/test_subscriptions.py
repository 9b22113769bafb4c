"""graphql-transport-ws conformance, with a real WebSocket client against a real server, and
``paymentUpdated`` fed by webhooks — on one replica, and across two replicas on one Redis."""

from __future__ import annotations

import asyncio
import json
import secrets
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager, contextmanager
from typing import Any

import pytest
from events.conftest import ServeFacade
from events.support import serve_app
from gateway.gateway_support import client_key, locked
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from colonnade.app import create_app
from colonnade.config import Settings
from colonnade.sandboxes import SandboxSet

PROTOCOL = "graphql-transport-ws"
CUSTOMER = "001000000000002AAA"
SUBSCRIBE = """subscription($c: ID!) { paymentUpdated(customerId: $c) {
  paymentId customerId status eventType eventId changedAt } }"""


def stripe_customer(providers: SandboxSet, crm_id: str) -> str:
    return next(
        cid
        for cid, c in providers.payments.customers.items()
        if c["metadata"].get("crm_account_id") == crm_id
    )


def new_intent(providers: SandboxSet, customer: str) -> str:
    with providers.payments._lock:
        intent = providers.payments._execute_intent(
            {"amount": "700", "currency": "eur", "customer": customer}
        )
    return str(intent["id"])


@asynccontextmanager
async def ws(base: str, **kw: Any) -> AsyncIterator[ClientConnection]:
    url = base.replace("http://", "ws://") + "/graphql"
    async with connect(url, subprotocols=[PROTOCOL], open_timeout=10, **kw) as conn:  # type: ignore[list-item]
        yield conn


async def send(conn: ClientConnection, message: dict[str, Any]) -> None:
    await conn.send(json.dumps(message))


async def recv(conn: ClientConnection, timeout_s: float = 20) -> dict[str, Any]:
    raw = await asyncio.wait_for(conn.recv(), timeout_s)
    message: dict[str, Any] = json.loads(raw)
    return message


async def closed_with(conn: ClientConnection, at_most: int = 100) -> int:
    try:
        for _ in range(at_most):
            await recv(conn)
    except ConnectionClosed as closed:
        return closed.rcvd.code if closed.rcvd is not None else -1
    raise AssertionError("the server did not close the connection")


async def init(conn: ClientConnection, payload: dict[str, Any] | None = None) -> None:
    await send(conn, {"type": "connection_init", "payload": payload or {}})
    assert await recv(conn) == {"type": "connection_ack"}


@contextmanager
def served(serve_facade: ServeFacade, **events: Any) -> Iterator[str]:
    with serve_facade(**events) as base:
        yield base


# -------------------------------------------------------------------- the protocol
async def test_handshake_ping_pong_and_a_query_over_the_socket(serve_facade: ServeFacade) -> None:
    with served(serve_facade) as base:
        async with ws(base) as conn:
            assert conn.subprotocol == PROTOCOL
            await init(conn)
            await send(conn, {"type": "ping"})
            assert await recv(conn) == {"type": "pong"}
            await send(conn, {"type": "pong"})  # unsolicited pong: allowed, no answer
            q = {"query": '{ customer(id: "001000000000002AAA") { id } }'}
            await send(conn, {"id": "q1", "type": "subscribe", "payload": q})
            assert await recv(conn) == {
                "id": "q1",
                "type": "next",
                "payload": {"data": {"customer": {"id": CUSTOMER}}},
            }
            assert await recv(conn) == {"id": "q1", "type": "complete"}


async def test_subscribe_next_and_client_complete(
    serve_facade: ServeFacade, providers: SandboxSet
) -> None:
    stripe_id = stripe_customer(providers, CUSTOMER)
    with served(serve_facade) as base:
        async with ws(base) as conn:
            await init(conn)
            payload = {"query": SUBSCRIBE, "variables": {"c": CUSTOMER}}
            await send(conn, {"id": "s1", "type": "subscribe", "payload": payload})
            await asyncio.sleep(0.2)  # let the subscription reach the broker
            pid = await asyncio.to_thread(new_intent, providers, stripe_id)
            first = await recv(conn)
            assert first["id"] == "s1"
            assert first["type"] == "next"
            update = first["payload"]["data"]["paymentUpdated"]
            assert (update["paymentId"], update["customerId"]) == (pid, CUSTOMER)
            assert update["status"] == "REQUIRES_PAYMENT_METHOD"
            await asyncio.to_thread(providers.payments.set_status, pid, "processing")
            second = await recv(conn)
            assert second["payload"]["data"]["paymentUpdated"]["status"] == "PROCESSING"
            await send(conn, {"id": "s1", "type": "complete"})
            await send(conn, {"type": "ping"})
            assert await recv(conn) == {"type": "pong"}  # nothing more for s1, then pong
            # The id is free again after complete.
            await send(conn, {"id": "s1", "type": "subscribe", "payload": payload})
            await send(conn, {"type": "ping"})
            assert await recv(conn) == {"type": "pong"}


async def test_an_unknown_customer_is_a_typed_error_message(serve_facade: ServeFacade) -> None:
    with served(serve_facade) as base:
        async with ws(base) as conn:
            await init(conn)
            payload = {"query": SUBSCRIBE, "variables": {"c": "001000000000999AAA"}}
            await send(conn, {"id": "e1", "type": "subscribe", "payload": payload})
            message = await recv(conn)
            assert message["type"] in ("error", "next")
            errors = (
                message["payload"] if message["type"] == "error" else message["payload"]["errors"]
            )
            assert errors[0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(
    "bad",
    [
        "not json",
        json.dumps({"type": "no_such_type"}),
        json.dumps({"id": "x", "type": "subscribe"}),
    ],
    ids=["not-json", "unknown-type", "subscribe-without-payload"],
)
async def test_bad_messages_close_with_4400(serve_facade: ServeFacade, bad: str) -> None:
    with served(serve_facade) as base:
        async with ws(base) as conn:
            await init(conn)
            await conn.send(bad)
            assert await closed_with(conn) == 4400


async def test_subscribe_before_init_closes_with_4401(serve_facade: ServeFacade) -> None:
    with served(serve_facade) as base:
        async with ws(base) as conn:
            payload = {"query": SUBSCRIBE, "variables": {"c": CUSTOMER}}
            await send(conn, {"id": "s1", "type": "subscribe", "payload": payload})
            assert await closed_with(conn) == 4401


async def test_a_wrong_key_closes_with_4403_and_the_right_one_is_acked(
    serve_facade: ServeFacade,
) -> None:
    key, entry = client_key(["customers:read", "payments:read"])
    with served(serve_facade, gateway=locked(api_keys={"ws": entry})["gateway"]) as base:
        async with ws(base) as conn:
            await send(conn, {"type": "connection_init", "payload": {"token": "wrong"}})
            assert await closed_with(conn) == 4403
        async with ws(base) as conn:  # no credentials, and anonymous access is off
            await send(conn, {"type": "connection_init", "payload": {}})
            assert await closed_with(conn) == 4403
        async with ws(base) as conn:
            await init(conn, {"Authorization": f"Bearer {key}"})
            q = {"query": '{ customer(id: "001000000000002AAA") { id } }'}
            await send(conn, {"id": "q1", "type": "subscribe", "payload": q})
            answer = await recv(conn)
            assert answer["payload"] == {"data": {"customer": {"id": CUSTOMER}}}  # its scopes


async def test_duplicate_subscriber_id_closes_with_4409(serve_facade: ServeFacade) -> None:
    with served(serve_facade) as base:
        async with ws(base) as conn:
            await init(conn)
            payload = {"query": SUBSCRIBE, "variables": {"c": CUSTOMER}}
            await send(conn, {"id": "dup", "type": "subscribe", "payload": payload})
            await send(conn, {"id": "dup", "type": "subscribe", "payload": payload})
            assert await closed_with(conn) == 4409


async def test_no_init_in_time_closes_with_4408(serve_facade: ServeFacade) -> None:
    with served(serve_facade, ws_init_timeout_s=0.3) as base:
        async with ws(base) as conn:
            assert await closed_with(conn) == 4408


async def test_a_second_init_closes_with_4429(serve_facade: ServeFacade) -> None:
    with served(serve_facade) as base:
        async with ws(base) as conn:
            await init(conn)
            await send(conn, {"type": "connection_init", "payload": {}})
            assert await closed_with(conn) == 4429


# -------------------------------------------------------------------- fan-out
@pytest.mark.redis
async def test_a_subscription_on_one_replica_receives_an_event_ingested_by_another(
    events_settings: Callable[..., Settings],
    serve_facade: ServeFacade,
    providers: SandboxSet,
    redis_events: tuple[str, str],
) -> None:
    stripe_id = stripe_customer(providers, CUSTOMER)
    redis = redis_events
    with ExitStack() as stack:
        # Replica A receives the webhooks; replica B only serves the subscription. B runs
        # no dispatcher work of its own here: its consumer group share is empty by design
        # (the event may be handled by either; the update must reach B either way).
        replica_b = stack.enter_context(serve_app(create_app(events_settings(redis=redis))))
        stack.enter_context(serve_facade(redis=redis))
        async with ws(replica_b) as conn:
            await init(conn)
            payload = {"query": SUBSCRIBE, "variables": {"c": CUSTOMER}}
            await send(conn, {"id": "x1", "type": "subscribe", "payload": payload})
            await asyncio.sleep(0.3)
            pid = await asyncio.to_thread(new_intent, providers, stripe_id)
            message = await recv(conn)
            assert message["payload"]["data"]["paymentUpdated"]["paymentId"] == pid


@pytest.mark.redis
async def test_a_slow_consumer_is_dropped_with_1013_and_never_buffered_without_bound(
    events_settings: Callable[..., Settings],
    providers: SandboxSet,
    redis_events: tuple[str, str],
) -> None:
    """The client stops reading; the server's per-subscriber queue (5 here) overflows and the
    connection is closed with 1013 while the others keep flowing."""
    from redis.asyncio import Redis

    url, prefix = redis_events
    stripe_id = stripe_customer(providers, CUSTOMER)
    channel = f"payments:customer:{stripe_id}"
    app = create_app(events_settings(redis=redis_events, subscriber_queue=5))
    broker = app.state.events.broker
    publisher = Redis.from_url(url)
    filler = secrets.token_urlsafe(15_000)  # incompressible: permessage-deflate must not help
    with serve_app(app) as base:
        async with ws(base, max_queue=1, compression=None) as slow, ws(base) as healthy:
            for conn in (slow, healthy):
                await init(conn)
                payload = {"query": SUBSCRIBE, "variables": {"c": CUSTOMER}}
                await send(conn, {"id": "s", "type": "subscribe", "payload": payload})
            for _ in range(500):
                if broker.subscribers(channel) == 2:
                    break
                await asyncio.sleep(0.02)
            sent = 0
            while broker.subscribers(channel) == 2 and sent < 5000:
                message = {"paymentId": f"pi_{sent}", "customerId": stripe_id, "status": "processing",
                           "eventId": f"evt_{sent}", "eventType": filler, "created": 0}  # fmt: skip
                await publisher.publish(f"{prefix}live:{channel}", json.dumps(message))
                sent += 1
                # The healthy one keeps up, and must not be the one dropped.
                got = await recv(healthy)
                assert got["payload"]["data"]["paymentUpdated"]["paymentId"] == f"pi_{sent - 1}"
            assert broker.subscribers(channel) == 1, f"nobody dropped after {sent} messages"
            # What the kernel and the transport already hold (bounded by flow control) comes
            # first, then the close frame.
            assert await closed_with(slow, 100_000) == 1013
            await send(healthy, {"type": "ping"})
            while (await recv(healthy))["type"] != "pong":
                pass
    await publisher.aclose()
    print(f"\nslow consumer dropped after {sent} messages of ~20 kB")
