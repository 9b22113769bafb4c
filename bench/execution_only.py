"""Execution only: what the GraphQL layer itself costs, with no I/O at all.

The nested query (100 customers × sales orders × payments) is executed in-process against
data that is already in memory, three ways:

- **colonnade**: Colonnade's own Strawberry schema (``platform.graph.full_schema()``, with its
  extensions) and its real resolvers and per-request DataLoaders; only the three ports behind
  the loaders are replaced by in-memory ones that answer at once with domain models built
  from the sandbox seed (the same data the sandboxes serve);
- **graphql-core**: the executor under Strawberry, on the same SDL (``colonnade schema``),
  with the default resolvers reading plain dicts;
- **graphql-js** 16 (``bench/node/execute.mjs``, run by node in a subprocess), same SDL, same
  data, same two resolver styles as graphql-core.

``sync`` resolves every field from pre-joined plain data; ``async`` makes each customer's
``salesOrders`` and ``payments`` an async resolver (as Colonnade's are) that returns the
pre-fetched list. Each figure is the full request path a server runs: parse, validate,
execute (the result stays a dict: JSON encoding is not included).

Run alone: ``python bench/execution_only.py [--iterations N] [--spin SECONDS]``; prints JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import shutil
import statistics
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
NODE_DIR = HERE / "node"
sys.path.insert(0, str(HERE))

from queries import NESTED  # noqa: E402

FIRST = 100


# --------------------------------------------------------------------------- data
class Prefetched:
    """The nested query's data as Colonnade's domain models (what the connectors return)."""

    def __init__(self, customers: int = 200) -> None:
        from colonnade.connectors import domain
        from colonnade.sandboxes.data import SeedData

        seed = SeedData.build(customers=customers)
        status = {
            "A": domain.SalesOrderStatus.OPEN,
            "B": domain.SalesOrderStatus.IN_PROCESS,
            "C": domain.SalesOrderStatus.COMPLETED,
        }
        people = sorted(seed.customers, key=lambda c: (c.name, c.crm_id))
        self.page = domain.CustomerPage(
            customers=[
                domain.Customer(
                    id=c.crm_id,
                    name=c.name,
                    account_number=c.account_number,
                    industry=c.industry,
                    phone=c.phone,
                    website=c.website,
                    city=c.city,
                    country=c.country,
                    erp_customer_number=c.kunnr,
                    payment_customer_id=c.stripe_id,
                    created_at=c.created,
                )
                for c in people[:FIRST]
            ],
            has_next_page=len(people) > FIRST,
        )
        self.orders: dict[str, list[domain.SalesOrder]] = defaultdict(list)
        for o in sorted(seed.orders, key=lambda o: (o.kunnr, o.vbeln)):
            self.orders[o.kunnr].append(
                domain.SalesOrder(
                    number=o.vbeln,
                    customer_number=o.kunnr,
                    date=o.audat,
                    purchase_order=o.bstnk or None,
                    net_value=domain.Money(amount=o.netwr, currency=o.waerk),
                    status=status[o.gbstk],
                    items=[
                        domain.SalesOrderItem(
                            position=int(i.posnr),
                            material=i.matnr,
                            description=i.arktx,
                            quantity=i.kwmeng,
                            unit=i.vrkme,
                            net_value=domain.Money(amount=i.netwr, currency=o.waerk),
                        )
                        for i in o.items
                    ],
                )
            )
        self.payments: dict[str, list[domain.Payment]] = defaultdict(list)
        for p in sorted(seed.payments, key=lambda p: (p.created, p.id), reverse=True):
            self.payments[p.customer].append(
                domain.Payment(
                    id=p.id,
                    amount=domain.Money(
                        amount=Decimal(p.amount).scaleb(-2), currency=p.currency.upper()
                    ),
                    status=domain.PaymentStatus.SUCCEEDED,
                    created_at=datetime.fromtimestamp(p.created, tz=UTC),
                    description=p.description,
                    customer_id=p.customer,
                )
            )


class _Ports:
    """In-memory stand-ins for the CRM, ERP and payments ports: answer at once, no I/O."""

    name = "bench"

    def __init__(self, data: Prefetched) -> None:
        from colonnade.fetched import Fetched

        self._fetched = Fetched
        self.data = data

    async def customer_page(self, first: int, after: tuple[str, str] | None) -> Any:
        return self._fetched(self.data.page)

    async def customers_by_id(self, ids: Sequence[str]) -> dict[str, Any]:
        by_id = {c.id: c for c in self.data.page.customers}
        return {i: self._fetched(by_id.get(i)) for i in ids}

    async def customer_count(self) -> Any:
        return self._fetched(len(self.data.page.customers))

    async def orders_by_customer(self, numbers: Sequence[str]) -> dict[str, Any]:
        return {n: self._fetched(self.data.orders.get(n, [])) for n in numbers}

    async def orders_by_number(self, numbers: Sequence[str]) -> dict[str, Any]:
        return {n: self._fetched(None) for n in numbers}

    async def payments_by_customer(self, ids: Sequence[str]) -> dict[str, Any]:
        return {i: self._fetched(self.data.payments.get(i, [])) for i in ids}

    async def payments_by_id(self, ids: Sequence[str]) -> dict[str, Any]:
        return {i: self._fetched(None) for i in ids}


def colonnade_executor() -> Callable[[], Awaitable[dict[str, Any]]]:
    """One call = one request through Colonnade's schema, context and loaders."""
    from colonnade.connectors.ports import CustomerDirectory, OrderBook, PaymentGateway
    from colonnade.gateway import Principal
    from colonnade.platform import RequestContext, Services
    from colonnade.platform.graph import full_schema

    schema = full_schema()
    ports = _Ports(Prefetched())
    services = Services(
        {"crm": ports}, {CustomerDirectory: (ports,), OrderBook: (ports,), PaymentGateway: (ports,)}
    )
    # A client with every scope, as the gateway would set it: the per-field checks are timed.
    client = Principal("bench", frozenset({"*"}), "api_key")

    async def run() -> dict[str, Any]:
        context = RequestContext(services, principal=client)
        result = await schema.execute(
            NESTED, variable_values={"first": FIRST}, context_value=context
        )
        if result.errors:
            raise RuntimeError(f"colonnade execution failed: {result.errors[0]}")
        assert result.data is not None
        return result.data

    return run


