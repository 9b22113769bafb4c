"""Helpers shared by the facade's tests: a facade wired to the sandbox providers."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from redis.asyncio import Redis
from redis.exceptions import RedisError

from colonnade.app import create_app
from colonnade.config import Settings
from colonnade.runtime import Runtime
from colonnade.sandboxes import SandboxSet
from colonnade.state import MemoryBackend, RedisBackend, StateBackend
from colonnade.state.guarded import GuardedBackend
from colonnade.testing.harness import merged

REDIS_URL = os.environ.get("COLONNADE_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

NESTED_QUERY = """
query Nested($first: Int!) {
  customers(first: $first) {
    edges { node {
      id name erpCustomerNumber
      salesOrders { number date status netValue { amount currency } items { position material quantity } }
      payments { id status amount { amount currency } }
    } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


@dataclass(frozen=True)
class Credentials:
    client_id: str
    client_secret: str
    api_key: str
    erp_user: str
    erp_password: str

    @classmethod
    def generate(cls) -> Credentials:
        return cls(
            "test-" + secrets.token_hex(4),
            secrets.token_urlsafe(16),
            "sk_test_" + secrets.token_urlsafe(16),
            "COLONNADE",
            secrets.token_urlsafe(12),
        )


def sandbox_options(creds: Credentials) -> dict[str, dict[str, Any]]:
    return {
        "crm": {"client_id": creds.client_id, "client_secret": creds.client_secret},
        "payments": {"api_keys": {creds.api_key}},
        "erp": {"user": creds.erp_user, "password": creds.erp_password},
    }


deep_merge = merged  # the kit's: settings overrides merged into a base table, key by key


def facade_settings(base_url: str, creds: Credentials, **overrides: Any) -> Settings:
    fast_retry = {"base_delay_s": 0.01, "max_delay_s": 0.05}
    config: dict[str, Any] = {
        "sandbox": {"embedded": "off"},
        # Most tests are about the graph, not the gateway: they call it anonymously with every
        # scope. tests/gateway/ turns this off to test the refusals.
        "gateway": {"anonymous": "on", "anonymous_scopes": ["*"]},
        "connectors": {
            "crm": {
                "base_url": f"{base_url}/crm",
                "client_id": creds.client_id,
                "client_secret": creds.client_secret,
                "retry": fast_retry,
            },
            "payments": {
                "base_url": f"{base_url}/payments",
                "api_key": creds.api_key,
                "retry": fast_retry,
            },
            "erp": {
                "base_url": f"{base_url}/erp",
                "username": creds.erp_user,
                "password": creds.erp_password,
                "retry": fast_retry,
            },
        },
    }
    return Settings(**deep_merge(config, overrides))


class Facade:
    """A running facade (in-process ASGI) whose connectors call the sandboxes over HTTP."""

    def __init__(self, settings: Settings, backend: StateBackend) -> None:
        self.settings = settings
        self.runtime = Runtime.create(settings, backend=backend)
        self.app = create_app(settings, runtime=self.runtime)
        self.client = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=self.app), base_url="http://facade", timeout=30
        )

    async def query(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}
        )
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def connector(self, name: str) -> Any:
        return self.app.state.services.connector(name)

    async def aclose(self) -> None:
        await self.client.aclose()
        await self.app.state.gateway.aclose()
        await self.app.state.services.aclose()


async def require_redis() -> None:
    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        await client.ping()
    except (RedisError, OSError) as exc:
        reason = f"no Redis at COLONNADE_TEST_REDIS_URL ({type(exc).__name__})"
        if os.environ.get("COLONNADE_SKIP_REDIS_TESTS") == "1":
            pytest.skip(f"{reason}; COLONNADE_SKIP_REDIS_TESTS=1")
        pytest.fail(f"{reason}: start one, or set COLONNADE_SKIP_REDIS_TESTS=1 to skip")
    finally:
        await client.aclose()


@asynccontextmanager
async def redis_prefix() -> AsyncIterator[str]:
    await require_redis()
    prefix = f"colonnade-test:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        client = Redis.from_url(REDIS_URL)
        try:
            keys = [k async for k in client.scan_iter(match=f"{prefix}*", count=1000)]
            if keys:
                await client.delete(*keys)
        finally:
            await client.aclose()


@asynccontextmanager
async def state_backend(
    kind: str, prefix: str | None = None, url: str | None = None
) -> AsyncIterator[StateBackend]:
    """Memory, or Redis as production wraps it (GuardedBackend) under a per-test prefix."""
    if kind == "memory":
        yield MemoryBackend()
        return
    async with contextlib.AsyncExitStack() as stack:
        if prefix is None:
            prefix = await stack.enter_async_context(redis_prefix())
        else:
            await require_redis()
        # Patient timeouts (production: 250 ms): tests count calls, and on a loaded machine a
        # slow Redis reply would bypass the cache and make a count race. Outage tests build
        # their own backends with short timeouts.
        backend = GuardedBackend(
            RedisBackend(
                url or REDIS_URL, prefix=prefix, socket_timeout_s=2.0, connect_timeout_s=2.0
            )
        )
        try:
            yield backend
        finally:
            await backend.aclose()


__all__ = ["SandboxSet"]


