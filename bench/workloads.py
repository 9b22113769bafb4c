"""The five workloads, each run against Colonnade and against the baseline.

A *phase* is one load pattern against one process; it yields one row: throughput, latency
percentiles (from the scheduled send time), upstream calls per query (the sandbox's own
counts), CPU seconds per 1,000 requests and peak RSS of the process under test, plus the
sandbox's CPU and the load generator's own CPU as sanity checks.
"""

from __future__ import annotations

import asyncio
import resource
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import loadgen
import queries
from loadgen import Client, Request, Run
from procs import Service, Usage
from upstream import SandboxControl, by_provider, diff

SYSTEMS = ("colonnade", "baseline")
SETTLE_S = 1.0


@dataclass(frozen=True)
class Plan:
    """Durations and rates; ``quick`` shrinks everything for a smoke run."""

    quick: bool
    hot_max_s: float
    hot_workers: int
    hot_rate_s: float
    hot_fractions: tuple[float, ...]
    nested_sequential: int
    nested_rates: tuple[float, ...]
    nested_rate_s: float
    nested_max_s: float
    nested_workers: int
    degraded_s: float
    degraded_touching_rps: float
    degraded_other_rps: float
    slow_s: float
    herd_size: int
    herd_rounds: int

    @classmethod
    def full(cls) -> Plan:
        return cls(
            quick=False,
            hot_max_s=8,
            hot_workers=16,
            hot_rate_s=8,
            hot_fractions=(0.25, 0.5, 0.8),
            nested_sequential=5,
            nested_rates=(1.0, 2.5),
            nested_rate_s=12,
            nested_max_s=10,
            nested_workers=4,
            degraded_s=10,
            degraded_touching_rps=4,
            degraded_other_rps=16,
            slow_s=2.0,
            herd_size=200,
            herd_rounds=3,
        )

    @classmethod
    def smoke(cls) -> Plan:
        return cls(
            quick=True,
            hot_max_s=2,
            hot_workers=16,
            hot_rate_s=3,
            hot_fractions=(0.5,),
            nested_sequential=3,
            nested_rates=(2.0,),
            nested_rate_s=4,
            nested_max_s=0,
            nested_workers=4,
            degraded_s=3,
            degraded_touching_rps=4,
            degraded_other_rps=16,
            slow_s=2.0,
            herd_size=200,
            herd_rounds=1,
        )


@dataclass
class Env:
    sandbox: Service
    ctl: SandboxControl
    cached: dict[str, Service]
    """system -> its process with the response cache on"""
    uncached: dict[str, Service]


LoadFn = Callable[[Client], Awaitable[Run]]


def _cpu_self() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


async def phase(
    env: Env, system: str, service: Service, load_fn: LoadFn, **info: Any
) -> dict[str, Any]:
    """Run one load pattern against one process; measure everything around it."""
    await asyncio.sleep(SETTLE_S)  # let the previous phase's background work drain
    client = Client("127.0.0.1", service.port)
    before = await env.ctl.calls()
    lg_cpu, lg_wall = _cpu_self(), time.monotonic()
    with Usage(service) as usage, Usage(env.sandbox) as sandbox_usage:
        run = await load_fn(client)
    lg_cpu, lg_wall = _cpu_self() - lg_cpu, time.monotonic() - lg_wall
    after = await env.ctl.calls()
    await client.aclose()
    calls = diff(before, after)
    n = len(run.samples)
    row: dict[str, Any] = {
        "system": system,
        "process": service.name,
        "mode": run.mode,
        "offered_rps": run.offered_rps,
        **info,
        **loadgen.summarize(run.samples, run.duration),
        "upstream_calls": calls,
        "upstream_calls_per_query": round(sum(calls.values()) / n, 3) if n else None,
        "cpu_s": round(usage.cpu_s, 3),
        "cpu_s_per_1k": round(usage.cpu_s / n * 1000, 2) if n else None,
        "peak_rss_mb": round(usage.peak_rss_mb, 1),
        "peak_rss_scope": "workload" if usage.peak_reset else "process lifetime",
        "sandbox_cpu_s": round(sandbox_usage.cpu_s, 3),
        "loadgen_cpu_pct": round(100 * lg_cpu / lg_wall, 1) if lg_wall > 0 else None,
        **run.extra,
    }
    labels = sorted({s.label for s in run.samples})
    if len(labels) > 1:
        row["by_label"] = {}
        for label in labels:
            mine = [s for s in run.samples if s.label == label]
            # Throughput of one label over its own window (a slow label's tail must not
            # dilute the other's rate).
            window = max(s.done for s in mine) - run.started
            row["by_label"][label] = loadgen.summarize(mine, window)
        row["upstream_calls_by_provider"] = by_provider(calls)
    return row


