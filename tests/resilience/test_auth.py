"""Outbound credentials: OAuth2 tokens renewed once for everyone, keys rotated without restart."""

from __future__ import annotations

import asyncio
import secrets

from colonnade.sandboxes import Fault, SandboxSet


def customer(n: int) -> str:
    return f'{{ customer(id: "001{n:012d}AAA") {{ name }} }}'


async def test_a_token_that_expires_mid_traffic_costs_one_refresh_and_no_failure(
    facade, providers: SandboxSet
) -> None:
    assert "errors" not in await facade.query(customer(1))
    assert providers.crm.tokens_issued == 1
    providers.crm.faults.add(Fault("token_expiry", match="crm.sobject_collection", times=1))

    bodies = await asyncio.gather(*(facade.query(customer(n)) for n in range(2, 42)))

    assert all("errors" not in b for b in bodies), [b for b in bodies if "errors" in b][:2]
    assert providers.crm.tokens_issued == 2  # one refresh, shared by every request that hit 401
    assert all(r.outcome == "ok" for r in facade.runtime.telemetry.recent if r.connector == "crm")


async def test_tokens_are_renewed_before_they_expire(make_facade, providers: SandboxSet) -> None:
    """The refresh-ahead window covers the token's whole life (60 s): the request after the
    first finds it due for renewal, still uses it, and one background refresh replaces it —
    long before it expires, so only refresh-ahead can have issued the second token."""
    providers.crm.token_ttl_s = 60
    facade = await make_facade(connectors={"crm": {"token_refresh_ahead_s": 60}})
    auth = facade.connector("crm").auth
    assert "errors" not in await facade.query(customer(1))
    assert providers.crm.tokens_issued == 1
    assert "errors" not in await facade.query(customer(2))  # served with the current token
    refresh = auth._background  # None once it finished (or if it never started)
    if refresh is not None:
        async with asyncio.timeout(5):  # hang guard
            await refresh
    assert providers.crm.tokens_issued == 2
    statuses = [c.status for c in providers.crm.recorder.calls("crm.sobject_collection")]
    assert statuses == [200, 200]  # renewed ahead, never refused


async def test_refused_client_credentials_are_unavailable_not_a_crash(
    make_facade, providers
) -> None:
    facade = await make_facade(connectors={"crm": {"client_secret": "wrong"}})
    body = await facade.query(customer(1))
    assert body["errors"][0]["extensions"] == {"code": "UPSTREAM_UNAVAILABLE", "connector": "crm"}
    assert "wrong" not in str(body)


async def test_a_rotated_key_file_is_used_without_a_restart(
    make_facade, providers, creds, tmp_path
) -> None:
    key_file = tmp_path / "stripe_key"
    key_file.write_text(creds.api_key)
    facade = await make_facade(
        connectors={"payments": {"api_key": None, "api_key_file": str(key_file)}}
    )
    query = '{ payment(id: "pi_000000000000000000000001") { id } }'
    assert "errors" not in await facade.query(query)

    new_key = "sk_test_rotated_" + secrets.token_urlsafe(20)
    providers.payments.rotate_key(new_key, keep_old=False)
    key_file.write_text(new_key)
    body = await facade.query('{ payment(id: "pi_000000000000000000000002") { id } }')

    assert "errors" not in body, body
    statuses = [c.status for c in providers.payments.recorder.calls("payments.get_payment_intent")]
    assert statuses == [200, 200]  # the new key was read before sending: no 401 at all


async def test_a_revoked_key_without_a_new_one_is_unavailable(make_facade, providers) -> None:
    facade = await make_facade()
    providers.payments.rotate_key("sk_test_somebody_else", keep_old=False)
    body = await facade.query('{ payment(id: "pi_000000000000000000000001") { id } }')
    assert body["errors"][0]["extensions"] == {
        "code": "UPSTREAM_UNAVAILABLE",
        "connector": "payments",
    }
    assert providers.payments.recorder.count("payments.get_payment_intent") == 1  # no retry storm
