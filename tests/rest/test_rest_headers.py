"""The API version header goes on every request; the declared rate-limit header family (and
only it) teaches the limiter."""

from __future__ import annotations

import pytest
from rest_connectors import Things

from colonnade.errors import UpstreamRateLimited
from colonnade.rest import RateLimitHeaders

BOTH_FAMILIES = {
    "X-RateLimit-Limit": "100",
    "X-RateLimit-Remaining": "0",
    "X-RateLimit-Reset": "60",
    "RateLimit-Limit": "1000",
    "RateLimit-Remaining": "999",
    "RateLimit-Reset": "60",
}


def speaking(family: RateLimitHeaders) -> type[Things]:
    return type("Limited", (Things,), {"rate_limit_headers": family})


async def test_the_api_version_header_is_sent(make, provider) -> None:
    c = await make(Things)
    await c.call(c.stripe_list)
    assert {s.headers["api-version"] for s in provider.seen} == {"2026-01-01"}


async def test_the_declared_family_feeds_the_limiter(make, provider) -> None:
    provider.limit_headers = BOTH_FAMILIES
    c = await make(speaking(RateLimitHeaders.X_RATELIMIT), rate_limit={"max_wait_s": 0})
    await c.call(c.any_item, key="it_01")
    with pytest.raises(UpstreamRateLimited):  # X-RateLimit-Remaining: 0 — we hold back
        await c.call(c.any_item, key="it_02")
    assert provider.recorder.count("rest.item") == 1


@pytest.mark.parametrize("family", [RateLimitHeaders.IETF, RateLimitHeaders.NONE])
async def test_another_family_is_not_read(make, provider, family) -> None:
    provider.limit_headers = BOTH_FAMILIES
    c = await make(speaking(family), rate_limit={"max_wait_s": 0})
    for key in ("it_01", "it_02", "it_03"):
        await c.call(c.any_item, key=key)
    assert provider.recorder.count("rest.item") == 3