def _open(
    schedule: list[tuple[float, Request]], rate: float | None, time_limit: float = 30.0
) -> LoadFn:
    async def load(client: Client) -> Run:
        return await loadgen.open_loop(client, schedule, offered_rps=rate, time_limit=time_limit)

    return load


def _closed(
    request: Request, workers: int, duration: float, max_requests: int | None = None
) -> LoadFn:
    async def load(client: Client) -> Run:
        return await loadgen.closed_loop(
            client, request, workers=workers, duration=duration, max_requests=max_requests
        )

    return load


async def warm(service: Service, requests: list[Request], times: int = 2) -> None:
    """First requests pay for lazy imports and connection set-up; not measured."""
    client = Client("127.0.0.1", service.port)
    for _ in range(times):
        for request in requests:
            await client.send(request, time_limit=60)
    await client.aclose()


def nice_rate(x: float) -> float:
    if x >= 100:
        return float(round(x / 10) * 10)
    if x >= 10:
        return float(round(x / 5) * 5)
    return max(0.5, round(x * 2) / 2)


# --------------------------------------------------------------------------- 1. hot
async def hot(env: Env, plan: Plan, log: Callable[[str], None]) -> dict[str, Any]:
    """A cached query (a customer by id with its orders): max throughput, then fixed rates."""
    rows: list[dict[str, Any]] = []
    requests = {s: queries.customer_orders(s, queries.HOT_CUSTOMER, "hot") for s in SYSTEMS}
    for system in SYSTEMS:
        await warm(env.cached[system], [requests[system]], times=3)
    for system in SYSTEMS:
        log(f"hot: {system} max throughput ({plan.hot_workers} closed-loop workers)")
        rows.append(
            await phase(
                env,
                system,
                env.cached[system],
                _closed(requests[system], plan.hot_workers, plan.hot_max_s),
                load="max",
            )
        )
    colonnade_max = rows[0]["throughput_rps"] or 1.0
    rates = sorted({nice_rate(f * colonnade_max) for f in plan.hot_fractions})
    for rate in rates:
        for system in SYSTEMS:
            log(f"hot: {system} at {rate:g} req/s (open loop)")
            schedule = loadgen.fixed_rate([requests[system]], rate, plan.hot_rate_s)
            rows.append(
                await phase(
                    env, system, env.cached[system], _open(schedule, rate), load=f"{rate:g}/s"
                )
            )
    return {
        "description": "customer(id) { salesOrders { items } } with the response cache on "
        "(customer 41: 5 orders, 14 items); closed-loop max, then open-loop fixed rates at "
        f"{', '.join(f'{f:.0%}' for f in plan.hot_fractions)} of Colonnade's max",
        "rows": rows,
    }


# --------------------------------------------------------------------------- 2. nested cold
async def nested(env: Env, plan: Plan, log: Callable[[str], None]) -> dict[str, Any]:
    """customers(first: 100) × salesOrders × payments with the cache off."""
    rows: list[dict[str, Any]] = []
    requests = {s: queries.nested(s) for s in SYSTEMS}
    for system in SYSTEMS:
        await warm(env.uncached[system], [requests[system]], times=1)
    for system in SYSTEMS:
        log(f"nested: {system} sequential x{plan.nested_sequential}")
        rows.append(
            await phase(
                env,
                system,
                env.uncached[system],
                _closed(requests[system], 1, 120, plan.nested_sequential),
                load="sequential",
            )
        )
    for rate in plan.nested_rates:
        for system in SYSTEMS:
            log(f"nested: {system} at {rate:g} req/s (open loop)")
            schedule = loadgen.fixed_rate([requests[system]], rate, plan.nested_rate_s)
            rows.append(
                await phase(
                    env, system, env.uncached[system], _open(schedule, rate), load=f"{rate:g}/s"
                )
            )
    if plan.nested_max_s > 0:
        for system in SYSTEMS:
            log(f"nested: {system} max throughput ({plan.nested_workers} workers)")
            rows.append(
                await phase(
                    env,
                    system,
                    env.uncached[system],
                    _closed(requests[system], plan.nested_workers, plan.nested_max_s),
                    load="max",
                )
            )
    sequential = rows[0]["upstream_calls"]
    minimal = {
        "crm.query": 1,
        "erp.ZSD_SALESORDER_GETLIST": 1,
        "payments.list_payment_intents": 100,
    }
    per_query = {op: n / plan.nested_sequential for op, n in sequential.items()}
    return {
        "description": "customers(first: 100) { salesOrders { items } payments } with the cache "
        "off: one at a time (exact calls per query), then open-loop fixed rates, then max",
        "rows": rows,
        "minimal_calls_per_query": minimal,
        "colonnade_calls_per_query": per_query,
        "minimal": per_query == {op: float(n) for op, n in minimal.items()},
    }


