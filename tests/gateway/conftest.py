"""Gateway fixtures: the issuer's JWKS, served over loopback HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from gateway_support import JwksServer, SigningKey


@pytest.fixture
def jwks() -> Iterator[JwksServer]:
    with JwksServer() as server:
        server.keys = [SigningKey("rsa-1", "RS256"), SigningKey("ec-1", "ES256")]
        yield server
