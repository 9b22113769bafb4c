"""``colonnade keys generate``: a key for the client, and a config block holding its digest."""

from __future__ import annotations

import tomllib

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
