"""Proactive rate limiting: slow down before the provider says 429, fail fast past the budget."""

from __future__ import annotations

import asyncio

from colonnade.sandboxes import Fault, SandboxSet


def customer(n: int) -> str:
    return f'{{ customer(id: "001{n:012d}AAA") {{ name }} }}'


async def test_a_configured_limit_refuses_the_excess_without_calling(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(
        connectors={"crm": {"rate_limit": {"rate_per_s": 0.1, "burst": 3, "max_wait_s": 0}}}
    )
    bodies = await asyncio.gather(*(facade.query(customer(n)) for n in range(1, 11)))
    ok = [b for b in bodies if "errors" not in b]
    limited = [b for b in bodies if "errors" in b]
    assert len(ok) == 3  # the burst
    assert {b["errors"][0]["extensions"]["code"] for b in limited} == {"UPSTREAM_RATE_LIMITED"}
    assert providers.crm.recorder.count("crm.sobject_collection") == 3


async def test_waiters_queue_within_their_budget(make_facade, providers: SandboxSet) -> None:
    facade = await make_facade(
        connectors={"crm": {"rate_limit": {"rate_per_s": 5, "burst": 1, "max_wait_s": 5}}}
    )
    limiter = facade.connector("crm").pipeline.caller.limiter
    bodies = await asyncio.gather(*(facade.query(customer(n)) for n in range(1, 6)))
    assert all("errors" not in b for b in bodies)  # they waited for tokens instead of failing
    assert providers.crm.recorder.count("crm.sobject_collection") == 5
    # Five arrive together and one token comes every 200 ms: the first goes at once, the
    # others queue (one arriving late may find a refilled token; none goes without a limiter).
    assert limiter.queued >= 3


async def test_the_provider_s_own_allowance_is_respected_before_it_refuses(
    facade, providers: SandboxSet
) -> None:
    """Sforce-Limit-Info says how much of the daily allowance is left; we stop at zero."""
    providers.crm.api_limit = 4
    bodies = [await facade.query(customer(n)) for n in range(1, 8)]
    codes = [b["errors"][0]["extensions"]["code"] if "errors" in b else "ok" for b in bodies]
    assert codes[:4] == ["ok"] * 4
    assert set(codes[4:]) == {"UPSTREAM_RATE_LIMITED"}
    statuses = [
        c.status for c in providers.crm.recorder.calls("crm.*") if c.operation != "crm.token"
    ]
    assert 403 not in statuses  # Salesforce never had to say REQUEST_LIMIT_EXCEEDED


async def test_retry_after_on_429_pauses_the_whole_connector(
    make_facade, providers: SandboxSet
) -> None:
    facade = await make_facade(
        connectors={"crm": {"rate_limit": {"max_wait_s": 0}, "retry": {"max_attempts": 1}}}
    )
    providers.crm.faults.add(
        Fault("status", match="crm.sobject_collection", status=429, retry_after="30", times=1)
    )
    first = await facade.query(customer(1))
    assert first["errors"][0]["extensions"]["code"] == "UPSTREAM_RATE_LIMITED"
    later = await asyncio.gather(*(facade.query(customer(n)) for n in range(2, 7)))
    assert {b["errors"][0]["extensions"]["code"] for b in later} == {"UPSTREAM_RATE_LIMITED"}
    assert providers.crm.recorder.count("crm.sobject_collection") == 1  # nobody knocked again
