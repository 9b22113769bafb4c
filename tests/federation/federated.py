"""The federated setup as real processes: Colonnade's subgraphs (federation/subgraphs/*.toml),
a whole-graph Colonnade (the "direct" answer), the loyalty subgraph (node), composition and
Hive Gateway — the same pieces scripts/federation starts, on free loopback ports."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from support import Credentials, facade_env, free_port

from colonnade.gateway.identity import generate_key

REPO = Path(__file__).resolve().parents[2]
FEDERATION = REPO / "federation"
SUBGRAPHS = FEDERATION / "subgraphs"
HIVE_GATEWAY = FEDERATION / "node_modules" / "@graphql-hive" / "gateway"


def require_node() -> str:
    """node's path; skip (node absent) or fail (node present, toolchain not installed)."""
    node = shutil.which("node")
    if node is None:
        pytest.skip("node not found: the router and the loyalty subgraph run on node >= 20")
    if not (HIVE_GATEWAY / "package.json").is_file():
        pytest.fail("federation/node_modules is missing: run scripts/federation-deps.sh")
    return node


def clean_env() -> dict[str, str]:
    """This environment without COLONNADE_* settings (a developer's shell changes no test)."""
    return {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}


def hive_gateway_version() -> str:
    return str(json.loads((HIVE_GATEWAY / "package.json").read_text())["version"])


@dataclass
class Process:
    name: str
    argv: list[str]
    env: dict[str, str]
    ready_url: str
    log: Path
    popen: subprocess.Popen[bytes] | None = None

    def start(self) -> Process:
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                self.argv, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=REPO
            )
        return self

    def tail(self) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-30:])

    def stop(self) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.terminate()
        try:
            self.popen.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=5)


def wait_ready(processes: list[Process], timeout_s: float = 120.0) -> None:
    """Until every process answers 200 at its ready URL (they start in parallel)."""
    waiting = list(processes)
    deadline = time.monotonic() + timeout_s
    while waiting:
        for process in list(waiting):
            assert process.popen is not None
            if process.popen.poll() is not None:
                raise RuntimeError(f"{process.name} exited early:\n{process.tail()}")
            try:
                if httpx.get(process.ready_url, timeout=1.0).status_code == 200:
                    waiting.remove(process)
            except httpx.HTTPError:
                pass
        if time.monotonic() > deadline:
            names = ", ".join(p.name for p in waiting)
            raise RuntimeError(f"not ready after {timeout_s}s: {names}\n{waiting[0].tail()}")
        time.sleep(0.1)


@dataclass
class Stack:
    router: str
    direct: str
    """The whole graph in one Colonnade: what a client gets without federation."""
    subgraphs: dict[str, str]
    """name → GraphQL URL, loyalty included."""
    loyalty: str
    api_key: str
    supergraph: Path
    compose_stderr: str
    http: httpx.Client = field(default_factory=lambda: httpx.Client(timeout=30.0))

    def post(
        self, url: str, query: str, variables: dict[str, Any] | None = None, key: str | None = ""
    ) -> httpx.Response:
        headers = {} if key is None else {"x-api-key": key or self.api_key}
        return self.http.post(
            url, json={"query": query, "variables": variables or {}}, headers=headers
        )

    def query(
        self, url: str, query: str, variables: dict[str, Any] | None = None, key: str | None = ""
    ) -> dict[str, Any]:
        body: dict[str, Any] = self.post(url, query, variables, key).json()
        return body

    def loyalty_calls(self) -> dict[str, int]:
        counts: dict[str, int] = self.http.get(self.loyalty + "/__loyalty/calls").json()
        return counts


