"""``colonnade keys generate``: a key for the client, and a config block holding its digest."""

from __future__ import annotations

import asyncio
import tomllib

import pytest

from colonnade.cli import main
from colonnade.config import Settings
from colonnade.gateway.identity import Authenticator, digest
from colonnade.state import MemoryBackend


async def test_the_printed_block_authenticates_the_printed_key(capsys) -> None:
    assert main(["keys", "generate", "--client", "shop", "--scope", "payments:read"]) == 0
    out = capsys.readouterr().out
    key = out.split("\n")[1].strip()
    block = out.split("colonnade.toml:\n", 1)[1]
    config = tomllib.loads("\n".join(line.strip() for line in block.splitlines()))
    assert config["gateway"]["api_keys"]["shop"]["key_sha256"] == [digest(key)]
    assert key not in block  # only the digest goes into the config
    settings = Settings(gateway=config["gateway"])
    principal = await Authenticator(
        settings.gateway, MemoryBackend(), anonymous=False
    ).authenticate({"x-api-key": key})
    assert principal.client_id == "shop"
    assert principal.allows("payments:read")
    assert not principal.allows("payments:write")


@pytest.mark.redis
async def test_keys_registered_and_revoked_in_redis_need_no_restart(
    make_facade, monkeypatch, capsys
) -> None:
    from support import REDIS_URL, redis_prefix

    from colonnade.gateway.identity import generate_key

    key, key_digest = generate_key()
    async with redis_prefix() as prefix:
        monkeypatch.setenv("COLONNADE_REDIS_URL", REDIS_URL)
        monkeypatch.setenv("COLONNADE_STATE_PREFIX", prefix)
        facade = await make_facade(
            "redis", prefix, gateway={"anonymous": "off", "api_keys_in_state": True}
        )
        query = {"query": "{ __typename }"}

        async def status() -> int:
            response = await facade.client.post("/graphql", json=query, headers={"x-api-key": key})
            return response.status_code

        assert await status() == 401
        argv = ["keys", "register", key_digest, "--client", "shop", "--scope", "customers:read"]
        assert await asyncio.to_thread(main, argv) == 0
        assert "registered a key for shop" in capsys.readouterr().out
        assert await status() == 200
        assert await asyncio.to_thread(main, ["keys", "revoke", key_digest]) == 0
        assert await status() == 401
