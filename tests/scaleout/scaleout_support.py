"""Replicas as separate ``colonnade serve`` processes, and what they say about themselves."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

import httpx
import pytest
import redis
from support import REDIS_URL, free_port, metric, stop_process


def require_redis_sync() -> None:
    """``support.require_redis`` for module-scoped (synchronous) fixtures: no Redis fails the
    run unless COLONNADE_SKIP_REDIS_TESTS=1 says to skip — scale-out is not proven by a skip."""
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=1)
    try:
        client.ping()
    except (redis.RedisError, OSError) as exc:
        reason = f"no Redis at COLONNADE_TEST_REDIS_URL ({type(exc).__name__})"
        if os.environ.get("COLONNADE_SKIP_REDIS_TESTS") == "1":
            pytest.skip(f"{reason}; COLONNADE_SKIP_REDIS_TESTS=1")
        pytest.fail(f"{reason}: start one, or set COLONNADE_SKIP_REDIS_TESTS=1 to skip")
    finally:
        client.close()


@contextmanager
def shared_prefix() -> Iterator[str]:
    """A key prefix of its own in the test Redis, deleted after."""
    require_redis_sync()
    prefix = f"colonnade-test:scaleout:{uuid.uuid4().hex}:"
    try:
        yield prefix
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        try:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        finally:
            client.close()


def wait_healthy(base: str, proc: subprocess.Popen[bytes], seconds: float = 30.0) -> None:
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        if proc.poll() is not None:
            err = proc.stderr.read().decode()[-2000:] if proc.stderr else ""
            raise RuntimeError(f"colonnade serve exited ({proc.returncode}): {err}")
        try:
            if httpx.get(f"{base}/readyz", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{base} did not become ready in {seconds:g} s")


@contextmanager
def replicas(*envs: dict[str, str]) -> Iterator[list[str]]:
    """One ``colonnade serve`` process per environment, started together (they load the
    schema and WSDLs in parallel); yields their base URLs, stops them all after."""
    with ExitStack() as stack:
        started: list[tuple[str, subprocess.Popen[bytes]]] = []
        for env in envs:
            port = free_port()
            proc = subprocess.Popen(
                [sys.executable, "-m", "colonnade", "serve", "--port", str(port)],
                env=env,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
            )
            stack.callback(stop_process, proc)
            started.append((f"http://127.0.0.1:{port}", proc))
        for base, proc in started:
            wait_healthy(base, proc)
        yield [base for base, _ in started]


async def ask(
    http: httpx.AsyncClient, base: str, query: str, variables: dict[str, Any] | None = None
) -> dict[str, Any]:
    response = await http.post(f"{base}/graphql", json={"query": query, "variables": variables})
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def code(body: dict[str, Any]) -> str | None:
    errors = body.get("errors") or [{}]
    value = errors[0].get("extensions", {}).get("code")
    return None if value is None else str(value)


def scrape(base: str) -> str:
    response = httpx.get(f"{base}/metrics", timeout=5)
    response.raise_for_status()
    return response.text


def attempts(base: str, connector: str) -> dict[str, float]:
    """This replica's upstream attempts to ``connector`` by outcome (a call the pipeline
    refused before sending it is one too, e.g. ``CIRCUIT_OPEN``)."""
    from prometheus_client.parser import text_string_to_metric_families

    outcomes: dict[str, float] = {}
    for family in text_string_to_metric_families(scrape(base)):
        for sample in family.samples:
            if (
                sample.name == "colonnade_upstream_attempts_total"
                and sample.labels.get("connector") == connector
                and sample.value
            ):
                outcome = sample.labels["outcome"]
                outcomes[outcome] = outcomes.get(outcome, 0.0) + sample.value
    return outcomes


def sample(base: str, name: str, **labels: str) -> float:
    return metric(scrape(base), name, **labels) or 0.0
