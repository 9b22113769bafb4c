"""Child processes under test (sandboxes, facades, baselines) and their resource use.

Each system runs in its own process so it does not share the GIL with the load generator or
with the providers. CPU time is read from ``/proc/<pid>/stat`` (utime + stime, all threads) and
peak RSS from ``VmHWM`` in ``/proc/<pid>/status``; writing ``5`` to ``/proc/<pid>/clear_refs``
resets that peak so each workload gets its own (Linux ≥ 4.0; when the reset is refused the
peak is since process start, and the report says so).
"""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx

_CLK_TCK = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Service:
    """A started child process listening on 127.0.0.1:``port``."""

    name: str
    argv: list[str]
    port: int
    env: dict[str, str] = field(default_factory=dict)
    ready_path: str = "/healthz"
    log_dir: Path = Path(".")
    process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.log_dir / f"{self.name}.log"

    @property
    def pid(self) -> int:
        assert self.process is not None, f"{self.name} is not started"
        return self.process.pid

    def start(self) -> Service:
        env = {**os.environ, **self.env}
        log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            self.argv, env=env, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL
        )
        log.close()
        return self

    def wait_ready(self, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        url = self.base_url + self.ready_path
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                raise RuntimeError(f"{self.name} exited early:\n{self.tail()}")
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"{self.name} not ready after {timeout}s:\n{self.tail()}")

    def tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    # ------------------------------------------------------------------ resources
    def cpu_seconds(self) -> float:
        """User + system CPU time of the whole process (all threads) so far."""
        fields = Path(f"/proc/{self.pid}/stat").read_text().rpartition(")")[2].split()
        # After the ")" that closes comm: state is index 0, so utime/stime are 11 and 12.
        return (int(fields[11]) + int(fields[12])) / _CLK_TCK

    def reset_peak_rss(self) -> bool:
        try:
            Path(f"/proc/{self.pid}/clear_refs").write_text("5")
        except OSError:
            return False
        return True

    def peak_rss_mb(self) -> float:
        return self._status_kb("VmHWM") / 1024

    def rss_mb(self) -> float:
        return self._status_kb("VmRSS") / 1024

    def _status_kb(self, key: str) -> float:
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return float(line.split()[1])
        return float("nan")


@dataclass
class Usage:
    """CPU and memory of one process over one workload."""

    service: Service
    cpu_start: float = 0.0
    cpu_end: float = 0.0
    peak_rss_mb: float = 0.0
    peak_reset: bool = False

    def __enter__(self) -> Usage:
        self.peak_reset = self.service.reset_peak_rss()
        self.cpu_start = self.service.cpu_seconds()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu_end = self.service.cpu_seconds()
        self.peak_rss_mb = self.service.peak_rss_mb()

    @property
    def cpu_s(self) -> float:
        return self.cpu_end - self.cpu_start


def python_module(module: str, *args: str) -> list[str]:
    return [sys.executable, "-m", module, *args]


def sandbox(port: int, latency_ms: float, customers: int, log_dir: Path) -> Service:
    argv = python_module(
        "colonnade.cli",
        "sandbox",
        "--host", "127.0.0.1",
        "--port", str(port),
        "--latency-ms", str(latency_ms),
        "--customers", str(customers),
    )  # fmt: skip
    return Service("sandbox", argv, port, ready_path="/__sandbox/calls", log_dir=log_dir)


# The sandbox's default credentials (sandboxes/crm.py, payments.py, erp.py): public demo values.
SANDBOX_CREDENTIALS = {
    "crm_client_id": "colonnade-demo",
    "crm_client_secret": "demo-secret",
    "payments_api_key": "sk_test_colonnade_demo",
    "erp_user": "COLONNADE",
    "erp_password": "demo-password",
}


def facade(
    name: str,
    port: int,
    sandbox_url: str,
    *,
    cache: bool,
    log_dir: Path,
    fixes: tuple[str, ...] = (),
    **extra_env: str,
) -> Service:
    """``colonnade serve``; with ``fixes`` (flags of whatif.py) it starts through whatif.py."""
    c = SANDBOX_CREDENTIALS
    env = {
        "COLONNADE_SANDBOX__EMBEDDED": "off",
        "COLONNADE_GATEWAY__ANONYMOUS": "on",  # the benchmark measures the graph, not keys
        "COLONNADE_GATEWAY__ANONYMOUS_SCOPES": '["*"]',
        "COLONNADE_CONNECTORS__CRM__BASE_URL": f"{sandbox_url}/crm",
        "COLONNADE_CONNECTORS__CRM__CLIENT_ID": c["crm_client_id"],
        "COLONNADE_CONNECTORS__CRM__CLIENT_SECRET": c["crm_client_secret"],
        "COLONNADE_CONNECTORS__PAYMENTS__BASE_URL": f"{sandbox_url}/payments",
        "COLONNADE_CONNECTORS__PAYMENTS__API_KEY": c["payments_api_key"],
        "COLONNADE_CONNECTORS__ERP__BASE_URL": f"{sandbox_url}/erp",
        "COLONNADE_CONNECTORS__ERP__USERNAME": c["erp_user"],
        "COLONNADE_CONNECTORS__ERP__PASSWORD": c["erp_password"],
        "COLONNADE_SERVER__LOG_LEVEL": "warning",
        "COLONNADE_CACHE__ENABLED": "true" if cache else "false",
        **extra_env,
    }
    serve = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    if fixes:
        whatif = Path(__file__).resolve().parent / "whatif.py"
        argv = [sys.executable, str(whatif), *(f"--{f}" for f in fixes), "--", *serve]
    else:
        argv = python_module("colonnade.cli", *serve)
    return Service(name, argv, port, env=env, log_dir=log_dir)


def baseline(name: str, port: int, sandbox_url: str, *, cache: bool, log_dir: Path) -> Service:
    script = Path(__file__).resolve().parent / "baseline.py"
    argv = [sys.executable, str(script), "--port", str(port), "--sandbox", sandbox_url]
    if not cache:
        argv.append("--no-cache")
    c = SANDBOX_CREDENTIALS
    env = {f"BASELINE_{k.upper()}": v for k, v in c.items()}
    return Service(name, argv, port, env=env, log_dir=log_dir)


@contextlib.contextmanager
def running(services: list[Service]) -> Iterator[list[Service]]:
    """Start all, wait until each answers, stop all on the way out."""
    try:
        for s in services:
            s.start()
        for s in services:
            s.wait_ready()
        yield services
    finally:
        for s in reversed(services):
            s.stop()
