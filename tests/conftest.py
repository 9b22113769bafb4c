"""Fixtures for the facade's tests: the sandbox providers served over loopback HTTP, reset to
their seed before every test, and a factory for facades wired to them."""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import Any

import pytest
import structlog
from support import Credentials, Facade, facade_settings, sandbox_options, state_backend

from colonnade.sandboxes import SandboxSet, ServedSandbox

# One log line per upstream attempt is right in production and noise in a test run.
structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))


@pytest.fixture(autouse=True)
def _no_ambient_config(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings read COLONNADE_* variables: a developer's shell must not change a test."""
    for name in [n for n in os.environ if n.startswith("COLONNADE_")]:
        if not name.startswith("COLONNADE_TEST_"):
            monkeypatch.delenv(name)


@pytest.fixture(scope="session")
def creds() -> Credentials:
    return Credentials.generate()


@pytest.fixture(scope="session")
def providers_set(creds: Credentials) -> SandboxSet:
    return SandboxSet(customers=200, **sandbox_options(creds))


@pytest.fixture(scope="session")
def providers_server(providers_set: SandboxSet) -> Iterator[ServedSandbox]:
    with providers_set.serve() as server:
        yield server


@pytest.fixture
def providers(
    providers_set: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> SandboxSet:
    """The sandboxes as seeded, with every knob a test may turn set back."""
    providers_set.reset()
    providers_set.crm.token_ttl_s = 3600
    providers_set.crm.api_limit = 15_000
    providers_set.payments.rotate_key(creds.api_key, keep_old=False)
    providers_set.erp.password = creds.erp_password
    providers_set.payments.processing_delay_s = 0.0
    return providers_set


@pytest.fixture(params=["memory", pytest.param("redis", marks=pytest.mark.redis)])
def backend_kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


FacadeFactory = Callable[..., Awaitable[Facade]]


@pytest.fixture
async def make_facade(
    providers: SandboxSet, providers_server: ServedSandbox, creds: Credentials
) -> AsyncIterator[FacadeFactory]:
    """``await make_facade(backend="memory"|"redis", prefix=, url=, **settings_overrides)``.

    Facades made with the same Redis ``prefix`` are replicas sharing state; closed after."""
    made: list[Facade] = []
    contexts: list[Any] = []

    async def make(
        backend: str = "memory", prefix: str | None = None, url: str | None = None, **overrides: Any
    ) -> Facade:
        ctx = state_backend(backend, prefix, url)
        contexts.append(ctx)
        state = await ctx.__aenter__()
        facade = Facade(facade_settings(providers_server.base_url, creds, **overrides), state)
        made.append(facade)
        return facade

    yield make
    for facade in made:
        await facade.aclose()
    for ctx in reversed(contexts):
        await ctx.__aexit__(None, None, None)


@pytest.fixture
async def facade(make_facade: FacadeFactory) -> Facade:
    return await make_facade()
