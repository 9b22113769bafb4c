"""Redis-only: replicas share the cache, never across credentials, and survive Redis leaving."""

from __future__ import annotations

import asyncio
import secrets

import pytest
from support import REDIS_URL, Facade, RedisProxy, facade_settings, redis_prefix

from colonnade.sandboxes import SandboxSet
from colonnade.state import RedisBackend
from colonnade.state.guarded import GuardedBackend

pytestmark = pytest.mark.redis

ORDERS = '{ customer(id: "001000000000002AAA") { salesOrders { number } payments { id } } }'


def calls(providers: SandboxSet) -> int:
    return sum(p.recorder.count("*") for p in providers.providers.values())


async def test_two_replicas_share_entries(make_facade, providers):
    async with redis_prefix() as prefix:
        a = await make_facade(backend="redis", prefix=prefix)
        b = await make_facade(backend="redis", prefix=prefix)
        warm = await a.query(ORDERS)
        before = calls(providers)
        assert await b.query(ORDERS) == warm
        assert calls(providers) == before


async def test_replicas_do_not_stampede_a_cold_key(providers, providers_server, creds):
    """Counts the lock, not Redis's latency. Production gives Redis 250 ms and then fails the
    lock open (a lock only saves calls; each replica's singleflight still makes at most one),
    so on a loaded machine a slow Redis could let a second replica fetch. Here every replica
    gets a patient Redis client and a long lock, and no Redis call may fail: what is left to
    count is whether the lock kept the other replicas from fetching."""
    async with redis_prefix() as prefix:
        backends = [
            GuardedBackend(
                RedisBackend(REDIS_URL, prefix=prefix, socket_timeout_s=5, connect_timeout_s=5)
            )
            for _ in range(3)
        ]
        settings = facade_settings(providers_server.base_url, creds, cache={"lock_ttl_s": 10})
        replicas = [Facade(settings, backend) for backend in backends]
        try:
            bodies = await asyncio.gather(*(r.query(ORDERS) for r in replicas for _ in range(20)))
            assert [b.failures for b in backends] == [0, 0, 0]  # the lock never failed open
            assert all(b == bodies[0] for b in bodies)
            assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1
            assert providers.payments.recorder.count("payments.list_payment_intents") == 1
        finally:
            for replica in replicas:
                await replica.aclose()
            for backend in backends:
                await backend.aclose()


async def test_clients_with_other_credentials_never_share_private_entries(
    make_facade, providers, creds
):
    other_key = "sk_test_other_" + secrets.token_urlsafe(12)
    providers.payments.rotate_key(other_key, keep_old=True)
    async with redis_prefix() as prefix:
        ours = await make_facade(backend="redis", prefix=prefix)
        theirs = await make_facade(
            backend="redis", prefix=prefix, connectors={"payments": {"api_key": other_key}}
        )
        await ours.query(ORDERS)
        listed = providers.payments.recorder.count("payments.list_payment_intents")
        await theirs.query(ORDERS)
        assert providers.payments.recorder.count("payments.list_payment_intents") == listed + 1
        # ...while the ERP, whose credentials are the same for both, is shared.
        assert providers.erp.recorder.count("erp.ZSD_SALESORDER_GETLIST") == 1


async def test_redis_stopped_mid_test_then_back(make_facade, providers):
    host, port = "127.0.0.1", int(REDIS_URL.rsplit(":", 1)[1].split("/")[0])
    proxy = RedisProxy(host, port)
    await proxy.start()
    db = REDIS_URL.rsplit("/", 1)[1]
    try:
        async with redis_prefix() as prefix:
            facade = await make_facade(
                backend="redis", prefix=prefix, url=f"redis://127.0.0.1:{proxy.port}/{db}"
            )
            warm = await facade.query(ORDERS)
            assert await facade.query(ORDERS) == warm
            cached_calls = calls(providers)

            await proxy.stop()  # Redis goes away
            during = [await facade.query(ORDERS) for _ in range(3)]
            assert all(b == warm for b in during)  # still answering, from the providers
            assert calls(providers) > cached_calls

            await proxy.start()  # Redis is back (same port)
            await asyncio.sleep(1.1)  # the backend's cool-down after a failure
            assert await facade.query(ORDERS) == warm  # refills the cache
            before = calls(providers)
            assert await facade.query(ORDERS) == warm
            assert calls(providers) == before  # hits again, by itself
    finally:
        await proxy.stop()