# --------------------------------------------------------------------------- graphql-core
def _async_value(value: Any) -> Callable[..., Awaitable[Any]]:
    async def resolve(*_: Any, **__: Any) -> Any:
        return value

    return resolve


def as_async_resolvers(data: dict[str, Any]) -> dict[str, Any]:
    """Copy of the result data whose salesOrders/payments are async resolvers (the default
    resolvers of graphql-core and graphql-js both call a callable property)."""
    copy: dict[str, Any] = json.loads(json.dumps(data))
    for edge in copy["customers"]["edges"]:
        node = edge["node"]
        node["salesOrders"] = _async_value(node["salesOrders"])
        node["payments"] = _async_value(node["payments"])
    return copy


def graphql_core_executors(sdl: str, data: dict[str, Any]) -> dict[str, Callable[[], Any]]:
    import graphql

    schema = graphql.build_schema(sdl)
    variables = {"first": FIRST}
    async_root = as_async_resolvers(data)

    async def async_style() -> Any:
        result = await graphql.graphql(
            schema, NESTED, root_value=async_root, variable_values=variables
        )
        if result.errors:
            raise RuntimeError(str(result.errors[0]))
        return result.data

    return {"async": async_style}


def graphql_core_sync(sdl: str, data: dict[str, Any]) -> Callable[[], Any]:
    import graphql

    schema = graphql.build_schema(sdl)

    def sync_style() -> Any:
        result = graphql.graphql_sync(
            schema, NESTED, root_value=data, variable_values={"first": FIRST}
        )
        if result.errors:
            raise RuntimeError(str(result.errors[0]))
        return result.data

    return sync_style


# --------------------------------------------------------------------------- timing
async def time_it(
    run: Callable[[], Awaitable[Any]], *, iterations: int, warmup: int, budget_s: float
) -> tuple[dict[str, Any], Any]:
    result: Any = None
    for _ in range(warmup):
        result = await run()
    times: list[float] = []
    stop = time.perf_counter() + budget_s
    while len(times) < iterations and (len(times) < 5 or time.perf_counter() < stop):
        t0 = time.perf_counter()
        result = await run()
        times.append((time.perf_counter() - t0) * 1000)
    return stats(times), result


def time_sync(
    run: Callable[[], Any], *, iterations: int, warmup: int, budget_s: float
) -> tuple[dict[str, Any], Any]:
    result: Any = None
    for _ in range(warmup):
        result = run()
    times: list[float] = []
    stop = time.perf_counter() + budget_s
    while len(times) < iterations and (len(times) < 5 or time.perf_counter() < stop):
        t0 = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - t0) * 1000)
    return stats(times), result


def stats(times_ms: list[float]) -> dict[str, Any]:
    ordered = sorted(times_ms)
    return {
        "iterations": len(ordered),
        "median_ms": round(statistics.median(ordered), 3),
        "mean_ms": round(statistics.fmean(ordered), 3),
        "min_ms": round(ordered[0], 3),
        "p90_ms": round(ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))], 3),
    }


