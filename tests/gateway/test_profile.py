"""The production profile over real HTTP: what it switches off and the browser defences."""

from __future__ import annotations

import pytest
from gateway_support import client_key

from colonnade.config import Settings
from colonnade.errors import ConfigError
from colonnade.gateway.http import anonymous_allowed

INTROSPECTION = "{ __schema { queryType { name } } }"


async def production(make_facade, **server):
    key, entry = client_key(["*"])
    facade = await make_facade(
        admin_token="operator-secret",
        server={"profile": "production", **server},
        gateway={"anonymous": "off", "api_keys": {"app": entry}},
    )
    return facade, {"x-api-key": key, "content-type": "application/json"}


async def test_introspection_and_graphiql_are_off(make_facade) -> None:
    facade, auth = await production(make_facade)
    body = (
        await facade.client.post("/graphql", json={"query": INTROSPECTION}, headers=auth)
    ).json()
    assert body["data"] is None
    assert "introspection" in body["errors"][0]["message"]
    sdl = await facade.client.post("/graphql", json={"query": "{ _service { sdl } }"}, headers=auth)
    assert sdl.json()["data"] is None
    assert "introspection" in sdl.json()["errors"][0]["message"]
    page = await facade.client.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" not in page.text.lower()
    # In development both are on.
    dev = await make_facade()
    assert "errors" not in await dev.query(INTROSPECTION)
    page = await dev.client.get("/graphql", headers={"accept": "text/html"})
    assert "graphiql" in page.text.lower()


async def test_error_messages_give_no_schema_hints(make_facade) -> None:
    facade, auth = await production(make_facade)
    query = "{ customers(first: 1) { edges { node { nam } } } }"
    body = (await facade.client.post("/graphql", json={"query": query}, headers=auth)).json()
    message = body["errors"][0]["message"]
    assert message == "Cannot query field 'nam' on type 'Customer'."
    dev = await make_facade()
    assert "Did you mean 'name'?" in (await dev.query(query))["errors"][0]["message"]


async def test_anonymous_access_is_refused(make_facade) -> None:
    facade, _ = await production(make_facade)
    response = await facade.client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401
    with pytest.raises(ConfigError, match=r"not allowed with server\.profile"):
        anonymous_allowed(Settings(server={"profile": "production"}, gateway={"anonymous": "on"}))


@pytest.mark.parametrize(
    ("method", "headers", "allowed"),
    [
        ("POST", {"content-type": "text/plain"}, False),
        ("POST", {"content-type": "application/x-www-form-urlencoded"}, False),
        ("GET", {}, False),
        ("GET", {"apollo-require-preflight": "true"}, True),
        ("GET", {"x-apollo-operation-name": "Q"}, True),
        ("POST", {"content-type": "application/json"}, True),
    ],
)
async def test_csrf_prevention_refuses_simple_requests(
    make_facade, method, headers, allowed
) -> None:
    facade, auth = await production(make_facade)
    auth.pop("content-type")
    if method == "GET":
        response = await facade.client.get(
            "/graphql", params={"query": "{ __typename }"}, headers={**auth, **headers}
        )
    else:
        response = await facade.client.post(
            "/graphql", content=b'{"query": "{ __typename }"}', headers={**auth, **headers}
        )
    if allowed:
        assert response.status_code == 200, response.text
        assert response.json()["data"] == {"__typename": "Query"}
    else:
        assert response.status_code == 400
        assert response.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"


async def test_cors_answers_only_allowed_origins(make_facade) -> None:
    facade, auth = await production(make_facade, cors_allow_origins=["https://shop.example"])
    preflight = {
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,x-api-key",
    }
    ok = await facade.client.options(
        "/graphql", headers={"origin": "https://shop.example", **preflight}
    )
    assert ok.status_code == 200
    assert ok.headers["access-control-allow-origin"] == "https://shop.example"
    evil = await facade.client.options(
        "/graphql", headers={"origin": "https://evil.example", **preflight}
    )
    assert "access-control-allow-origin" not in evil.headers
    answer = await facade.client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={**auth, "origin": "https://shop.example"},
    )
    assert answer.headers["access-control-allow-origin"] == "https://shop.example"


async def test_metrics_need_the_operator_token(make_facade) -> None:
    facade, auth = await production(make_facade)
    assert (await facade.client.get("/metrics")).status_code == 401
    assert (
        await facade.client.get("/metrics", headers={"authorization": "Bearer wrong"})
    ).status_code == 401
    assert (
        await facade.client.get("/metrics", headers=auth)
    ).status_code == 401  # a client key is not enough
    metrics = await facade.client.get(
        "/metrics", headers={"authorization": "Bearer operator-secret"}
    )
    assert metrics.status_code == 200
    assert "colonnade_" in metrics.text
    no_token = await make_facade(server={"profile": "production"}, gateway={"anonymous": "off"})
    assert (await no_token.client.get("/metrics")).status_code == 404
    dev = await make_facade()
    assert (await dev.client.get("/metrics")).status_code == 200


async def test_csrf_prevention_leaves_the_graphiql_page_alone(make_facade) -> None:
    facade = await make_facade(server={"csrf_prevention": True})
    page = await facade.client.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    refused = await facade.client.get("/graphql", params={"query": "{ __typename }"})
    assert refused.json()["errors"][0]["extensions"]["code"] == "CSRF_PREVENTED"