# --------------------------------------------------------------------------- 3. degraded
async def degraded(env: Env, plan: Plan, log: Callable[[str], None]) -> dict[str, Any]:
    """The ERP slowed to 2 s, then failing (503), under a mixed load, cache off."""
    rows: list[dict[str, Any]] = []
    ids = [queries.crm_id(i) for i in range(1, 201)]
    faults: dict[str, dict[str, Any] | None] = {
        "healthy": None,
        "erp_slow": {"provider": "erp", "kind": "latency", "latency_s": plan.slow_s, "match": "*"},
        "erp_failing": {"provider": "erp", "kind": "status", "status": 503, "match": "*"},
    }
    for system in SYSTEMS:
        touching = [queries.customer_orders(system, i, "touches_erp") for i in ids]
        other = [queries.customer_payments(system, i, "avoids_erp") for i in reversed(ids)]
        schedule = loadgen.merge(
            loadgen.fixed_rate(touching, plan.degraded_touching_rps, plan.degraded_s),
            loadgen.fixed_rate(other, plan.degraded_other_rps, plan.degraded_s),
        )
        rate = plan.degraded_touching_rps + plan.degraded_other_rps
        await warm(env.uncached[system], [touching[0], other[0]], times=1)
        for name, fault in faults.items():
            log(f"degraded: {system} {name}")
            await env.ctl.clear_faults()
            if fault is not None:
                await env.ctl.add_fault(**fault)
            try:
                row = await phase(
                    env, system, env.uncached[system], _open(schedule, rate), load=name, fault=fault
                )
            finally:
                await env.ctl.clear_faults()
            labels = row.get("by_label", {})
            per_provider = row.get("upstream_calls_by_provider", {})
            n_touch = labels.get("touches_erp", {}).get("requests", 0)
            row["erp_calls_per_erp_query"] = (
                round(per_provider.get("erp", 0) / n_touch, 3) if n_touch else None
            )
            rows.append(row)
    ratios: dict[str, Any] = {}
    for system in SYSTEMS:
        mine = {r["load"]: r["by_label"] for r in rows if r["system"] == system}
        base = mine["healthy"]["avoids_erp"]
        ratios[system] = {
            name: {
                "avoids_erp_p50": _ratio(mine[name]["avoids_erp"]["p50_ms"], base["p50_ms"]),
                "avoids_erp_p90": _ratio(mine[name]["avoids_erp"]["p90_ms"], base["p90_ms"]),
                "avoids_erp_p99": _ratio(mine[name]["avoids_erp"]["p99_ms"], base["p99_ms"]),
                "touches_erp_p50": _ratio(
                    mine[name]["touches_erp"]["p50_ms"], mine["healthy"]["touches_erp"]["p50_ms"]
                ),
            }
            for name in ("erp_slow", "erp_failing")
        }
    return {
        "description": f"mixed open-loop load, cache off: {plan.degraded_touching_rps:g} req/s "
        f"of customer(id) {{ salesOrders }} (touches the ERP) + {plan.degraded_other_rps:g} req/s "
        "of customer(id) { payments } (does not), ids rotating over 200 customers; healthy, "
        f"then every ERP call +{plan.slow_s:g} s, then every ERP call answered 503",
        "rows": rows,
        "ratios_vs_healthy": ratios,
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


# --------------------------------------------------------------------------- 4. herd
async def herd(env: Env, plan: Plan, log: Callable[[str], None]) -> dict[str, Any]:
    """``herd_size`` identical cold queries released at the same instant (cache on)."""
    rows: list[dict[str, Any]] = []
    for system in SYSTEMS:
        for n, customer in enumerate(queries.HERD_CUSTOMERS[: plan.herd_rounds], start=1):
            log(f"herd: {system} {plan.herd_size} x customer {customer}")
            request = queries.customer_orders(system, customer, "herd")
            schedule = [(0.0, request)] * plan.herd_size
            rows.append(
                await phase(
                    env,
                    system,
                    env.cached[system],
                    _open(schedule, None),
                    load=f"{plan.herd_size} at once, round {n}",
                    customer=customer,
                )
            )
    return {
        "description": f"{plan.herd_size} identical customer(id) {{ salesOrders }} queries for a "
        "customer nobody asked for yet, all scheduled at the same instant (cache on); one row "
        "per round, a new customer each round",
        "rows": rows,
    }
