"""Regression tests for what the final review of this change found (each fails without its fix)."""

from __future__ import annotations

import asyncio
from typing import Any

from colonnade.config import ClientRateLimitSettings
from colonnade.errors import CircuitOpen, UpstreamRejected, UpstreamTimeout
from colonnade.gateway.client_limits import ClientRateLimiter
from colonnade.gateway.http import _replay
from colonnade.gateway.identity import Principal
from colonnade.pipeline.keyed_write import outcome_unknown as _outcome_unknown
from colonnade.pipeline.operation import Kind, Operation
from colonnade.state import MemoryBackend

WRITE = Operation("erp", "create_order", kind=Kind.WRITE)


def _after(err: Any, attempts_sent: int) -> Any:
    err.request_sent = attempts_sent > 0
    err.attempts_sent = attempts_sent
    return err


def test_a_refusal_after_an_earlier_sent_attempt_may_still_have_been_applied() -> None:
    # Attempt 1 timed out after sending; attempt 2 met an open breaker or a refusal.
    opened = _after(CircuitOpen("erp is failing", connector="erp", request_sent=False), 1)
    refused = _after(UpstreamRejected("erp refused", connector="erp", status=409), 2)
    assert _outcome_unknown(WRITE, opened, keyed=True) is not None
    assert _outcome_unknown(WRITE, refused, keyed=True) is not None
    # A refusal of the only attempt that was sent: surely not applied.
    alone = _after(UpstreamRejected("erp refused", connector="erp", status=400), 1)
    assert _outcome_unknown(WRITE, alone, keyed=False) is None
    lost = _after(UpstreamTimeout("erp timed out", connector="erp"), 1)
    assert _outcome_unknown(WRITE, lost, keyed=False) is not None


def test_a_per_client_rate_without_a_configured_burst_is_not_scaled_twice() -> None:
    limits = ClientRateLimiter(
        ClientRateLimitSettings(rate_per_s=10, per_client={"bulk": 100}), MemoryBackend()
    )
    bulk = Principal("bulk", frozenset({"*"}), "api_key")
    assert limits.policy(bulk) == (100, 100)  # one second's worth, not 1,000
    scaled = ClientRateLimiter(
        ClientRateLimitSettings(rate_per_s=10, burst=20, per_client={"bulk": 100}),
        MemoryBackend(),
    )
    assert scaled.policy(bulk) == (100, 200)  # a configured burst keeps its window


def test_the_replayed_body_is_followed_by_the_connections_own_messages() -> None:
    async def original() -> dict[str, Any]:
        return {"type": "http.request", "body": b"", "more_body": False, "from": "client"}

    async def run() -> list[dict[str, Any]]:
        receive = _replay(b'{"query": "{ x }"}', original)
        return [await receive(), await receive()]

    first, then = asyncio.run(run())
    assert first["body"] == b'{"query": "{ x }"}'
    assert then.get("from") == "client"  # not a made-up http.disconnect
