"""The REST SDK's test provider, served once per session on loopback, reset before each test;
``make`` builds a connector class against it (closed after the test)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import pytest
from pydantic import SecretStr
from rest_provider import API_KEY, CLIENT_ID, CLIENT_SECRET, PASSWORD, USER, RestProvider

from colonnade.config import ConnectorSettings, Settings
from colonnade.rest import RestConnector
from colonnade.runtime import Runtime
from colonnade.sandboxes import ServedSandbox

C = TypeVar("C", bound=RestConnector)


class RestSettings(ConnectorSettings):
    """What the test connectors' credentials name."""

    api_key: SecretStr | None = SecretStr(API_KEY)
    api_key_file: Path | None = None
    username: str | None = USER
    password: SecretStr | None = SecretStr(PASSWORD)
    client_id: str | None = CLIENT_ID
    client_secret: SecretStr | None = SecretStr(CLIENT_SECRET)
    page_size: int = 10


@pytest.fixture(scope="session")
def served_provider() -> Iterator[tuple[RestProvider, ServedSandbox]]:
    provider = RestProvider()
    with ServedSandbox(provider.app) as server:
        yield provider, server


@pytest.fixture
def provider(served_provider: tuple[RestProvider, ServedSandbox]) -> RestProvider:
    served_provider[0].reset()
    return served_provider[0]


Make = Callable[..., Awaitable[Any]]


@pytest.fixture
async def make(
    provider: RestProvider, served_provider: tuple[RestProvider, ServedSandbox]
) -> AsyncIterator[Make]:
    """``await make(ConnectorClass, **settings)``: retries fast, breaker off, cache on."""
    made: list[RestConnector] = []
    runtimes: list[Runtime] = []

    async def build(cls: type[C], **overrides: Any) -> C:
        runtime = Runtime.create(Settings(sandbox={"embedded": "off"}))
        runtimes.append(runtime)
        config: dict[str, Any] = {
            "base_url": served_provider[1].base_url,
            "retry": {"base_delay_s": 0.01, "max_delay_s": 0.05, "max_attempts": 3},
            "breaker": {"enabled": False},
            **overrides,
        }
        connector = cls(RestSettings(**config), runtime)
        made.append(connector)
        return connector

    yield build
    for connector in made:
        await connector.aclose()
    for runtime in runtimes:
        await runtime.aclose()
