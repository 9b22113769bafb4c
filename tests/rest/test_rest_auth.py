"""Every credential kind is applied to the request the provider sees, built from settings."""

from __future__ import annotations

import base64

import pytest
from pydantic import SecretStr
from rest_connectors import Item, Public, Things
from rest_provider import API_KEY, CLIENT_ID, PASSWORD, USER

from colonnade.errors import ConfigError, UpstreamUnauthenticated
from colonnade.rest import ApiKey, Basic, Bearer, ClientCredentials, Credentials


def kind(credentials: Credentials) -> type[Things]:
    return type("Authed", (Things,), {"credentials": credentials})


async def test_api_key_in_a_header(make, provider) -> None:
    c = await make(kind(ApiKey(header="X-Api-Key")))
    assert (await c.call(c.any_item, key="it_01")).value == Item(id="it_01", value=1)
    [seen] = provider.seen
    assert seen.headers["x-api-key"] == API_KEY
    assert "authorization" not in seen.headers
    assert "api_key" not in seen.query_params


async def test_api_key_in_the_query(make, provider) -> None:
    c = await make(kind(ApiKey(query="api_key")))
    await c.call(c.any_item, key="it_01")
    [seen] = provider.seen
    assert seen.query_params["api_key"] == API_KEY
    assert "authorization" not in seen.headers


async def test_bearer_key(make, provider) -> None:
    c = await make(kind(Bearer()))
    await c.call(c.any_item, key="it_01")
    assert provider.seen[0].headers["authorization"] == f"Bearer {API_KEY}"


async def test_basic(make, provider) -> None:
    c = await make(kind(Basic()))
    await c.call(c.any_item, key="it_01")
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    assert provider.seen[0].headers["authorization"] == expected
    assert c.write_scope() == f"basic-{USER}"


async def test_oauth2_client_credentials_fetch_one_token(make, provider) -> None:
    c = await make(kind(ClientCredentials("/oauth/token")))
    await c.call(c.any_item, key="it_01")
    await c.call(c.any_item, key="it_02")
    assert provider.token_fetches == 1
    tokens = {s.headers["authorization"] for s in provider.seen}
    assert tokens == {f"Bearer {t}" for t in provider.tokens}
    assert c.write_scope() == f"oauth-{CLIENT_ID}"


async def test_no_credentials(make, provider) -> None:
    c = await make(Public)
    assert len((await c.call(c.items)).value) == 25
    assert all("authorization" not in s.headers for s in provider.seen)
    assert c.cache_scope().endswith("public")


async def test_a_refused_key_is_unauthenticated_and_not_retried(make, provider) -> None:
    c = await make(kind(Bearer()), api_key=SecretStr("wrong"))
    with pytest.raises(UpstreamUnauthenticated):
        await c.call(c.any_item, key="it_01")
    assert len(provider.seen) == 1  # the key did not change: no resend, no retry


async def test_a_refused_query_key_is_not_resent(make, provider) -> None:
    c = await make(kind(ApiKey(query="api_key")), api_key=SecretStr("wrong"))
    with pytest.raises(UpstreamUnauthenticated):
        await c.call(c.any_item, key="it_01")
    assert len(provider.seen) == 1


async def test_a_missing_secret_fails_at_start(make) -> None:
    with pytest.raises(ConfigError, match=r"connectors\.rest\.api_key"):
        await make(kind(Bearer()), api_key=None)
