"""The command line as users script it, and the embedded demo a fresh machine starts."""

from __future__ import annotations

import os
import subprocess
import sys

import httpx
from support import NESTED_QUERY, served_facade

from colonnade.cli import main


def run(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
    return subprocess.run(
        [sys.executable, "-m", "colonnade", *args],
        capture_output=True,
        text=True,
        env={**clean, **(env or {})},
        timeout=120,
        check=False,
    )


def test_schema_prints_the_sdl(capsys) -> None:
    assert main(["schema"]) == 0
    sdl = capsys.readouterr().out
    assert "type Query {" in sdl
    assert "createPayment(input: CreatePaymentInput!): Payment @cost" in sdl  # nullable


def test_a_bad_config_exits_2_with_a_message_and_no_traceback(tmp_path) -> None:
    bad = tmp_path / "colonnade.toml"
    bad.write_text("[server]\nport = -1\n")
    result = run("serve", "--config", str(bad))
    assert result.returncode == 2
    assert "server.port = -1" in result.stderr
    assert "Traceback" not in result.stderr


def test_check_validates_and_loads_everything() -> None:
    result = run("check")
    assert result.returncode == 0, result.stderr
    assert "configuration is valid" in result.stdout


def test_invalidate_needs_redis() -> None:
    result = run("invalidate", "--tag", "erp:customer:0000100002")
    assert result.returncode == 1
    assert "COLONNADE_REDIS_URL" in result.stderr


def test_serve_with_no_config_runs_the_embedded_demo() -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
    env["COLONNADE_SERVER__LOG_LEVEL"] = "warning"
    with served_facade(env) as base:
        response = httpx.post(
            f"{base}/graphql", json={"query": NESTED_QUERY, "variables": {"first": 5}}, timeout=30
        )
        body = response.json()
        assert "errors" not in body, body
        assert len(body["data"]["customers"]["edges"]) == 5
        assert httpx.get(f"{base}/graphql", headers={"accept": "text/html"}).status_code == 200
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
