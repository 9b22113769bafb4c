"""Authorization per field, enforced before any upstream call."""

from __future__ import annotations

from gateway_support import CREATE_PAYMENT, PAYMENT_INPUT, client_key, locked

from colonnade.platform.graph import full_schema


async def pay(facade, key: str):
    return await facade.client.post(
        "/graphql",
        json={"query": CREATE_PAYMENT, "variables": {"input": PAYMENT_INPUT}},
        headers={"x-api-key": key},
    )


async def test_create_payment_without_the_scope_is_forbidden_and_never_sent(
    make_facade, providers
) -> None:
    reader, reader_entry = client_key(["customers:read", "payments:read"])
    writer, writer_entry = client_key(["customers:read", "payments:write"])
    facade = await make_facade(**locked(api_keys={"reader": reader_entry, "writer": writer_entry}))

    refused = (await pay(facade, reader)).json()
    assert refused["data"] == {"createPayment": None}  # nullable: only this field is lost
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    assert refused["errors"][0]["path"] == ["createPayment"]
    assert "payments:write" in refused["errors"][0]["message"]
    assert providers.payments.recorder.count("*") == 0
    assert providers.crm.recorder.count("*") == 0  # not even the customer lookup

    created = (await pay(facade, writer)).json()
    assert "errors" not in created, created
    assert created["data"]["createPayment"]["status"]
    assert providers.payments.recorder.count("*") >= 1


async def test_a_field_the_client_may_not_see_is_null_and_costs_no_call(
    make_facade, providers
) -> None:
    key, entry = client_key(["customers:read"])
    facade = await make_facade(**locked(api_keys={"crm-only": entry}))
    query = (
        "{ customers(first: 3) { edges { node { name salesOrders { number } payments { id } } } } }"
    )
    response = await facade.client.post(
        "/graphql", json={"query": query}, headers={"x-api-key": key}
    )
    body = response.json()
    nodes = [e["node"] for e in body["data"]["customers"]["edges"]]
    assert len(nodes) == 3
    assert all(n["name"] and n["salesOrders"] is None and n["payments"] is None for n in nodes)
    assert {e["extensions"]["code"] for e in body["errors"]} == {"FORBIDDEN"}
    assert len(body["errors"]) == 6
    assert providers.erp.recorder.count("*") == 0
    assert providers.payments.recorder.count("*") == 0


async def test_pattern_scopes_from_the_config(make_facade, providers) -> None:
    key, entry = client_key(["*:read"])
    facade = await make_facade(**locked(api_keys={"auditor": entry}))
    body = (await pay(facade, key)).json()
    assert body["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    query = "{ customers(first: 1) { edges { node { payments { id } } } } }"
    read = await facade.client.post("/graphql", json={"query": query}, headers={"x-api-key": key})
    assert "errors" not in read.json()


def test_scopes_and_costs_are_federation_directives_in_the_sdl() -> None:
    sdl = full_schema().as_str()
    assert "https://specs.apollo.dev/federation/v2.9" in sdl
    assert (
        "createPayment(input: CreatePaymentInput!): Payment @cost(weight: 2) "
        '@requiresScopes(scopes: [["payments:write"]])'
    ) in sdl
    assert '@listSize(assumedSize: 20, slicingArguments: ["first"], sizedFields: ["edges"]' in sdl


async def test_clients_share_cache_entries_made_with_our_own_provider_credentials(
    make_facade, providers
) -> None:
    # Cache keys carry the provider credential's fingerprint (HttpConnector.cache_scope), not
    # the client's: every client is served with Colonnade's credentials, so the answer is one.
    a, a_entry = client_key(["*"])
    b, b_entry = client_key(["*"])
    facade = await make_facade(**locked(api_keys={"a": a_entry, "b": b_entry}))
    query = {"query": '{ customer(id: "001000000000002AAA") { name } }'}
    first = await facade.client.post("/graphql", json=query, headers={"x-api-key": a})
    second = await facade.client.post("/graphql", json=query, headers={"x-api-key": b})
    assert first.json() == second.json()
    assert providers.crm.recorder.count("crm.sobject*") == 1


async def test_authenticated_refuses_anonymous_callers_and_prints_the_directive() -> None:
    from dataclasses import dataclass
    from typing import Any

    import strawberry

    from colonnade.gateway import Principal, requires

    @strawberry.type
    class Query:
        @strawberry.field(extensions=[requires(authenticated=True)])
        def secret(self) -> str | None:
            return "ok"

    @dataclass
    class Context:
        principal: Any

    schema = strawberry.federation.Schema(query=Query, federation_version="2.9")
    assert "secret: String @authenticated" in schema.as_str()
    anonymous = Principal("anonymous", frozenset({"*"}), "anonymous")
    client = Principal("shop", frozenset(), "api_key")
    refused = await schema.execute("{ secret }", context_value=Context(anonymous))
    assert refused.data == {"secret": None}
    assert refused.errors[0].original_error.code.value == "FORBIDDEN"
    assert (await schema.execute("{ secret }", context_value=Context(client))).data == {
        "secret": "ok"
    }
