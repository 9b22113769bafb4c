"""Proactive rate limiting: slow down before the provider answers 429.

Token buckets live in the state backend (shared by replicas on Redis). A connector has its
configured bucket (``rate_per_s``/``burst``) and the buckets its provider's headers teach it
(``QuotaHint``: N left in a window → a bucket refilling at limit/window, lowered to N). A 429's
``Retry-After`` pauses the connector: until then every caller waits (or fails fast) instead of
knocking again. Callers wait in a bounded queue (``max_queue`` waiters, ``max_wait_s`` and the
request deadline), then fail fast with UPSTREAM_RATE_LIMITED — no call is made.

Shared state unreachable: the buckets fall back to per-process ones (same keys, same rates, on
an in-process ``MemoryBackend``) instead of allowing everything — a Redis outage must neither
stop traffic nor lift our limits. With N replicas the provider may then see up to N times the
rate (no replica knows N); the provider's own 429s still pause us. Every take asks the shared
bucket first, so shared buckets are used again as soon as Redis answers.
"""

from __future__ import annotations

import asyncio
import math
import time
from dataclasses import dataclass

import structlog

from colonnade.config import RateLimitSettings
from colonnade.errors import StateUnavailable, UpstreamRateLimited
from colonnade.pipeline import deadline
from colonnade.pipeline.ratelimit_headers import QuotaHint
from colonnade.state import MemoryBackend, TokenBuckets

_log = structlog.get_logger("colonnade.ratelimit")


@dataclass(slots=True)
class _Bucket:
    key: str
    rate_per_s: float
    burst: float
    expires_at: float | None  # learned buckets are forgotten when the provider stops talking
    window_s: float = 0.0


class RateLimiter:
    def __init__(self, connector: str, settings: RateLimitSettings, backend: TokenBuckets) -> None:
        self._connector = connector
        self._settings = settings
        self._backend = backend
        self._local = MemoryBackend(max_entries=100)
        self.local = False
        """True while the shared state is unreachable and the buckets are this process's."""
        self._buckets: dict[str, _Bucket] = {}
        self._paused_until = 0.0
        self._waiting = 0
        self.queued = 0
        """Callers that had to wait for a token (or a pause) at least once: for tests, ops."""
        if settings.rate_per_s:
            burst = settings.burst or max(1.0, settings.rate_per_s)
            self._buckets["configured"] = _Bucket(
                f"rl:{connector}:configured", settings.rate_per_s, burst, None
            )

    async def acquire(self) -> None:
        """Wait for a token in every active bucket, within the bounds; else raise."""
        if not self._buckets and self._paused_until <= time.time():
            return
        if self._waiting >= self._settings.max_queue:
            raise self._limited("rate-limit queue is full", None)
        self._waiting += 1
        try:
            budget = deadline.bounded(self._settings.max_wait_s)
            give_up_at = time.monotonic() + budget
            granted: set[str] = set()  # buckets that gave a token already: don't drain them
            queued = False
            while True:
                wait = await self._next_wait(granted)
                if wait <= 0:
                    return
                if time.monotonic() + wait > give_up_at:
                    raise self._limited("rate limit reached; the wait exceeds the budget", wait)
                if not queued:
                    queued = True
                    self.queued += 1
                await asyncio.sleep(wait)
        finally:
            self._waiting -= 1

    async def _next_wait(self, granted: set[str]) -> float:
        now = time.time()
        if self._paused_until > now:
            return self._paused_until - now
        for name, bucket in list(self._buckets.items()):
            if name in granted:
                continue
            if bucket.expires_at is not None and bucket.expires_at < now:
                self._buckets.pop(name, None)  # another waiter may have dropped it already
                continue
            try:
                wait = await self._backend.take_token(
                    bucket.key, rate_per_s=bucket.rate_per_s, burst=bucket.burst, now=now
                )
                self._use_local(False)
            except StateUnavailable:
                self._use_local(True)
                wait = await self._local.take_token(
                    bucket.key, rate_per_s=bucket.rate_per_s, burst=bucket.burst, now=now
                )
            if wait > 0:
                return wait
            granted.add(name)
        return 0.0

    async def learn(self, hints: list[QuotaHint]) -> None:
        """Feed the provider's own accounting into our buckets."""
        now = time.time()
        for hint in hints:
            if hint.limit < 1 or hint.window_s <= 0:
                continue  # "0/0" says nothing usable
            bucket = self._buckets.get(hint.name)
            if bucket is None:
                bucket = _Bucket(f"rl:{self._connector}:{hint.name}", 0.0, hint.limit, None)
                self._buckets[hint.name] = bucket
            # The header gives the time until the window resets, which is at most the window:
            # the longest seen is the best estimate, and the slowest (safest) refill.
            bucket.window_s = max(bucket.window_s, hint.window_s)
            bucket.rate_per_s = hint.limit / bucket.window_s
            bucket.burst = hint.limit
            bucket.expires_at = now + hint.window_s
            # Both stores learn it: the local bucket is right when Redis goes away.
            for store in (self._backend, self._local):
                try:
                    await store.set_tokens(
                        bucket.key,
                        tokens=hint.remaining,
                        rate_per_s=bucket.rate_per_s,
                        burst=bucket.burst,
                        now=now,
                    )
                except StateUnavailable:
                    self._use_local(True)

    def _use_local(self, local: bool) -> None:
        if local is not self.local:
            self.local = local
            if local:
                _log.warning("rate_limit_per_process", connector=self._connector)
            else:
                _log.info("rate_limit_shared_again", connector=self._connector)

    def pause(self, seconds: float) -> None:
        """The provider said Retry-After: nobody in this process calls before then (callers
        cap ``seconds`` at ``retry.max_retry_after_s``)."""
        if math.isfinite(seconds) and seconds > 0:
            self._paused_until = max(self._paused_until, time.time() + seconds)

    def _limited(self, why: str, wait: float | None) -> UpstreamRateLimited:
        return UpstreamRateLimited(
            f"{self._connector}: {why}",
            connector=self._connector,
            retry_after_s=wait,
            retryable=False,
            request_sent=False,
        )
