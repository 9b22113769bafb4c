"""Persisted operations: APQ (Apollo's protocol) over POST and GET, and trusted documents."""

from __future__ import annotations

import json

import pytest
from support import redis_prefix

from colonnade.config import Settings
from colonnade.errors import ConfigError
from colonnade.gateway.persisted import PersistedOperations, sha256
from colonnade.state import MemoryBackend

QUERY = "{ customers(first: 2) { edges { node { name } } } }"


def apq(document_hash: str) -> dict:
    return {"persistedQuery": {"version": 1, "sha256Hash": document_hash}}


async def test_apq_round_trip_over_post_and_get(make_facade, backend_kind, providers) -> None:
    if backend_kind == "redis":
        async with redis_prefix() as prefix:
            a = await make_facade("redis", prefix)
            b = await make_facade("redis", prefix)
            await _round_trip(a, b, providers)
    else:
        a = await make_facade()
        await _round_trip(a, a, providers)


async def _round_trip(a, b, providers) -> None:
    digest = sha256(QUERY)
    missing = await a.client.post("/graphql", json={"extensions": apq(digest)})
    assert missing.status_code == 200
    assert missing.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_FOUND"
    assert missing.json()["errors"][0]["message"] == "PersistedQueryNotFound"
    assert providers.crm.recorder.count("*") == 0

    registered = await a.client.post("/graphql", json={"query": QUERY, "extensions": apq(digest)})
    assert len(registered.json()["data"]["customers"]["edges"]) == 2

    by_hash = await b.client.post("/graphql", json={"extensions": apq(digest)})  # other replica
    assert by_hash.json() == registered.json()
    over_get = await b.client.get(
        "/graphql",
        params={"extensions": json.dumps(apq(digest))},
        headers={"accept": "application/json"},
    )
    assert over_get.status_code == 200, over_get.text
    assert over_get.json() == registered.json()


async def test_apq_refuses_a_hash_that_is_not_the_documents(facade) -> None:
    response = await facade.client.post(
        "/graphql", json={"query": QUERY, "extensions": apq("0" * 64)}
    )
    assert response.status_code == 400
    assert response.json()["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def manifest(tmp_path, operations: list[str], apollo: bool = True):
    path = tmp_path / "persisted-query-manifest.json"
    if apollo:
        content: dict = {
            "format": "apollo-persisted-query-manifest",
            "version": 1,
            "operations": [
                {"id": sha256(op), "name": f"Op{i}", "type": "query", "body": op}
                for i, op in enumerate(operations)
            ],
        }
    else:
        content = {f"doc-{i}": op for i, op in enumerate(operations)}
    path.write_text(json.dumps(content))
    return path


async def test_trusted_documents_refuse_an_unregistered_document(
    make_facade, tmp_path, providers
) -> None:
    facade = await make_facade(
        gateway={
            "persisted_queries": "trusted",
            "trusted_documents": str(manifest(tmp_path, [QUERY])),
        }
    )
    by_id = await facade.client.post("/graphql", json={"extensions": apq(sha256(QUERY))})
    assert len(by_id.json()["data"]["customers"]["edges"]) == 2
    by_text = await facade.client.post("/graphql", json={"query": QUERY})
    assert by_text.json() == by_id.json()
    calls = providers.crm.recorder.count("*")

    sneaky = "{ customers(first: 3) { edges { cursor } } }"
    for refused in (
        await facade.client.post("/graphql", json={"query": sneaky}),
        await facade.client.post("/graphql", json={"extensions": apq("f" * 64)}),
        await facade.client.get("/graphql", params={"query": "{ __typename }"}),
        await facade.client.post(
            "/graphql", content=b"{ __typename }", headers={"content-type": "application/graphql"}
        ),
        # APQ registration is no way around the list.
        await facade.client.post(
            "/graphql", json={"query": sneaky, "extensions": apq(sha256(sneaky))}
        ),
    ):
        assert refused.status_code == 400, refused.text
        assert refused.json()["errors"][0]["extensions"]["code"] == "PERSISTED_QUERY_NOT_IN_LIST"
    assert providers.crm.recorder.count("*") == calls


async def test_a_plain_id_map_manifest_works(make_facade, tmp_path) -> None:
    facade = await make_facade(
        gateway={
            "persisted_queries": "trusted",
            "trusted_documents": str(manifest(tmp_path, [QUERY], apollo=False)),
        }
    )
    response = await facade.client.post("/graphql", json={"extensions": apq("doc-0")})
    assert len(response.json()["data"]["customers"]["edges"]) == 2


def test_trusted_mode_without_a_manifest_fails_at_start() -> None:
    settings = Settings(gateway={"persisted_queries": "trusted"})
    with pytest.raises(ConfigError, match="trusted_documents"):
        PersistedOperations(
            "trusted", MemoryBackend(), ttl_s=1, manifest=settings.gateway.trusted_documents
        )
