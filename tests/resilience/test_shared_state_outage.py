"""Redis unreachable: breakers and rate limits fall back to this process, never fail open.

Redis is cut with ``RedisProxy`` (the real server is never touched), a provider outage is
driven through the graph, and upstream calls and answers are counted. Then Redis comes back
and the shared state is shown in use again.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from typing import Any

import pytest
from support import REDIS_URL, RedisProxy, redis_prefix

from colonnade.sandboxes import Fault, SandboxSet
from colonnade.state import RedisBackend

pytestmark = pytest.mark.redis

REQUESTS = 60
HANG_GUARD_S = 15.0


def order_query(n: int) -> str:
    return f'{{ salesOrder(number: "{500000 + n:010d}") {{ number }} }}'


def customer(n: int) -> str:
    return f'{{ customer(id: "001{n:012d}AAA") {{ name }} }}'


def code(body: dict) -> str:
    return body["errors"][0]["extensions"]["code"] if "errors" in body else "ok"


def proxy_for_test_redis() -> RedisProxy:
    return RedisProxy("127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0]))


async def _shared_calls(prefix: str, breaker: Any) -> int:
    """Calls the shared (Redis) breaker has in its window, read around the facade."""
    shared = RedisBackend(REDIS_URL, prefix=prefix)
    try:
        snap = await shared.breaker_snapshot(breaker.key, now=time.time(), policy=breaker.policy)
    finally:
        await shared.aclose()
    return snap.calls


def proxied_url(proxy: RedisProxy) -> str:
    return f"redis://127.0.0.1:{proxy.port}/{REDIS_URL.rsplit('/', 1)[1]}"


async def test_a_provider_outage_during_a_redis_outage_still_opens_the_breaker(
    make_facade, providers: SandboxSet
) -> None:
    proxy = proxy_for_test_redis()
    await proxy.start()
    try:
        async with redis_prefix() as prefix:
            facade = await make_facade(backend="redis", prefix=prefix, url=proxied_url(proxy))
            assert code(await facade.query(order_query(1))) == "ok"  # shared state in use
            breaker = facade.connector("erp").pipeline.caller.breaker("orders_by_number")
            baseline = await _shared_calls(prefix, breaker)

            await proxy.stop()
            providers.erp.faults.add(Fault("status", status=503))
            before = providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL")
            codes = Counter()
            for n in range(2, 2 + REQUESTS):
                codes[code(await facade.query(order_query(n)))] += 1
            calls = providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL") - before
            # min_calls (10) failures open it; a few retries may land before it does.
            assert calls <= 15, (calls, codes)
            assert codes["CIRCUIT_OPEN"] >= REQUESTS - 10, (calls, codes)
            assert breaker.local

            # Redis is back: calls are decided by the shared breaker again, which never saw
            # the outage; the provider recovered too, so requests succeed and Redis counts them.
            providers.erp.faults.clear()
            await proxy.start()
            async with asyncio.timeout(HANG_GUARD_S):
                n = 100
                while code(await facade.query(order_query(n))) != "ok":
                    await asyncio.sleep(0.1)  # the guard's one-second cool-down, then shared
                    n += 1
            assert not breaker.local
            # The call after recovery was recorded in Redis, not only in this process.
            assert await _shared_calls(prefix, breaker) > baseline
    finally:
        if proxy.server is not None and proxy.server.is_serving():
            await proxy.stop()


async def test_a_breaker_open_in_redis_stays_open_when_redis_goes_away(
    make_facade, providers: SandboxSet
) -> None:
    """A Redis blip must not release a tripped breaker: the last break the shared breaker
    reported is honoured by the per-process one."""
    proxy = proxy_for_test_redis()
    await proxy.start()
    try:
        async with redis_prefix() as prefix:
            facade = await make_facade(
                backend="redis",
                prefix=prefix,
                url=proxied_url(proxy),
                connectors={"erp": {"breaker": {"min_calls": 4, "break_s": 30}}},
            )
            providers.erp.faults.add(Fault("status", status=503))
            codes = Counter()
            for n in range(10):
                codes[code(await facade.query(order_query(n)))] += 1
            assert codes["CIRCUIT_OPEN"] > 0  # tripped in Redis
            calls = providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL")

            await proxy.stop()
            bodies = [await facade.query(order_query(n)) for n in range(10, 20)]
            assert {code(b) for b in bodies} == {"CIRCUIT_OPEN"}
            assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETDETAIL") == calls
    finally:
        if proxy.server is not None and proxy.server.is_serving():
            await proxy.stop()


async def test_a_configured_rate_limit_holds_during_a_redis_outage(
    make_facade, providers: SandboxSet
) -> None:
    proxy = proxy_for_test_redis()
    await proxy.start()
    try:
        async with redis_prefix() as prefix:
            facade = await make_facade(
                backend="redis",
                prefix=prefix,
                url=proxied_url(proxy),
                connectors={
                    "crm": {"rate_limit": {"rate_per_s": 0.1, "burst": 3, "max_wait_s": 0}}
                },
            )
            await proxy.stop()
            bodies = [await facade.query(customer(n)) for n in range(1, 11)]
            codes = Counter(code(b) for b in bodies)
            assert codes == {"ok": 3, "UPSTREAM_RATE_LIMITED": 7}, codes
            assert providers.crm.recorder.count("crm.sobject_collection") == 3
            assert facade.connector("crm").pipeline.caller.limiter.local
    finally:
        if proxy.server is not None and proxy.server.is_serving():
            await proxy.stop()
