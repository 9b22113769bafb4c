"""``ops/compose.yaml`` agrees with the code: every COLONNADE_* variable it sets is a setting
that validates, and the replicas point at the Redis and the sandboxes it runs, with the
credentials those sandboxes accept. (No Docker registry here: the file is never started in CI.)"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
import yaml

from colonnade.config import Settings, load_settings
from colonnade.embedded import sandbox_env, sandbox_group
from colonnade.platform import discover
from colonnade.platform.kinds import configured
from colonnade.platform.settings import connector_settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "ops" / "compose.yaml"


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return data


def environment(service: dict[str, Any]) -> dict[str, str]:
    env = service.get("environment", {})
    if isinstance(env, list):
        env = dict(item.split("=", 1) for item in env)
    return dict(env)


def command(service: dict[str, Any]) -> list[str]:
    cmd = service["command"]
    return shlex.split(cmd) if isinstance(cmd, str) else [str(part) for part in cmd]


def option(cmd: list[str], name: str) -> str:
    return cmd[cmd.index(name) + 1]


def test_the_services_are_all_there(compose) -> None:
    services = compose["services"]
    assert {"redis", "sandboxes", "colonnade", "router"} <= set(services)
    assert services["colonnade"]["deploy"]["replicas"] >= 2
    for name in ("colonnade", "sandboxes"):
        build = services[name]["build"]
        context = (COMPOSE.parent / build["context"]).resolve()
        assert (context / build["dockerfile"]).is_file(), name
    assert command(services["sandboxes"])[:2] == ["colonnade", "sandbox"]
    router = command(services["router"])
    assert services["router"]["image"].startswith("ghcr.io/graphql-hive/gateway:")
    assert router[:2] == ["supergraph", "supergraph.graphql"]
    package = json.loads((ROOT / "federation" / "package.json").read_text())
    # The router in containers is the one the tests run, with the project's gateway config.
    assert services["router"]["image"].endswith(
        ":" + package["dependencies"]["@graphql-hive/gateway"]
    )
    mounted = {v.split(":")[0] for v in services["router"]["volumes"]}
    assert {"../federation/gateway.config.mjs", "../federation/colonnade-extensions.mjs"} <= mounted
    assert "colonnade" in services["router"]["depends_on"]


def test_every_colonnade_variable_is_a_setting_that_validates(compose, monkeypatch) -> None:
    env = environment(compose["services"]["colonnade"])
    assert all(isinstance(v, str) for v in env.values()), env  # YAML's bare on/off are bools
    fields = set(Settings.model_fields)
    for key in env:
        assert key.startswith("COLONNADE_"), key
        # pydantic-settings ignores an unknown top-level variable; a nested one fails below
        assert key.removeprefix("COLONNADE_").split("__")[0].lower() in fields, key
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    settings = load_settings()
    typed = connector_settings(settings, configured(settings.connectors, discover()))
    for name, table in settings.connectors.items():
        assert name in typed, name  # a connector this installation has
        assert typed[name].base_url == table["base_url"]
    assert settings.redis_url is not None


def test_the_replicas_point_at_the_services_it_runs(compose) -> None:
    services = compose["services"]
    env = environment(services["colonnade"])
    redis = urlparse(env["COLONNADE_REDIS_URL"])
    assert redis.hostname == "redis"
    assert (redis.port or 6379) == 6379
    sandboxes = command(services["sandboxes"])
    at = f"http://sandboxes:{option(sandboxes, '--port')}"
    assert option(sandboxes, "--host") == "0.0.0.0"
    # What the sandboxes (public demo credentials) tell a facade to set, for every connector
    # whose settings are not a file on the sandboxes' own disk.
    expected = sandbox_env(sandbox_group(200, fresh=False), at)
    local = {
        key.split("__")[1]
        for key, value in expected.items()
        if value.startswith("/") and Path(value).exists()
    }
    assert local == {"VAT"}  # the stand-in WSDL (the file says so)
    wanted = {k: v for k, v in expected.items() if k.split("__")[1] not in local}
    assert {k: env.get(k) for k in wanted} == wanted
    for name in local:
        assert f"COLONNADE_CONNECTORS__{name}__BASE_URL" not in env
