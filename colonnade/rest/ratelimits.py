"""Which rate-limit header family a provider speaks, so one it does not (a CDN's
``X-RateLimit-*`` in front of a provider's own ``RateLimit``) does not teach the limiter.
Parsing stays in ``colonnade.pipeline.ratelimit_headers``; this only chooses what it reads.
"""

from __future__ import annotations

from enum import StrEnum

import httpx

from colonnade.pipeline.ratelimit_headers import QuotaHint, quota_hints


class RateLimitHeaders(StrEnum):
    ANY = "any"
    """Every family the engine understands (the default)."""
    IETF = "ietf"
    """``RateLimit-Limit/-Remaining/-Reset`` and the structured ``RateLimit``."""
    X_RATELIMIT = "x-ratelimit"
    """The de-facto ``X-RateLimit-*`` (GitHub, many SaaS APIs)."""
    SALESFORCE = "salesforce"
    """``Sforce-Limit-Info: api-usage=used/limit`` (a daily allowance)."""
    NONE = "none"
    """The provider's headers are not to be trusted: configured limits only."""


_PREFIXES: dict[RateLimitHeaders, tuple[str, ...]] = {
    RateLimitHeaders.IETF: ("ratelimit",),
    RateLimitHeaders.X_RATELIMIT: ("x-ratelimit-",),
    RateLimitHeaders.SALESFORCE: ("sforce-limit-info",),
    RateLimitHeaders.NONE: (),
}


def hints(family: RateLimitHeaders, headers: httpx.Headers) -> list[QuotaHint]:
    if family is RateLimitHeaders.ANY:
        return quota_hints(headers)
    prefixes = _PREFIXES[family]
    kept = httpx.Headers([(k, v) for k, v in headers.items() if k.lower().startswith(prefixes)])
    return quota_hints(kept) if kept else []
