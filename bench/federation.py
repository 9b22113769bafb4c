"""What the router hop costs: the nested query direct to Colonnade vs through Hive Gateway.

    python bench/federation.py        # ~3 min on 2 cores → bench/results/federation.{json,md}
    python bench/federation.py --requests 5 --seconds 1 --first 20 --out /tmp/b   # smoke

One Colonnade (the whole graph, `colonnade serve`) over the sandbox providers (fixed 20 ms a
call, 200 customers), composed as the only subgraph of a supergraph and served by Hive Gateway
(federation/, the same config as scripts/federation). The same query — 100 customers with their
orders and payments, 5,038 fields — is sent to Colonnade itself and to the router, in the same
run, interleaved (direct, router, direct, …) so drift on the shared cores hits both alike:

- **sequential**: one request at a time, alternating, `--requests` each: latency p50/p90;
- **throughput**: `--workers` closed-loop senders for `--seconds`, direct then router, twice
  (rounds alternate): answers per second. No two requests in flight are identical (see
  ``throughput``: the router would otherwise share one subgraph answer between them).

Each with Colonnade's cache on (warm: the hop is a large share) and off (cold: 102 upstream
calls a query, the hop is a small share). The ratio is router ÷ direct (> 1: the hop costs).
Loopback only; every phase is bounded by count and time.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
sys.path.insert(0, str(HERE))

import procs  # noqa: E402
import queries  # noqa: E402
from loadgen import Client, Sample, _one, summarize  # noqa: E402

FEDERATION = REPO / "federation"
HIVE_GATEWAY = FEDERATION / "node_modules" / "@graphql-hive" / "gateway"
LATENCY_MS = 20.0
CUSTOMERS = 200
VARIANTS = 10
MAX_REQUESTS = 2_000


def log(message: str) -> None:
    sys.stderr.write(f"[federation bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def router(port: int, supergraph: Path, log_dir: Path) -> procs.Service:
    node = shutil.which("node")
    if node is None or not HIVE_GATEWAY.is_dir():
        raise SystemExit("needs node and federation/node_modules (bash scripts/federation-deps.sh)")
    argv = [
        node, str(HIVE_GATEWAY / "dist" / "bin.js"), "supergraph", str(supergraph),
        "-c", str(FEDERATION / "gateway.config.mjs"), "--host", "127.0.0.1", "--port", str(port),
    ]  # fmt: skip
    return procs.Service("router", argv, port, ready_path="/healthcheck", log_dir=log_dir)


def compose(subgraph_url: str, out: Path) -> Path:
    argv = [sys.executable, "-m", "colonnade", "federation", "compose"]
    argv += ["--subgraph", f"colonnade={subgraph_url}", "--out", str(out)]
    subprocess.run(argv, check=True, timeout=120, capture_output=True)
    return out / "supergraph.graphql"


async def sequential(
    clients: dict[str, Client], requests: int, first: int
) -> dict[str, list[Sample]]:
    request = queries.nested("colonnade", first)
    samples: dict[str, list[Sample]] = {name: [] for name in clients}
    loop = asyncio.get_running_loop()
    for _ in range(requests):
        for name, client in clients.items():
            samples[name].append(await _one(client, request, loop.time(), 60.0))
    return samples


async def throughput(
    clients: dict[str, Client], workers: int, seconds: float, rounds: int, first: int
) -> dict[str, dict[str, Any]]:
    """Closed loop; consecutive requests ask for different page sizes (``first`` down to
    ``first - VARIANTS + 1``) so no two in flight are identical: Hive Gateway's HTTP executor
    deduplicates identical in-flight subgraph requests, which would count one upstream answer
    for several clients and flatter the router."""
    variants = [queries.nested("colonnade", first - i) for i in range(VARIANTS)]
    runs: dict[str, list[tuple[list[Sample], float]]] = {name: [] for name in clients}
    for _ in range(rounds):
        for name, client in clients.items():
            runs[name].append(await _closed_loop(client, variants, workers, seconds))
    return {
        name: summarize([s for samples, _ in done for s in samples], sum(d for _, d in done))
        for name, done in runs.items()
    }


async def _closed_loop(
    client: Client, variants: list[Any], workers: int, seconds: float
) -> tuple[list[Sample], float]:
    loop = asyncio.get_running_loop()
    samples: list[Sample] = []
    sent = [0]
    start = loop.time()
    stop = start + seconds

    async def worker() -> None:
        while loop.time() < stop and sent[0] < MAX_REQUESTS:
            request = variants[sent[0] % len(variants)]
            sent[0] += 1
            samples.append(await _one(client, request, loop.time(), 60.0))

    await asyncio.gather(*(worker() for _ in range(workers)))
    return samples, max(loop.time() - start, 1e-9)


def ratio(router_value: float | None, direct_value: float | None) -> float | None:
    if not router_value or not direct_value:
        return None
    return round(router_value / direct_value, 3)


async def measure(
    urls: dict[str, tuple[str, int]], args: argparse.Namespace, warm: bool
) -> dict[str, Any]:
    clients = {name: Client(host, port) for name, (host, port) in urls.items()}
    try:
        request = queries.nested("colonnade", args.first)
        for name, client in clients.items():  # equal answers, and warm caches if on
            status, body = await client.send(request, 60.0)
            if status != 200 or b'"errors"' in body:
                raise SystemExit(f"{name} did not answer the nested query: {body[:300]!r}")
        seq = await sequential(clients, args.requests, args.first)
        tput = await throughput(clients, args.workers, args.seconds, 2, args.first)
    finally:
        for client in clients.values():
            await client.aclose()
    seq_summary = {name: summarize(s, 1.0) for name, s in seq.items()}
    for summary in seq_summary.values():
        summary.pop("throughput_rps", None)
    return {
        "cache": "on (warm)" if warm else "off (cold)",
        "sequential": seq_summary,
        "throughput": tput,
        "ratio": {
            "p50": ratio(seq_summary["router"]["p50_ms"], seq_summary["direct"]["p50_ms"]),
            "p90": ratio(seq_summary["router"]["p90_ms"], seq_summary["direct"]["p90_ms"]),
            "throughput": ratio(tput["router"]["throughput_rps"], tput["direct"]["throughput_rps"]),
        },
        "added_p50_ms": round(seq_summary["router"]["p50_ms"] - seq_summary["direct"]["p50_ms"], 2),
    }


def report(result: dict[str, Any]) -> str:
    lines = [
        "# Federation: the router hop on the nested query",
        "",
        f"{result['when']} · commit `{result['commit']}` · {result['machine']} · "
        f"Hive Gateway {result['hive_gateway']} · node {result['node']} · load average at the "
        f"end {' / '.join(map(str, result['load_average']))} (1/5/15 min)",
        "",
        f"`python bench/federation.py {' '.join(result['argv'])}` — {result['first']} customers "
        f"with orders and payments; sandbox providers at {LATENCY_MS:.0f} ms a call; "
        "interleaved, same run. Ratio = router ÷ direct.",
        "",
        "| cache | direct p50 | router p50 | p50 ratio | added p50 "
        "| direct req/s | router req/s | throughput ratio |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for phase in result["phases"]:
        s, t, r = phase["sequential"], phase["throughput"], phase["ratio"]
        lines.append(
            f"| {phase['cache']} | {s['direct']['p50_ms']} ms | {s['router']['p50_ms']} ms | "
            f"{r['p50']}× | {phase['added_p50_ms']} ms | {t['direct']['throughput_rps']} | "
            f"{t['router']['throughput_rps']} | {r['throughput']}× |"
        )
    lines += [
        "",
        f"Sequential: {result['requests']} requests per system, one at a time, alternating. "
        f"Throughput: {result['workers']} closed-loop workers, {result['seconds']} s per system "
        "per round, two rounds alternating. Everything shares 2 cores (router, Colonnade, "
        "sandboxes, load generator).",
        "",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=40, help="sequential requests per system")
    parser.add_argument("--seconds", type=float, default=4.0, help="per throughput phase")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--first", type=int, default=100)
    parser.add_argument("--out", type=Path, default=HERE / "results")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="colonnade-fed-bench-") as tmp:
        work = Path(tmp)
        sandbox_port, direct_ports, router_ports = procs.free_port(), {}, {}
        sandbox = procs.sandbox(sandbox_port, LATENCY_MS, CUSTOMERS, work)
        phases = []
        with procs.running([sandbox]):
            for warm in (True, False):
                direct_ports[warm], router_ports[warm] = procs.free_port(), procs.free_port()
                name = "cache-on" if warm else "cache-off"
                facade = procs.facade(
                    f"colonnade-{name}", direct_ports[warm], sandbox.base_url, cache=warm,
                    log_dir=work,
                )  # fmt: skip
                with procs.running([facade]):
                    supergraph = compose(f"{facade.base_url}/graphql", work / name)
                    with procs.running([router(router_ports[warm], supergraph, work)]):
                        log(f"measuring with the cache {'on' if warm else 'off'}")
                        urls = {
                            "direct": ("127.0.0.1", direct_ports[warm]),
                            "router": ("127.0.0.1", router_ports[warm]),
                        }
                        phases.append(asyncio.run(measure(urls, args, warm)))
    node = subprocess.run(["node", "--version"], capture_output=True, text=True, check=False)
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=REPO,
        check=False,
    )
    result = {
        "when": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit.stdout.strip(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "hive_gateway": json.loads((HIVE_GATEWAY / "package.json").read_text())["version"],
        "node": node.stdout.strip(),
        "argv": sys.argv[1:],
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "first": args.first,
        "requests": args.requests,
        "workers": args.workers,
        "seconds": args.seconds,
        "phases": phases,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "federation.json").write_text(json.dumps(result, indent=2) + "\n")
    text = report(result)
    (args.out / "federation.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
