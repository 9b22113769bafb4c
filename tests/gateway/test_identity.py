"""Client identity over real HTTP: API keys (config, file, state backend) and JWTs (JWKS)."""

from __future__ import annotations

import json
import os
import time

import pytest
from gateway_support import SigningKey, client_key, jwt_settings, locked

from colonnade.gateway.identity import digest, generate_key, register_key

CUSTOMERS = "{ customers(first: 2) { edges { node { name } } } }"


async def ask(facade, headers=None, query=CUSTOMERS):
    return await facade.client.post("/graphql", json={"query": query}, headers=headers or {})


def unauthenticated(response) -> str:
    assert response.status_code == 401, response.text
    assert response.headers["www-authenticate"].startswith("Bearer")
    error = response.json()["errors"][0]
    assert error["extensions"]["code"] == "UNAUTHENTICATED"
    return error["message"]


async def test_no_credentials_is_refused_before_any_call(make_facade, providers) -> None:
    facade = await make_facade(**locked())
    assert "credentials required" in unauthenticated(await ask(facade))
    assert providers.crm.recorder.count("*") == 0


async def test_anonymous_access_gets_only_the_anonymous_scopes(make_facade, providers) -> None:
    facade = await make_facade(gateway={"anonymous": "on", "anonymous_scopes": ["customers:read"]})
    response = await ask(
        facade, query="{ customers(first: 2) { edges { node { name payments { id } } } } }"
    )
    body = response.json()
    assert response.status_code == 200
    assert [e["node"]["payments"] for e in body["data"]["customers"]["edges"]] == [None, None]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert providers.payments.recorder.count("*") == 0


@pytest.mark.parametrize("header", ["x-api-key", "authorization"])
async def test_an_api_key_from_the_config_identifies_the_client(make_facade, header) -> None:
    key, entry = client_key(["customers:read"])
    facade = await make_facade(**locked(api_keys={"shop": entry}))
    value = key if header == "x-api-key" else f"Bearer {key}"
    response = await ask(facade, {header: value})
    assert response.status_code == 200
    assert len(response.json()["data"]["customers"]["edges"]) == 2


async def test_an_unknown_api_key_is_unauthenticated(make_facade) -> None:
    _, entry = client_key(["*"])
    facade = await make_facade(**locked(api_keys={"shop": entry}))
    other, _ = generate_key()
    assert unauthenticated(await ask(facade, {"x-api-key": other})) == "unknown API key"


async def test_keys_rotate_through_the_secret_file_without_restart(make_facade, tmp_path) -> None:
    old, new = generate_key()[0], generate_key()[0]
    keys_file = tmp_path / "api-keys.json"

    def publish(*keys: str) -> None:
        keys_file.write_text(
            json.dumps({"shop": {"key_sha256": [digest(k) for k in keys], "scopes": ["*"]}})
        )
        stamp = time.time_ns() + len(keys) * 1_000_000_000  # a distinct mtime per rewrite
        os.utime(keys_file, ns=(stamp, stamp))

    publish(old)
    facade = await make_facade(**locked(api_keys_file=str(keys_file)))
    assert (await ask(facade, {"x-api-key": old})).status_code == 200
    unauthenticated(await ask(facade, {"x-api-key": new}))
    publish(old, new)  # both live while clients roll over: several keys per client
    assert (await ask(facade, {"x-api-key": old})).status_code == 200
    assert (await ask(facade, {"x-api-key": new})).status_code == 200
    publish(new, "retired" * 3)  # the old one is dropped (the filler gives the file a new size)
    unauthenticated(await ask(facade, {"x-api-key": old}))
    assert (await ask(facade, {"x-api-key": new})).status_code == 200


async def test_a_key_registered_in_the_state_backend_works_on_every_replica(
    make_facade, backend_kind
) -> None:
    from support import redis_prefix

    key, key_digest = generate_key()
    if backend_kind == "memory":
        a = await make_facade(**locked(api_keys_in_state=True))
        b = a
    else:
        async with redis_prefix() as prefix:
            a = await make_facade("redis", prefix, **locked(api_keys_in_state=True))
            b = await make_facade("redis", prefix, **locked(api_keys_in_state=True))
            await _register_and_use(a, b, key, key_digest)
        return
    await _register_and_use(a, b, key, key_digest)


async def _register_and_use(a, b, key: str, key_digest: str) -> None:
    unauthenticated(await ask(b, {"x-api-key": key}))
    await register_key(a.runtime.backend, key_digest, "shop", ["customers:read"], ttl_s=60)
    assert (await ask(b, {"x-api-key": key})).status_code == 200


# ------------------------------------------------------------------------------------ JWT


