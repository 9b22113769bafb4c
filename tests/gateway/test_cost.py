"""Static cost per operation, refused above the limit with zero upstream calls."""

from __future__ import annotations

import pytest
from graphql import parse
from support import NESTED_QUERY

from colonnade.gateway.cost import CostAnalyzer
from colonnade.platform.graph import full_schema

ANALYZER = CostAnalyzer(full_schema()._schema)


def price(query: str, variables: dict | None = None) -> int:
    return ANALYZER.operation_cost(parse(query), None, variables or {})


def calls(providers) -> int:
    return sum(p.recorder.count("*") for p in (providers.crm, providers.erp, providers.payments))


async def test_a_costly_query_is_refused_with_zero_upstream_calls(facade, providers) -> None:
    # The request: 50 aliased customers(first: 100) with nested payments.
    aliases = " ".join(
        f"c{i}: customers(first: 100) {{ edges {{ node {{ payments {{ id }} }} }} }}"
        for i in range(50)
    )
    body = await facade.query(f"{{ {aliases} }}")
    assert body["data"] is None
    error = body["errors"][0]
    assert error["extensions"] == {"code": "COST_LIMIT_EXCEEDED", "cost": 5050, "limit": 1000}
    assert "5050" in error["message"]
    assert calls(providers) == 0


async def test_the_limit_is_configurable_and_reads_variables(make_facade, providers) -> None:
    facade = await make_facade(gateway={"max_cost": 50})
    small = await facade.query(NESTED_QUERY, {"first": 10})  # 1 + 1 batch + 10 payments = 12
    assert "errors" not in small
    before = calls(providers)
    big = await facade.query(NESTED_QUERY, {"first": 60})
    assert big["errors"][0]["extensions"]["cost"] == 62
    assert calls(providers) == before


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("{ customers { edges { cursor } } }", 1),
        ("{ customers { edges { node { payments { id } } } } }", 1 + 20),  # assumed sizes
        ("{ customers(first: 5) { edges { node { payments(first: 3) { id } } } } }", 6),
        ("{ customers(first: 100) { edges { node { salesOrders { number } } } } }", 2),  # batched
        ("{ customers(first: 5) { totalCount pageInfo { hasNextPage } } }", 2),  # not per edge
        ('{ customer(id: "x") { payments { id } salesOrders { number } } }', 3),
        ("{ __typename }", 0),
    ],
)
def test_cost_model(query: str, expected: int) -> None:
    assert price(query) == expected


def test_cost_of_the_nested_query_matches_its_upstream_calls() -> None:
    # The README's benchmark: 100 customers with orders and payments = 102 upstream calls.
    assert price(NESTED_QUERY, {"first": 100}) == 102


def test_fragments_are_priced_once_linear_in_the_document() -> None:
    # Each fragment spreads the previous one twice: 2**40 expansions if priced naively.
    levels = 40
    fragments = [
        "fragment F0 on Customer { payments(first: 1) { id } }",
        *(f"fragment F{i} on Customer {{ ...F{i - 1} ...F{i - 1} }}" for i in range(1, levels)),
    ]
    query = f'{{ customer(id: "x") {{ ...F{levels - 1} }} }} ' + " ".join(fragments)
    assert price(query) == 1 + 2 ** (levels - 1)


async def test_a_client_cost_budget_is_shared_by_replicas(
    make_facade, backend_kind, providers
) -> None:
    from gateway_support import client_key
    from support import redis_prefix

    key, entry = client_key(["*"])
    other, other_entry = client_key(["*"])
    gateway = {
        "anonymous": "off",
        "api_keys": {"shop": entry, "other": other_entry},
        # 30 per 10,000 s: nothing refills during the test.
        "cost_budget": {"per_window": 30, "window_s": 10_000},
    }
    query = {
        "query": "{ customers(first: 5) { edges { node { payments(first: 1) { id } } } } }"
    }  # 6

    fresh = {"query": "{ customers(first: 4) { edges { node { payments(first: 1) { id } } } } }"}

    async def run(a, b) -> None:
        answers = [
            await f.client.post("/graphql", json=query, headers={"x-api-key": key})
            for f in (a, b, a, b, a)
        ]
        assert [r.status_code for r in answers] == [200] * 5  # 5 x 6 = the whole budget
        calls = providers.crm.recorder.count("*")
        refused = await b.client.post("/graphql", json=fresh, headers={"x-api-key": key})
        assert refused.status_code == 429
        error = refused.json()["errors"][0]
        assert error["extensions"]["code"] == "RATE_LIMITED"
        assert error["extensions"]["cost"] == 5
        assert int(refused.headers["retry-after"]) >= 1
        assert providers.crm.recorder.count("*") == calls  # refused before any call
        fine = await a.client.post("/graphql", json=fresh, headers={"x-api-key": other})
        assert "errors" not in fine.json()
        assert providers.crm.recorder.count("*") == calls + 1  # another client's own budget

    if backend_kind == "redis":
        async with redis_prefix() as prefix:
            await run(
                await make_facade("redis", prefix, gateway=gateway),
                await make_facade("redis", prefix, gateway=gateway),
            )
    else:
        facade = await make_facade(gateway=gateway)
        await run(facade, facade)


def test_a_repeated_query_is_priced_per_list_size_it_reads() -> None:
    analyzer = CostAnalyzer(full_schema()._schema)
    document = parse(NESTED_QUERY)
    prices = [
        analyzer.cached_cost(NESTED_QUERY, document, None, {"first": n}) for n in (100, 10, 100)
    ]
    assert prices == [102, 12, 102]
