"""A real ``colonnade serve`` process per module for the HTTP-edge tests (uvicorn, sockets)."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest
from support import Credentials, facade_env, served_facade

from colonnade.sandboxes import ServedSandbox


@pytest.fixture(scope="module")
def served(providers_server: ServedSandbox, creds: Credentials) -> Iterator[str]:
    with served_facade(facade_env(providers_server.base_url, creds)) as base:
        yield base


@pytest.fixture
def http(served: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=served, timeout=60) as client:
        yield client
