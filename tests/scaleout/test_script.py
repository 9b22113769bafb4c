"""``scripts/scale-out``: N replicas behind one address, sharing one Redis, all stopped by one
Ctrl-C. Which replica answered is read from each one's own /metrics."""

from __future__ import annotations

import os
import queue
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
from scaleout_support import scrape, shared_prefix
from support import REDIS_URL, free_port

pytestmark = [pytest.mark.redis, pytest.mark.processes]

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "scale-out"
QUERY = '{ customer(id: "001000000000003AAA") { name } }'
REQUESTS = 20  # with two replicas, all on one: 1 in 2**19


def _lines(stream: object, out: queue.Queue[str]) -> None:
    for raw in iter(stream.readline, b""):  # type: ignore[attr-defined]
        out.put(raw.decode(errors="replace"))


def _until_ready(proc: subprocess.Popen[bytes], lines: queue.Queue[str], seconds: float) -> str:
    seen: list[str] = []
    until = time.monotonic() + seconds
    while time.monotonic() < until:
        try:
            line = lines.get(timeout=0.5)
        except queue.Empty:
            if proc.poll() is not None:
                break
            continue
        seen.append(line)
        if line.startswith("scale-out: ready"):
            return "".join(seen)
    raise AssertionError("scripts/scale-out did not get ready:\n" + "".join(seen))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:
        state = Path(f"/proc/{pid}/stat").read_text().split(")")[-1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"  # a zombie has exited


def _free_run(n: int) -> int:
    """The first of ``n`` consecutive free ports, below the ephemeral range: the script gives
    replica i the port base + i - 1, and in the ephemeral range base + 1 may be any outgoing
    connection's (a fresh-clone CI run lost a replica to exactly that)."""
    low = int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    for base in random.Random().sample(range(20_000, min(low, 32_000) - n), 200):
        socks: list[socket.socket] = []
        try:
            for p in range(base, base + n):
                s = socket.socket()
                socks.append(s)
                s.bind(("127.0.0.1", p))
            return base
        except OSError:
            continue
        finally:
            for s in socks:
                s.close()
    raise RuntimeError(f"no {n} consecutive free ports below {low}")


def _requests_answered(base: str) -> float:
    from prometheus_client.parser import text_string_to_metric_families

    return sum(
        s.value
        for f in text_string_to_metric_families(scrape(base))
        for s in f.samples
        if s.name == "colonnade_graphql_requests_total"
    )


def test_replicas_behind_one_address_share_redis_and_stop_together() -> None:
    with shared_prefix() as prefix:
        port, sandbox_port, own_base = free_port(), free_port(), _free_run(2)
        env = {k: v for k, v in os.environ.items() if not k.startswith("COLONNADE_")}
        env.update(
            COLONNADE_VENV=sys.prefix,  # this test's interpreter: no install
            COLONNADE_REDIS_URL=REDIS_URL,
            COLONNADE_STATE_PREFIX=prefix,
            COLONNADE_REDIS_TIMEOUT_S="2",  # patient: counts, not a loaded machine's latency
            COLONNADE_SERVER__LOG_LEVEL="warning",
            ROUTER_CMD="sleep 600",  # a stand-in router: started after the replicas, stopped
        )
        args = ["--replicas", "2", "--port", str(port), "--sandbox-port", str(sandbox_port)]
        proc = subprocess.Popen(
            [
                shutil.which("bash") or "/bin/bash",
                str(SCRIPT),
                *args,
                "--replica-port-base",
                str(own_base),
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
        )
        lines: queue.Queue[str] = queue.Queue()
        reader = threading.Thread(target=_lines, args=(proc.stdout, lines), daemon=True)
        reader.start()
        pids: list[int] = []
        try:
            printed = _until_ready(proc, lines, 120)
            pids = [int(p) for p in re.findall(r"pid (\d+)", printed)]
            assert len(pids) == 4, printed  # sandboxes, two replicas, the router
            own = re.findall(r"replica \d \(own port\): (http://\S+)", printed)
            assert own == [f"http://127.0.0.1:{own_base}", f"http://127.0.0.1:{own_base + 1}"]
            shared = f"http://127.0.0.1:{port}/graphql"
            assert f"GraphQL, any replica:  {shared}" in printed

            with httpx.Client(timeout=30, headers={"connection": "close"}) as http:
                for _ in range(REQUESTS):  # a new connection each: the kernel picks a replica
                    body = http.post(shared, json={"query": QUERY}).json()
                    assert body["data"]["customer"]["name"], body
            answered = [_requests_answered(base) for base in own]
            assert sum(answered) == REQUESTS
            assert all(n > 0 for n in answered), answered  # both replicas answered
            # One Redis behind both: the customer was read from the CRM once, then cached.
            calls = httpx.get(f"http://127.0.0.1:{sandbox_port}/__sandbox/calls").json()
            reads = {op: n for op, n in calls["crm"].items() if op != "crm.token"}
            assert sum(reads.values()) == 1, calls["crm"]
        finally:
            proc.send_signal(signal.SIGINT)  # Ctrl-C
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                for pid in pids:  # what the script started and failed to stop
                    if _alive(pid):
                        os.kill(pid, signal.SIGKILL)
                raise
            finally:
                reader.join(timeout=10)
                assert proc.stdout is not None
                proc.stdout.close()
        assert proc.returncode == 130
        rest = "".join(lines.get() for _ in range(lines.qsize()))
        assert "scale-out: stopped" in rest
        assert [pid for pid in pids if _alive(pid)] == []
        with pytest.raises(ConnectionRefusedError):
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
