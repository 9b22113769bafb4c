"""Fixtures: a facade with webhook ingestion, served over loopback with its dispatcher."""

from __future__ import annotations

import secrets
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

import pytest
from events.support import serve_app
from support import Credentials, facade_settings

from colonnade.app import create_app
from colonnade.config import Settings
from colonnade.sandboxes import SandboxSet, ServedSandbox


@pytest.fixture
def webhook_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(18)


@pytest.fixture
def events_settings(
    tmp_path: Path, providers_server: ServedSandbox, creds: Credentials, webhook_secret: str
) -> Callable[..., Settings]:
    def make(**events: Any) -> Settings:
        config: dict[str, Any] = {
            "data_dir": str(tmp_path / "data"),
            "retry_base_s": 0.01,
            "retry_max_s": 0.05,
            "poll_interval_s": 0.05,
            "sources": {"payments": {"secrets": [webhook_secret]}},
        }
        redis = events.pop("redis", None)
        gateway = events.pop("gateway", None)
        config.update(events)
        extra: dict[str, Any] = {"events": config}
        if gateway is not None:
            extra["gateway"] = gateway
        if redis is not None:
            extra.update(redis_url=redis[0], state_prefix=redis[1])
        return facade_settings(providers_server.base_url, creds, **extra)

    return make


ServeFacade = Callable[..., AbstractContextManager[str]]


@pytest.fixture
def serve_facade(
    events_settings: Callable[..., Settings], providers: SandboxSet, webhook_secret: str
) -> ServeFacade:
    """Serve a facade and point the payment sandbox's webhooks at it."""

    @contextmanager
    def serve(chaos: dict[str, Any] | None = None, **events: Any) -> Iterator[str]:
        from colonnade.sandboxes.webhook_sender import Chaos

        app = create_app(events_settings(**events))
        with serve_app(app) as base:
            providers.payments.webhooks.configure(
                f"{base}/webhooks/payments", webhook_secret, Chaos.from_json(chaos or {})
            )
            try:
                yield base
            finally:
                providers.payments.webhooks.configure(None, "")

    return serve


def sqlite_rows(path: Path, sql: str) -> list[tuple[Any, ...]]:
    conn = sqlite3.connect(path)
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


@pytest.fixture
def redis_events() -> Iterator[tuple[str, str]]:
    """(url, prefix) on the test Redis; every key under the prefix is deleted after."""
    import uuid

    from redis import Redis
    from redis.exceptions import RedisError
    from support import REDIS_URL

    client = Redis.from_url(REDIS_URL, socket_connect_timeout=1)
    try:
        client.ping()
    except (RedisError, OSError):
        import os

        if os.environ.get("COLONNADE_SKIP_REDIS_TESTS") == "1":
            pytest.skip("no Redis; COLONNADE_SKIP_REDIS_TESTS=1")
        raise
    prefix = f"colonnade-test:{uuid.uuid4().hex}:"
    try:
        yield REDIS_URL, prefix
    finally:
        keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
        if keys:
            client.delete(*keys)
        client.close()
