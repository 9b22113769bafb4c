"""Malformed requests get a clear 4xx or a GraphQL error — never a 500, never a stack trace."""

from __future__ import annotations

import pytest


async def test_malformed_json_is_400(facade) -> None:
    response = await facade.client.post(
        "/graphql", content=b'{"query": ', headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert "Traceback" not in response.text


async def test_missing_query_is_400(facade) -> None:
    response = await facade.client.post("/graphql", json={"variables": {}})
    assert response.status_code == 400


async def test_unknown_field_is_a_validation_error(facade, providers) -> None:
    body = await facade.query('{ customer(id: "001000000000001AAA") { shoeSize } }')
    assert body["data"] is None
    assert "shoeSize" in body["errors"][0]["message"]
    assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
    assert providers.crm.recorder.count("*") == 0


async def test_syntax_error_is_a_graphql_error(facade) -> None:
    body = await facade.query("{ customers(first: ) }")
    assert body["data"] is None
    assert body["errors"][0]["message"].startswith("Syntax Error")


@pytest.mark.parametrize(
    ("variables", "fragment"),
    [
        ({"first": "ten"}, "Int cannot represent"),
        ({}, "to be provided"),
        ({"first": None}, "not to be None"),
    ],
)
async def test_bad_variables_are_graphql_errors(facade, providers, variables, fragment) -> None:
    response = await facade.client.post(
        "/graphql",
        json={
            "query": "query($first: Int!) { customers(first: $first) { edges { cursor } } }",
            "variables": variables,
        },
    )
    assert response.status_code in (200, 400)
    body = response.json()
    assert fragment in body["errors"][0]["message"]
    assert providers.crm.recorder.count("crm.query") == 0


async def test_out_of_range_page_size_is_bad_user_input(facade) -> None:
    body = await facade.query("{ customers(first: 5000) { edges { cursor } } }")
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_forged_cursor_is_bad_user_input(facade) -> None:
    body = await facade.query('{ customers(first: 5, after: "not-a-cursor") { edges { cursor } } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


async def test_too_deep_query_is_refused_before_any_call(make_facade, providers) -> None:
    facade = await make_facade(server={"max_query_depth": 5})
    shallow = "{ customers(first: 1) { edges { node { name } } } }"
    assert "errors" not in await facade.query(shallow)
    calls = providers.crm.recorder.count("*")
    deep = "{ customers(first: 1) { edges { node { salesOrders { items { netValue { amount } } } } } } }"
    body = await facade.query(deep)
    assert body["data"] is None
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    assert providers.crm.recorder.count("*") == calls


async def test_oversized_body_is_413(facade) -> None:
    huge = {"query": "{ __typename }", "variables": {"pad": "x" * 2_000_000}}
    response = await facade.client.post("/graphql", json=huge)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "PAYLOAD_TOO_LARGE"


async def test_mutation_over_get_is_refused(facade, providers) -> None:
    response = await facade.client.get(
        "/graphql",
        params={
            "query": 'mutation { createPayment(input: {customerId: "x", amount: "1", currency: "EUR", idempotencyKey: "k"}) { id } }'
        },
    )
    assert response.status_code in (400, 405)
    assert providers.payments.recorder.count("*") == 0


async def test_query_over_get_works(facade) -> None:
    response = await facade.client.get("/graphql", params={"query": "{ __typename }"})
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_graphiql_is_served_to_browsers(facade) -> None:
    response = await facade.client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "graphiql" in response.text.lower()


async def test_health_and_readiness(facade) -> None:
    assert (await facade.client.get("/healthz")).json() == {"status": "ok"}
    response = await facade.client.get("/readyz")
    assert response.status_code == 200
    ready = response.json()
    assert ready["status"] == "ready"
    assert ready["state"] == {"backend": "memory", "status": "ok"}