def count_fields(value: Any) -> int:
    """Fields in a GraphQL response: one per key of every object."""
    if isinstance(value, dict):
        return len(value) + sum(count_fields(v) for v in value.values())
    if isinstance(value, list):
        return sum(count_fields(v) for v in value)
    return 0


def schema_sdl() -> str:
    """The graph's SDL without its federation directives (graphql-core/js do not know them)."""
    import graphql

    from colonnade.platform.graph import full_schema

    return graphql.print_schema(full_schema()._schema)


# --------------------------------------------------------------------------- graphql-js
def ensure_graphql_js() -> str | None:
    """``npm ci`` (or ``npm install``) in bench/node when graphql is missing; None = ready."""
    if (NODE_DIR / "node_modules" / "graphql" / "package.json").is_file():
        return None
    npm = shutil.which("npm")
    if npm is None or shutil.which("node") is None:
        return "node/npm not found: graphql-js comparison skipped"
    command = "ci" if (NODE_DIR / "package-lock.json").is_file() else "install"
    done = subprocess.run(
        [npm, command, "--no-audit", "--no-fund", "--loglevel=error"],
        cwd=NODE_DIR,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        return f"npm {command} failed: {done.stderr.strip()[-500:]}"
    return None


def run_graphql_js(
    sdl: str, data: dict[str, Any], *, iterations: int, warmup: int, budget_s: float
) -> dict[str, Any]:
    problem = ensure_graphql_js()
    if problem is not None:
        return {"skipped": problem}
    payload = {
        "sdl": sdl,
        "query": NESTED,
        "variables": {"first": FIRST},
        "data": data,
        "iterations": iterations,
        "warmup": warmup,
        "budget_ms": budget_s * 1000,
    }
    done = subprocess.run(
        ["node", str(NODE_DIR / "execute.mjs")],
        input=json.dumps(payload),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    if done.returncode != 0:
        return {"skipped": f"node failed: {done.stderr.strip()[-500:]}"}
    out: dict[str, Any] = json.loads(done.stdout)
    return out


# --------------------------------------------------------------------------- main
async def measure(iterations: int, warmup: int, budget_s: float) -> dict[str, Any]:
    colonnade = colonnade_executor()
    col_stats, data = await time_it(
        colonnade, iterations=iterations, warmup=warmup, budget_s=budget_s
    )
    sdl = schema_sdl()
    out: dict[str, Any] = {
        "query": "nested (customers(first: 100) × salesOrders × payments)",
        "fields": count_fields(data),
        "colonnade": col_stats,
        "graphql_core": {},
    }
    for style, run in graphql_core_executors(sdl, data).items():
        core_stats, core_data = await time_it(
            run, iterations=iterations * 4, warmup=warmup, budget_s=budget_s
        )
        core_stats["same_result"] = core_data == data
        out["graphql_core"][style] = core_stats
    out["graphql_js"] = run_graphql_js(
        sdl, data, iterations=iterations * 10, warmup=warmup * 5, budget_s=budget_s
    )
    out["data"] = data
    return out


def spin(seconds: float) -> dict[str, Any]:
    """Execute Colonnade's nested query back to back for ``seconds`` (a target to profile)."""

    async def loop() -> int:
        colonnade = colonnade_executor()
        for _ in range(3):
            await colonnade()
        sys.stdout.write("ready\n")  # the profiler attaches now: set-up stays out of it
        sys.stdout.flush()
        n = 0
        stop = time.perf_counter() + seconds
        while time.perf_counter() < stop:
            await colonnade()
            n += 1
        return n

    return {"executions": asyncio.run(loop()), "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description="Execution-only benchmark (no I/O).")
    parser.add_argument("--iterations", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument("--budget-s", type=float, default=8.0, help="per executor")
    parser.add_argument(
        "--spin", type=float, default=None, help="only run Colonnade for N s (to profile)"
    )
    args = parser.parse_args()
    if args.spin is not None:
        json.dump(spin(args.spin), sys.stdout)
        sys.stdout.write("\n")
        return
    result = asyncio.run(measure(args.iterations, args.warmup, args.budget_s))
    # The sync style is timed here, at the top of the main thread, as a sync caller runs it:
    # graphql_sync measured 2-4x slower when called from deep inside a running event loop
    # or from a worker thread (CPython 3.11's frame stack, not the executor), which would
    # flatter Colonnade.
    data = result["data"]
    sync_stats, sync_data = time_sync(
        graphql_core_sync(schema_sdl(), data),
        iterations=args.iterations * 4,
        warmup=args.warmup,
        budget_s=args.budget_s,
    )
    sync_stats["same_result"] = sync_data == data
    result["graphql_core"]["sync"] = sync_stats
    json.dump(result, sys.stdout, default=str)


if __name__ == "__main__":
    main()
