"""Per-client rate limits shared by every replica through Redis: 429 on all of them."""

from __future__ import annotations

import json

import httpx
import pytest
from gateway_support import client_key
from support import REDIS_URL, facade_env, redis_prefix, served_facade

QUERY = {"query": "{ __typename }"}


@pytest.mark.redis
async def test_a_client_over_its_rate_gets_429_on_every_replica(
    providers, providers_server, creds
) -> None:
    key, entry = client_key(["*"])
    other, other_entry = client_key(["*"])
    async with redis_prefix() as prefix:
        env = facade_env(
            providers_server.base_url,
            creds,
            COLONNADE_REDIS_URL=REDIS_URL,
            COLONNADE_STATE_PREFIX=prefix,
            COLONNADE_GATEWAY__ANONYMOUS="off",
            COLONNADE_GATEWAY__API_KEYS=json.dumps({"shop": entry, "other": other_entry}),
            # 3 requests, then one every 1000 s: nothing refills during the test.
            COLONNADE_GATEWAY__RATE_LIMIT__RATE_PER_S="0.001",
            COLONNADE_GATEWAY__RATE_LIMIT__BURST="3",
        )
        with served_facade(env) as a, served_facade(env) as b:
            http = httpx.AsyncClient(timeout=10)
            headers = {"x-api-key": key}
            answers = [
                await http.post(f"{base}/graphql", json=QUERY, headers=headers)
                for base in (a, b, a, b, a)
            ]
            assert [r.status_code for r in answers] == [200, 200, 200, 429, 429]
            for refused in answers[3:]:
                assert refused.json()["errors"][0]["extensions"]["code"] == "RATE_LIMITED"
                assert int(refused.headers["retry-after"]) >= 1
                assert refused.headers["ratelimit"].startswith('"client";r=0;t=')
                assert refused.headers["ratelimit-policy"] == '"client";q=3;w=3000'
            assert answers[0].headers["ratelimit-policy"] == '"client";q=3;w=3000'
            # Another client has its own bucket.
            fine = await http.post(f"{a}/graphql", json=QUERY, headers={"x-api-key": other})
            assert fine.status_code == 200
            await http.aclose()


async def test_a_per_client_rate_overrides_the_default(make_facade) -> None:
    vip, vip_entry = client_key(["*"])
    shop, shop_entry = client_key(["*"])
    facade = await make_facade(
        gateway={
            "anonymous": "off",
            "api_keys": {"vip": vip_entry, "shop": shop_entry},
            "rate_limit": {"rate_per_s": 0.001, "burst": 1, "per_client": {"vip": 0.003}},
        }
    )

    async def statuses(key: str) -> list[int]:
        return [
            (
                await facade.client.post("/graphql", json=QUERY, headers={"x-api-key": key})
            ).status_code
            for _ in range(4)
        ]

    assert await statuses(shop) == [200, 429, 429, 429]
    assert await statuses(vip) == [200, 200, 200, 429]
