"""Graceful shutdown of a real ``colonnade serve`` process: SIGTERM mid-request.

The process is the one operators run (its signal handling, its listener, its lifespan), wired
to the sandbox providers served by the test session; a latency fault keeps a request in flight
while the signal arrives. Bounds here are generous hang guards, not timings: what is asserted
is who got which answer, how many upstream calls were made, and the exit status.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import Credentials, facade_env, facade_process
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from colonnade.sandboxes import Fault, SandboxSet, ServedSandbox
from colonnade.sandboxes.data import crm_id

pytestmark = pytest.mark.processes

PROTOCOL: Any = "graphql-transport-ws"
CUSTOMER = "001000000000002AAA"
NAME = f'{{ customer(id: "{CUSTOMER}") {{ name }} }}'
ORDERS = f'{{ customer(id: "{CUSTOMER}") {{ name salesOrders {{ number }} }} }}'
ORDER = '{ salesOrder(number: "0000500002") { number } }'
PAY = "mutation($input: CreatePaymentInput!) { createPayment(input: $input) { id status } }"
PAYMENT = {"customerId": CUSTOMER, "amount": "12.50", "currency": "EUR", "idempotencyKey": "sd-1"}


@contextmanager
def serving(
    server: ServedSandbox, creds: Credentials, log: Path, **extra: str
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    env = facade_env(server.base_url, creds, COLONNADE_SERVER__LOG_LEVEL="info", **extra)
    with log.open("wb") as sink, facade_process(env, stderr=sink) as running:
        yield running


def ws_url(base: str) -> str:
    return base.replace("http://", "ws://") + "/graphql"


def log_events(log: Path) -> list[dict[str, Any]]:
    lines = [line for line in log.read_text().splitlines() if line.startswith("{")]
    return [json.loads(line) for line in lines]


async def until(predicate: Any, limit_s: float = 10.0) -> None:
    """Poll until true: a hang guard, not a timing assertion."""
    async with asyncio.timeout(limit_s):
        while not predicate():  # noqa: ASYNC110 - polls another thread's (the sandbox's) state
            await asyncio.sleep(0.01)


async def exit_status(proc: subprocess.Popen[bytes], limit_s: float) -> int:
    return await asyncio.to_thread(proc.wait, limit_s)


async def test_sigterm_drains_answers_the_request_in_flight_and_exits_0(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials, tmp_path: Path
) -> None:
    providers.crm.faults.add(
        Fault("latency", match="crm.sobject_collection", latency_s=1.5, times=1)
    )
    log = tmp_path / "serve.log"
    with serving(providers_server, creds, log, COLONNADE_SERVER__SHUTDOWN_DRAIN_S="2") as (
        proc,
        base,
    ):
        async with (
            httpx.AsyncClient(base_url=base, timeout=30) as slow,
            httpx.AsyncClient(base_url=base, timeout=10) as other,
        ):
            assert (await other.get("/readyz")).status_code == 200  # a keep-alive connection
            subscriber = await connect(ws_url(base), subprotocols=[PROTOCOL], open_timeout=10)
            await subscriber.send(json.dumps({"type": "connection_init", "payload": {}}))
            assert json.loads(await subscriber.recv()) == {"type": "connection_ack"}
            in_flight = asyncio.create_task(slow.post("/graphql", json={"query": NAME}))
            await until(lambda: not providers.crm.faults.active())  # it reached the provider
            proc.send_signal(signal.SIGTERM)

            ready = await other.get("/readyz")  # on the connection opened before the signal
            assert ready.status_code == 503
            assert ready.json()["status"] == "shutting_down"
            assert ready.json()["draining"] is True
            assert ready.headers["connection"] == "close"
            async with httpx.AsyncClient(base_url=base, timeout=10) as new:
                assert (await new.get("/healthz")).status_code == 200
                refused = await new.post("/graphql", json={"query": NAME})
                again = await new.post("/graphql", json={"query": NAME})
            assert refused.status_code == again.status_code == 503
            assert refused.headers["retry-after"] == "1"
            assert refused.headers["connection"] == "close"
            [error] = refused.json()["errors"]
            assert error["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
            assert "shutting down" in error["message"]

            with pytest.raises(InvalidStatus) as denied:
                await connect(ws_url(base), subprotocols=[PROTOCOL], open_timeout=10)
            assert denied.value.response.status_code == 503

            answered = await in_flight
            # The subscription open since before the signal is closed as the server stops.
            with pytest.raises(ConnectionClosed) as closed:
                await asyncio.wait_for(subscriber.recv(), 20)
            assert closed.value.rcvd is not None
            assert closed.value.rcvd.code == 1012
        assert answered.status_code == 200
        name = providers.crm.accounts[CUSTOMER]["Name"]
        assert answered.json() == {"data": {"customer": {"name": name}}}
        assert await exit_status(proc, 20) == 0
    # One upstream read: the refused requests never reached the provider.
    assert providers.crm.recorder.count("crm.sobject_collection") == 1
    events = [e["event"] for e in log_events(log)]
    assert events.index("shutdown_draining") < events.index("shutdown_stopping")
    [done] = [e for e in log_events(log) if e["event"] == "shutdown_complete"]
    assert (done["cut"], done["forced"]) == (0, False)
    # The refusals are counted as what they are (an alert on INTERNAL_SERVER_ERROR stays quiet).
    refusals = [
        e for e in log_events(log) if e["event"] == "graphql_request" and e["status"] == 503
    ]
    assert [e["error_codes"] for e in refusals] == [["SERVICE_UNAVAILABLE"]] * 2


async def test_what_outlives_the_grace_is_cut_with_an_answer_and_the_process_exits(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials, tmp_path: Path
) -> None:
    # Without the cut these would answer after 12 s (and the process would wait for them).
    slow = {"kind": "latency", "latency_s": 12, "times": 1}
    patient = {
        "COLONNADE_SERVER__REQUEST_DEADLINE_S": "60",
        "COLONNADE_CONNECTORS__ERP__DEADLINE_S": "60",
        "COLONNADE_CONNECTORS__PAYMENTS__DEADLINE_S": "60",
        "COLONNADE_SERVER__SHUTDOWN_DRAIN_S": "0.2",
        "COLONNADE_SERVER__SHUTDOWN_GRACE_S": "1",
    }
    log = tmp_path / "serve.log"
    with serving(providers_server, creds, log, **patient) as (proc, base):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            # The write reaches the provider (its outcome is unknown from here on) ...
            providers.payments.faults.add(Fault(match="payments.create*", **slow))
            write = asyncio.create_task(
                client.post("/graphql", json={"query": PAY, "variables": {"input": PAYMENT}})
            )
            await until(lambda: not providers.payments.faults.active())  # a taken fault is gone
            # ... and so does a read.
            providers.erp.faults.add(Fault(match="erp.*", **slow))
            read = asyncio.create_task(client.post("/graphql", json={"query": ORDER}))
            await until(lambda: not providers.erp.faults.active())
            proc.send_signal(signal.SIGTERM)
            cut_read, cut_write = await read, await write
        assert await exit_status(proc, 8) == 0
    assert cut_read.status_code == cut_write.status_code == 503
    assert cut_read.headers["connection"] == "close"
    assert cut_read.json()["errors"][0]["extensions"] == {"code": "SERVICE_UNAVAILABLE"}
    # The write may have reached the provider: the client must not take it for "not applied".
    [error] = cut_write.json()["errors"]
    assert error["extensions"] == {"code": "UPSTREAM_OUTCOME_UNKNOWN"}
    assert "may or may not have been applied" in error["message"]
    [done] = [e for e in log_events(log) if e["event"] == "shutdown_complete"]
    assert (done["cut"], done["forced"]) == (2, False)
    cut = [e for e in log_events(log) if e["event"] == "graphql_request"]
    assert sorted((e["operation_type"], *e["error_codes"]) for e in cut) == [
        ("mutation", "UPSTREAM_OUTCOME_UNKNOWN"),
        ("query", "SERVICE_UNAVAILABLE"),
    ]


async def test_no_background_refresh_starts_once_draining(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials, tmp_path: Path
) -> None:
    """A request in flight when the signal arrives finds a stale entry: it is served as it is
    (labelled), and no stale-while-revalidate refresh goes upstream."""
    tiers = {
        # The customer read is never cached (it is the slow part); orders go stale quickly.
        "COLONNADE_CONNECTORS__CRM__CACHE_TIERS__ACCOUNTS_BY_ID": "live",
        "COLONNADE_CACHE__TIERS": '{"short": {"ttl_s": 0.5, "stale_while_revalidate_s": 60}}',
        "COLONNADE_SERVER__SHUTDOWN_DRAIN_S": "1.5",
    }
    with serving(providers_server, creds, tmp_path / "serve.log", **tiers) as (proc, base):
        async with httpx.AsyncClient(base_url=base, timeout=30) as client:
            warm = (await client.post("/graphql", json={"query": ORDERS})).json()
            assert providers.erp.recorder.count("erp.*") == 1
            await asyncio.sleep(0.7)  # the orders entry is stale now
            providers.crm.faults.add(
                Fault("latency", match="crm.sobject_collection", latency_s=1.0, times=1)
            )
            in_flight = asyncio.create_task(client.post("/graphql", json={"query": ORDERS}))
            await until(lambda: not providers.crm.faults.active())
            proc.send_signal(signal.SIGTERM)
            async with httpx.AsyncClient(base_url=base, timeout=10) as probe:
                await until_async(lambda: probe.get("/readyz"), 503)
            body = (await in_flight).json()
        assert await exit_status(proc, 20) == 0
    assert body["data"] == warm["data"]
    assert body["extensions"]["colonnade"]["stale"][0]["reason"] == "stale_while_revalidate"
    assert providers.erp.recorder.count("erp.*") == 1  # no refresh, during the drain or after


async def until_async(probe: Any, status: int, limit_s: float = 10.0) -> None:
    async with asyncio.timeout(limit_s):
        while (await probe()).status_code != status:  # noqa: ASYNC110 - another process
            await asyncio.sleep(0.01)


async def test_sigint_drains_too_and_a_second_signal_ends_the_drain_at_once(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials, tmp_path: Path
) -> None:
    log = tmp_path / "serve.log"
    # A drain far longer than the hang guard below: only the second signal can end it in time.
    with serving(providers_server, creds, log, COLONNADE_SERVER__SHUTDOWN_DRAIN_S="120") as (
        proc,
        base,
    ):
        proc.send_signal(signal.SIGINT)  # Ctrl+C: the same drain as SIGTERM
        async with httpx.AsyncClient(base_url=base, timeout=10) as probe:
            await until_async(lambda: probe.get("/readyz"), 503)
        proc.send_signal(signal.SIGTERM)
        assert await exit_status(proc, 15) == 0
    [done] = [e for e in log_events(log) if e["event"] == "shutdown_complete"]
    assert done["forced"] is False


async def test_once_draining_no_token_refresh_ahead_starts(
    facade: Any, providers: SandboxSet
) -> None:
    """In process (the wiring and its effect): what the drain's first step stops."""
    providers.crm.token_ttl_s = 30  # inside the 60 s refresh-ahead window from the start

    def name(i: int) -> str:
        return f'{{ customer(id: "{crm_id(i)}") {{ name }} }}'

    await facade.query(name(2))  # fetches the token it needs
    await facade.query(name(3))  # uses it and refreshes it in the background
    await until(lambda: providers.crm.recorder.count("crm.token") == 2)

    for stop in facade.app.state.lifecycle.on_drain:  # not draining itself: /graphql is refused
        stop()
    await facade.query(name(4))
    await asyncio.sleep(0.2)  # a refresh would have been sent by now (it starts at once)
    assert providers.crm.recorder.count("crm.token") == 2