def facade_env(base_url: str, creds: Credentials, **extra: str) -> dict[str, str]:
    """Environment for a ``colonnade serve`` process wired to the sandboxes."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
    env.update(
        {
            "COLONNADE_SANDBOX__EMBEDDED": "off",
            "COLONNADE_GATEWAY__ANONYMOUS": "on",
            "COLONNADE_GATEWAY__ANONYMOUS_SCOPES": '["*"]',
            "COLONNADE_SERVER__LOG_LEVEL": "warning",
            "COLONNADE_CONNECTORS__CRM__BASE_URL": f"{base_url}/crm",
            "COLONNADE_CONNECTORS__CRM__CLIENT_ID": creds.client_id,
            "COLONNADE_CONNECTORS__CRM__CLIENT_SECRET": creds.client_secret,
            "COLONNADE_CONNECTORS__PAYMENTS__BASE_URL": f"{base_url}/payments",
            "COLONNADE_CONNECTORS__PAYMENTS__API_KEY": creds.api_key,
            "COLONNADE_CONNECTORS__ERP__BASE_URL": f"{base_url}/erp",
            "COLONNADE_CONNECTORS__ERP__USERNAME": creds.erp_user,
            "COLONNADE_CONNECTORS__ERP__PASSWORD": creds.erp_password,
        }
    )
    env.update(extra)
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def facade_process(
    env: dict[str, str], stderr: Any = subprocess.PIPE
) -> Iterator[tuple[subprocess.Popen[bytes], str]]:
    """A real ``colonnade serve`` process, healthy: (process, base URL); stopped after (if it
    has not exited by itself). ``stderr``: where its log goes (a file for a chatty one: an
    unread pipe fills up and blocks the process)."""
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "colonnade", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=stderr,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            if proc.poll() is not None:
                err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
                raise RuntimeError(f"colonnade serve exited: {err}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.05)
        else:
            raise RuntimeError("colonnade serve did not become healthy")
        yield proc, base
    finally:
        stop_process(proc)


def stop_process(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM (a graceful stop), SIGKILL after 10 s; its stderr pipe closed."""
    if proc.poll() is None:
        proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stderr is not None:
        proc.stderr.close()


@contextmanager
def served_facade(env: dict[str, str]) -> Iterator[str]:
    """A real ``colonnade serve`` process; yields its base URL, stops it after."""
    with facade_process(env) as (_, base):
        yield base


class RedisProxy:
    """Forwards TCP to the test Redis; ``stop`` cuts every connection, ``start`` resumes on
    the same port — Redis going away and coming back, without touching the real server."""

    def __init__(self, host: str, port: int) -> None:
        self.upstream = (host, port)
        self.port = 0
        self.server: asyncio.Server | None = None
        self.writers: set[asyncio.StreamWriter] = set()
        self.tasks: set[asyncio.Task[Any]] = set()

    async def start(self) -> None:
        self.server = await asyncio.start_server(self._accept, "127.0.0.1", self.port)
        self.port = int(self.server.sockets[0].getsockname()[1])

    async def stop(self) -> None:
        assert self.server is not None
        self.server.close()
        await self.server.wait_closed()
        for writer in self.writers:
            writer.close()
        await asyncio.gather(*self.tasks, return_exceptions=True)
        self.writers.clear()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.tasks.add(task)
        self.writers.add(writer)
        try:
            up_reader, up_writer = await asyncio.open_connection(*self.upstream)
            self.writers.add(up_writer)
            await asyncio.gather(self._pump(reader, up_writer), self._pump(up_reader, writer))
        except OSError:
            pass
        finally:
            writer.close()
            self.tasks.discard(task)

    @staticmethod
    async def _pump(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(OSError):
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        writer.close()


def order_input(idempotency_key: str | None = None, **extra: Any) -> dict[str, Any]:
    """The createSalesOrder input most tests need: one line for customer 0000100002."""
    data: dict[str, Any] = {
        "customerId": "001000000000002AAA",
        "currency": "EUR",
        "lines": [{"material": "MAT-1001", "quantity": "1", "unitPrice": "1"}],
        **extra,
    }
    if idempotency_key is not None:
        data["idempotencyKey"] = idempotency_key
    return data


def metric(text: str, name: str, **labels: str) -> float | None:
    """The value of one sample in a Prometheus exposition (None when absent)."""
    from prometheus_client.parser import text_string_to_metric_families

    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name and all(sample.labels.get(k) == v for k, v in labels.items()):
                return float(sample.value)
    return None


@asynccontextmanager
async def zero_code_wsdl(
    name: str, table: dict[str, Any], **settings: Any
) -> AsyncIterator[tuple[httpx.AsyncClient, Any, Any]]:
    """A zero-code WSDL connector (``[connectors.<name>]`` = ``table``) served through the whole
    app against the sandbox generated from its WSDL: (client, app, sandbox), started."""
    from colonnade.sandboxes import ServedSandbox
    from colonnade.sandboxes.app import provider_class
    from colonnade.wsdl_import.plugin import wsdl_plugin
    from colonnade.wsdl_import.settings import WsdlSettings

    plugin = wsdl_plugin(name, WsdlSettings(**table))
    assert plugin.sandbox is not None
    sandbox = provider_class(plugin.sandbox)(0)
    with ServedSandbox(sandbox.app) as server:
        config = Settings(
            sandbox={"embedded": "off"},
            gateway={"anonymous": "on", "anonymous_scopes": ["*"]},
            **settings,
        ).model_copy(update={"connectors": {name: {**table, "base_url": server.base_url}}})
        app = create_app(config)
        async with (
            app.router.lifespan_context(app),
            httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://x") as c,
        ):
            yield c, app, sandbox