def colonnade_env(sandbox_url: str, creds: Credentials, digest: str) -> dict[str, str]:
    """A Colonnade process wired to the sandboxes; anonymous off, one key with every scope;
    the short tier (orders, payments) fresh for 1 s so a test can make a stale answer; no
    breaker on the providers the tests fail (the router's subgraphs and the direct graph see
    different call sequences, and an open breaker would change the code one of them sends)."""
    env = facade_env(sandbox_url, creds)
    env.pop("COLONNADE_GATEWAY__ANONYMOUS_SCOPES", None)
    env.update(
        {
            "COLONNADE_GATEWAY__ANONYMOUS": "off",
            "COLONNADE_GATEWAY__API_KEYS": json.dumps(
                {"federation-tests": {"key_sha256": [digest], "scopes": ["*"]}}
            ),
            "COLONNADE_CONNECTORS__FX__BASE_URL": f"{sandbox_url}/fx",
            "COLONNADE_CACHE__TIERS__SHORT__TTL_S": "1",
            "COLONNADE_CACHE__TIERS__SHORT__STALE_WHILE_REVALIDATE_S": "0",
            "COLONNADE_CACHE__TIERS__SHORT__STALE_IF_ERROR_S": "120",
            "COLONNADE_CONNECTORS__PAYMENTS__BREAKER__ENABLED": "false",
            "COLONNADE_CONNECTORS__ERP__BREAKER__ENABLED": "false",
        }
    )
    return env


def compose_command(subgraphs: dict[str, str], out: Path) -> list[str]:
    argv = [sys.executable, "-m", "colonnade", "federation", "compose", "--out", str(out)]
    for name, source in subgraphs.items():
        argv += ["--subgraph", f"{name}={source}"]
    return argv


@contextmanager
def federated(sandbox_url: str, creds: Credentials, work: Path) -> Iterator[Stack]:
    """Start everything (in parallel), compose from the running subgraphs' ``_service``, start
    the router; stop everything after."""
    node = require_node()
    key, digest = generate_key()
    env = colonnade_env(sandbox_url, creds, digest)
    ports = {name: free_port() for name in ("commerce", "erp", "direct", "loyalty", "router")}
    url = {name: f"http://127.0.0.1:{port}" for name, port in ports.items()}
    colonnade = [sys.executable, "-m", "colonnade", "serve"]
    processes = [
        Process(
            name,
            [*colonnade, "--config", str(SUBGRAPHS / f"{name}.toml"), "--port", str(ports[name])],
            env,
            url[name] + "/readyz",
            work / f"{name}.log",
        )
        for name in ("commerce", "erp")
    ]
    processes.append(
        Process(
            "direct",
            [*colonnade, "--port", str(ports["direct"])],
            env,
            url["direct"] + "/readyz",
            work / "direct.log",
        )
    )
    node_env = clean_env()
    processes.append(
        Process(
            "loyalty",
            [node, str(FEDERATION / "loyalty" / "server.mjs"), "--port", str(ports["loyalty"])],
            node_env,
            url["loyalty"] + "/healthz",
            work / "loyalty.log",
        )
    )
    with ExitStack() as stack:
        for process in processes:
            stack.callback(process.stop)
            process.start()
        wait_ready(processes)
        subgraphs = {n: url[n] + "/graphql" for n in ("commerce", "erp", "loyalty")}
        composed = subprocess.run(
            compose_command(subgraphs, work / "supergraph"),
            capture_output=True,
            text=True,
            env={**node_env, "COMPOSE_SDL_HEADERS": json.dumps({"x-api-key": key})},
            timeout=120,
            check=False,
        )
        assert composed.returncode == 0, composed.stderr
        supergraph = work / "supergraph" / "supergraph.graphql"
        router = Process(
            "router",
            [
                node,
                str(HIVE_GATEWAY / "dist" / "bin.js"),
                "supergraph",
                str(supergraph),
                "-c",
                str(FEDERATION / "gateway.config.mjs"),
                "--host",
                "127.0.0.1",
                "--port",
                str(ports["router"]),
            ],
            node_env,
            url["router"] + "/healthcheck",
            work / "router.log",
        )
        stack.callback(router.stop)
        router.start()
        wait_ready([router])
        result = Stack(
            router=url["router"] + "/graphql",
            direct=url["direct"] + "/graphql",
            subgraphs=subgraphs,
            loyalty=url["loyalty"],
            api_key=key,
            supergraph=supergraph,
            compose_stderr=composed.stderr,
        )
        stack.callback(result.http.close)
        yield result
