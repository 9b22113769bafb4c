"""The embedded demo: anonymous reads, and a development key printed at start for the rest."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import httpx
from gateway_support import CREATE_PAYMENT, PAYMENT_INPUT
from support import free_port


def test_the_demo_prints_a_development_key_that_may_write() -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
    env["COLONNADE_SERVER__LOG_LEVEL"] = "warning"
    proc = subprocess.Popen(
        [sys.executable, "-m", "colonnade", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        key = None
        assert proc.stderr is not None
        for line in proc.stderr:
            if "development API key" in line:
                key = line.rsplit(" ", 1)[1].strip()
            if "GraphQL at" in line:
                break
        assert key is not None
        assert key.startswith("col_")
        base = f"http://127.0.0.1:{port}"
        for _ in range(200):
            try:
                httpx.get(f"{base}/healthz", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.05)
        payload = {"query": CREATE_PAYMENT, "variables": {"input": PAYMENT_INPUT}}
        read = httpx.post(
            f"{base}/graphql", json={"query": "{ customers(first: 1) { edges { node { name } } } }"}
        )
        assert "errors" not in read.json()
        anonymous = httpx.post(f"{base}/graphql", json=payload, timeout=30).json()
        assert anonymous["errors"][0]["extensions"]["code"] == "FORBIDDEN"
        keyed = httpx.post(f"{base}/graphql", json=payload, headers={"x-api-key": key}, timeout=30)
        assert keyed.json()["data"]["createPayment"]["status"], keyed.text
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        if proc.stderr is not None:
            proc.stderr.close()