@pytest.mark.parametrize("kid", ["rsa-1", "ec-1"])
async def test_a_jwt_signed_by_a_published_key_is_accepted(make_facade, jwks, kid) -> None:
    facade = await make_facade(**locked(jwt=jwt_settings(jwks)))
    key = next(k for k in jwks.keys if k.kid == kid)
    response = await ask(facade, {"authorization": f"Bearer {key.token()}"})
    assert response.status_code == 200, response.text
    assert "errors" not in response.json()


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": -120}, "token expired"),  # exp and nbf: seconds from now, when the test runs
        ({"aud": "someone-else"}, "audience"),
        ({"iss": "https://evil.test/"}, "issuer"),
        ({"nbf": 600}, "not valid yet"),
        ({"exp": None}, "invalid token"),
    ],
)
async def test_a_bad_jwt_is_unauthenticated(make_facade, jwks, providers, claims, reason) -> None:
    facade = await make_facade(**locked(jwt=jwt_settings(jwks)))
    now = int(time.time())
    claims = {k: now + v if k in ("exp", "nbf") and v is not None else v for k, v in claims.items()}
    token = jwks.keys[0].token(**claims)
    assert reason in unauthenticated(await ask(facade, {"authorization": f"Bearer {token}"}))
    assert providers.crm.recorder.count("*") == 0


async def test_expiry_within_the_leeway_is_accepted(make_facade, jwks) -> None:
    facade = await make_facade(**locked(jwt=jwt_settings(jwks, leeway_s=60)))
    token = jwks.keys[0].token(exp=int(time.time()) - 10)
    assert (await ask(facade, {"authorization": f"Bearer {token}"})).status_code == 200


async def test_a_wrongly_signed_jwt_is_unauthenticated(make_facade, jwks) -> None:
    facade = await make_facade(**locked(jwt=jwt_settings(jwks)))
    forger = SigningKey("rsa-1", "RS256")  # same kid, another private key
    message = unauthenticated(await ask(facade, {"authorization": f"Bearer {forger.token()}"}))
    assert message == "token signature is invalid"


async def test_an_unknown_kid_refetches_once_then_is_rate_limited(make_facade, jwks) -> None:
    facade = await make_facade(**locked(jwt=jwt_settings(jwks, min_refetch_s=3600)))
    good = jwks.keys[0].token()
    assert (await ask(facade, {"authorization": f"Bearer {good}"})).status_code == 200
    assert jwks.fetches == 1
    stranger = SigningKey("unknown-kid", "RS256")
    for _ in range(5):
        message = unauthenticated(
            await ask(facade, {"authorization": f"Bearer {stranger.token()}"})
        )
        assert "unknown key" in message
    assert jwks.fetches == 1  # within min_refetch_s: forged kids cost the issuer nothing


async def test_a_rotated_jwks_key_is_picked_up(make_facade, jwks) -> None:
    facade = await make_facade(**locked(jwt=jwt_settings(jwks, min_refetch_s=0)))
    assert (
        await ask(facade, {"authorization": f"Bearer {jwks.keys[0].token()}"})
    ).status_code == 200
    rotated = SigningKey("rsa-2", "RS256")
    jwks.keys = [rotated]  # the issuer rotates: new kid published, old one withdrawn
    response = await ask(facade, {"authorization": f"Bearer {rotated.token()}"})
    assert response.status_code == 200, response.text
    assert jwks.fetches == 2


async def test_jwt_scopes_are_literal_and_enforced(make_facade, jwks, providers) -> None:
    from gateway_support import CREATE_PAYMENT, PAYMENT_INPUT

    facade = await make_facade(**locked(jwt=jwt_settings(jwks)))
    token = jwks.keys[0].token(scope="* payments:*")  # an issuer's pattern grants nothing
    response = await facade.client.post(
        "/graphql",
        json={"query": CREATE_PAYMENT, "variables": {"input": PAYMENT_INPUT}},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.json()["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert providers.payments.recorder.count("*") == 0


async def test_the_jwks_is_cached_refreshed_and_kept_through_an_outage(jwks) -> None:
    from colonnade.config import JwtSettings
    from colonnade.gateway.jwks import JwksVerifier

    now = [1000.0]
    verifier = JwksVerifier(
        JwtSettings(**jwt_settings(jwks, refresh_s=300, min_refetch_s=30)), clock=lambda: now[0]
    )
    try:
        token = jwks.keys[0].token()
        for _ in range(3):
            assert (await verifier.verify(token))["sub"] == "client-42"
        assert jwks.fetches == 1  # cached
        now[0] += 301
        await verifier.verify(token)
        assert jwks.fetches == 2  # refreshed after refresh_s
        jwks.failing = True
        now[0] += 301
        assert (await verifier.verify(token))["sub"] == "client-42"  # old keys kept
        assert jwks.fetches == 3
    finally:
        await verifier.aclose()


def test_a_broken_keys_file_fails_at_start_and_is_survived_later(tmp_path) -> None:
    from colonnade.errors import ConfigError
    from colonnade.gateway.identity import ApiKeyFile

    keys_file = tmp_path / "keys.json"
    keys_file.write_text("{not json")
    with pytest.raises(ConfigError, match=r"gateway\.api_keys_file"):
        ApiKeyFile(keys_file)
    _, key_digest = generate_key()
    keys_file.write_text(json.dumps({"shop": {"key_sha256": [key_digest], "scopes": ["*"]}}))
    loaded = ApiKeyFile(keys_file)
    keys_file.write_text('{"shop": {"key_sha256": ["not-a-digest"]}}')  # a botched rotation
    found = loaded.get(key_digest)
    assert found is not None
    assert found.client_id == "shop"
