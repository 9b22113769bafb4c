"""Validation is linear in the document: a fragment bomb costs one walk per fragment.

Each fragment spreads the two fragments of the next level, so the document is 2 × levels
fragments but expands to 2^levels selections. Unmemoised limiters walk every expansion: at 40
levels that is ~10^12 walks, so without the fix these tests hang (guarded by a client timeout)
instead of answering.
"""

from __future__ import annotations

import uuid

import httpx
from graphql import build_schema, parse, validate
from support import facade_env, served_facade

from colonnade.limits import limits_rule, measure

LEVELS = 40


def alias_bomb(levels: int) -> str:
    parts = ["query Bomb { ...A0 ...B0 }"]
    for i in range(levels):
        spreads = f"...A{i + 1} ...B{i + 1}" if i + 1 < levels else ""
        parts += [
            f"fragment {n}{i} on Query {{ {n.lower()}{i}: __typename {spreads} }}" for n in "AB"
        ]
    return "\n".join(parts)


def depth_bomb(levels: int) -> str:
    parts = ["query Deep { ...A0 ...B0 }"]
    for i in range(levels):
        spreads = f"...A{i + 1} ...B{i + 1}" if i + 1 < levels else "x"
        parts += [f"fragment {n}{i} on Q {{ q {{ {spreads} }} }}" for n in "AB"]
    return "\n".join(parts)


RECURSIVE = build_schema("type Q { q: Q, x: Int } schema { query: Q }")


def test_each_fragment_is_walked_once() -> None:
    found = measure(parse(depth_bomb(LEVELS)))
    assert found.fragment_walks == 2 * LEVELS  # one per fragment definition, not 2^40
    assert found.depths == {"Deep": LEVELS}


def test_aliases_count_as_executed_but_are_computed_once() -> None:
    found = measure(parse(alias_bomb(LEVELS)))
    assert found.fragment_walks == 2 * LEVELS
    assert found.aliases == 2 ** (LEVELS + 1) - 2  # every spread executes its aliases again


def test_a_deep_fragment_bomb_is_refused_by_depth() -> None:
    errors = validate(
        RECURSIVE, parse(depth_bomb(LEVELS)), [limits_rule(max_depth=12, max_aliases=50)]
    )
    assert [e.message for e in errors] == ["'Deep' exceeds maximum operation depth of 12"]


def test_a_shallow_document_passes() -> None:
    errors = validate(
        RECURSIVE, parse("{ q { q { x } } }"), [limits_rule(max_depth=3, max_aliases=0)]
    )
    assert errors == []


def test_fragment_cycles_do_not_loop() -> None:
    doc = parse("query { ...A } fragment A on Q { q { ...B } } fragment B on Q { q { ...A } }")
    found = measure(doc)
    assert found.fragment_walks == 2


def test_a_fragment_bomb_over_http_is_refused_and_the_server_stays_up(
    providers_server, creds
) -> None:
    with (
        served_facade(facade_env(providers_server.base_url, creds)) as base,
        httpx.Client(base_url=base, timeout=60) as client,
    ):
        response = client.post("/graphql", json={"query": alias_bomb(LEVELS)})
        assert response.status_code == 200
        [error] = response.json()["errors"]
        assert error["message"] == f"{2 ** (LEVELS + 1) - 2} aliases found. Allowed: 50"
        assert error["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        assert client.get("/healthz").status_code == 200


async def test_repeated_documents_still_hit_the_validation_cache(facade, monkeypatch) -> None:
    """The limits rule is one class per schema, so ValidationCache (keyed by the rules) hits:
    a repeated document is measured once."""
    import colonnade.limits

    calls = 0
    original = colonnade.limits.measure

    def counting(document):
        nonlocal calls
        calls += 1
        return original(document)

    monkeypatch.setattr(colonnade.limits, "measure", counting)
    query = f"query Q{uuid.uuid4().hex} {{ __typename }}"  # never validated before in this process
    for _ in range(3):
        assert "errors" not in await facade.query(query)
    assert calls == 1
