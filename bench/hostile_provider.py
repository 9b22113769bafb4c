"""What one hostile provider costs everyone else: peak RSS and the longest event-loop stall.

The sandboxes run in their own process (so they share no GIL with the facade); the facade
runs in this process, in-process ASGI as the tests do, so a ticker task on its event loop can
measure how long the loop was blocked. One ERP reply is hostile (``--kind huge_body``: about
``--mb`` MB of well-formed sales orders, streamed by the sandbox without building them;
``huge_text``: one text node that size; ``many_attributes``: ``--attributes`` attributes on
one element). While it is in flight, CRM queries (another connector) run back to back.

    python bench/hostile_provider.py                      # 200 MB of orders, default cap
    python bench/hostile_provider.py --kind many_attributes --attributes 100000

Prints one JSON object: peak RSS of this process (VmHWM) before and during, the longest
loop stall, how long the hostile query took and what it answered, and how many CRM queries
completed meanwhile (and the slowest of them).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import logging
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx
import structlog

sys.path.insert(0, str(Path(__file__).resolve().parent))
from procs import SANDBOX_CREDENTIALS, free_port, sandbox
from upstream import SandboxControl

from colonnade.app import create_app
from colonnade.config import Settings
from colonnade.runtime import Runtime

ORDERS = '{ customer(id: "001000000000002AAA") { salesOrders { number } } }'
TICK_S = 0.005


def customer(n: int) -> str:
    return f'{{ customer(id: "001{n:012d}AAA") {{ name }} }}'


def vm_kb(key: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    return 0


def settings(sandbox_url: str, cap: int | None) -> Settings:
    c = SANDBOX_CREDENTIALS
    erp: dict[str, Any] = {
        "base_url": f"{sandbox_url}/erp",
        "username": c["erp_user"],
        "password": c["erp_password"],
    }
    if cap is not None:
        erp["max_response_bytes"] = cap
    return Settings(
        sandbox={"embedded": "off"},
        cache={"enabled": False},
        server={"log_level": "warning"},
        connectors={
            "crm": {
                "base_url": f"{sandbox_url}/crm",
                "client_id": c["crm_client_id"],
                "client_secret": c["crm_client_secret"],
            },
            "payments": {"base_url": f"{sandbox_url}/payments", "api_key": c["payments_api_key"]},
            "erp": erp,
        },
    )


async def measure(args: argparse.Namespace, sandbox_url: str) -> dict[str, Any]:
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    s = settings(sandbox_url, args.cap)
    app = create_app(s, runtime=Runtime.create(s))
    client = httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url="http://facade", timeout=600
    )
    control = SandboxControl(sandbox_url)

    async def query(q: str) -> dict[str, Any]:
        body: dict[str, Any] = (await client.post("/graphql", json={"query": q})).json()
        return body

    try:
        await query(ORDERS)
        await query(customer(1))  # token, connections, WSDL all warm
        fault: dict[str, Any] = {"provider": "erp", "kind": args.kind, "times": 1}
        fault["size"] = args.attributes if args.kind == "many_attributes" else args.mb * 10**6
        await control.add_fault(**fault)
        rss_before_kb = vm_kb("VmHWM")

        stall = 0.0
        done = asyncio.Event()

        async def ticker() -> None:
            nonlocal stall
            while not done.is_set():
                t = time.perf_counter()
                await asyncio.sleep(TICK_S)
                stall = max(stall, time.perf_counter() - t - TICK_S)

        others: list[float] = []
        failed: list[str] = []

        async def other_connector() -> None:
            n = 1
            while not done.is_set():
                t = time.perf_counter()
                body = await query(customer(n % 200 + 1))
                if "errors" in body:
                    failed.append(body["errors"][0].get("extensions", {}).get("code", "?"))
                else:
                    others.append(time.perf_counter() - t)
                n += 1

        # The same traffic for a second without the hostile reply: the stall a loop has anyway.
        tick, crm = asyncio.create_task(ticker()), asyncio.create_task(other_connector())
        await asyncio.sleep(1.0)
        done.set()
        await asyncio.gather(tick, crm)
        baseline_stall, stall, quiet = stall, 0.0, len(others)
        others.clear()
        failed.clear()
        done.clear()
        tick, crm = asyncio.create_task(ticker()), asyncio.create_task(other_connector())
        t0 = time.perf_counter()
        hostile = await query(ORDERS)
        elapsed = time.perf_counter() - t0
        done.set()
        await asyncio.gather(tick, crm)
        errors = hostile.get("errors") or [{}]
        return {
            "kind": args.kind,
            "size": fault["size"],
            "cap_bytes": args.cap if args.cap is not None else "default",
            "peak_rss_mb_before": round(rss_before_kb / 1024, 1),
            "peak_rss_mb": round(vm_kb("VmHWM") / 1024, 1),
            "longest_loop_stall_s": round(stall, 3),
            "longest_loop_stall_s_without_hostile_reply": round(baseline_stall, 3),
            "other_connector_queries_per_s_without_hostile_reply": quiet,
            "hostile_query_s": round(elapsed, 2),
            "hostile_answer": errors[0].get("extensions", {}).get("code", "data"),
            "other_connector_queries_completed": len(others),
            "other_connector_slowest_s": round(max(others, default=0.0), 3),
            "other_connector_errors": sorted(set(failed)),
        }
    finally:
        await control.aclose()
        await client.aclose()
        with contextlib.suppress(Exception):
            await app.state.services.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--kind", default="huge_body", choices=["huge_body", "huge_text", "many_attributes"]
    )
    parser.add_argument("--mb", type=int, default=200, help="hostile body size (huge_*)")
    parser.add_argument("--attributes", type=int, default=100_000)
    parser.add_argument("--cap", type=int, default=None, help="erp max_response_bytes")
    args = parser.parse_args()
    port = free_port()
    log_dir = Path(tempfile.mkdtemp(prefix="colonnade-bench-hostile-"))
    service = sandbox(port, 0.0, 200, log_dir).start()
    try:
        service.wait_ready()
        result = asyncio.run(measure(args, service.base_url))
    finally:
        service.stop()
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
