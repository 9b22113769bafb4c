"""Colonnade's benchmark harness: one command, every workload, JSON + markdown out.

    python bench/run.py            # full run (~6 min on 2 cores); writes bench/results/latest.*
    python bench/run.py --quick    # smoke run (< 2 min); writes bench/results/quick.*

Starts the sandbox providers (fixed 20 ms latency per call), two Colonnade facades (response
cache on / off) and two baselines (same), each in its own process; runs the workloads of
``workloads.py`` against each system in turn from an open-loop generator in this process; runs
the execution-only comparison (``execution_only.py``, graphql-js through node); profiles
Colonnade with py-spy (full run only); prints the table and writes the results.
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
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import loadgen  # noqa: E402
import procs  # noqa: E402
import profiling  # noqa: E402
import queries  # noqa: E402
import report  # noqa: E402
import workloads  # noqa: E402
from loadgen import Client, Request, closed_loop, open_loop  # noqa: E402
from upstream import SandboxControl  # noqa: E402

LATENCY_MS = 20.0
CUSTOMERS = 200


def log(message: str) -> None:
    sys.stderr.write(f"[bench {time.strftime('%H:%M:%S')}] {message}\n")
    sys.stderr.flush()


def machine() -> dict[str, Any]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    mem_gib = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    except OSError:
        pass
    node_exe = shutil.which("node")
    node = (
        subprocess.run([node_exe, "--version"], capture_output=True, text=True, check=False)
        if node_exe
        else None
    )
    versions: dict[str, str] = {}
    for dist in (
        "strawberry-graphql", "graphql-core", "httpx", "httpcore", "uvicorn", "zeep", "pydantic",
        "sniffio", "uvloop", "httptools",
    ):  # fmt: skip
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = "not installed"
    return {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": mem_gib,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "node": node.stdout.strip() if node is not None else "not found",
        "packages": versions,
        "git_commit": _git_commit(),
    }


def _git_commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(HERE.parent), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    )
    # Only what runs counts: editing the README during a run does not change the numbers.
    code = ["colonnade", "connectors", "resolvers", "schema", "sandboxes", "wsdl", "bench/*.py"]
    dirty = subprocess.run(
        ["git", "-C", str(HERE.parent), "status", "--porcelain", "-uno", "--", *code],
        capture_output=True,
        text=True,
        check=False,
    )
    commit = done.stdout.strip() or "unknown"
    return commit + ("+uncommitted changes" if dirty.stdout.strip() else "")


def execution_only(quick: bool) -> dict[str, Any]:
    argv = [sys.executable, str(HERE / "execution_only.py")]
    argv += ["--iterations", "10", "--budget-s", "3"] if quick else ["--iterations", "40"]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False)
    if done.returncode != 0:
        return {"error": done.stderr.strip()[-2000:]}
    out: dict[str, Any] = json.loads(done.stdout)
    return out


async def check_same_answers(env: workloads.Env) -> dict[str, Any]:
    """Colonnade and the baseline must return the same JSON for each question."""
    checks: dict[str, Any] = {}
    pairs: dict[str, Callable[[str], Request]] = {
        "nested": queries.nested,
        "customer_orders": lambda s: queries.customer_orders(s, queries.HOT_CUSTOMER),
        "customer_payments": lambda s: queries.customer_payments(s, queries.HOT_CUSTOMER),
    }
    bodies: dict[str, Any] = {}
    for name, make in pairs.items():
        answers = []
        for system in workloads.SYSTEMS:
            client = Client("127.0.0.1", env.uncached[system].port)
            status, body = await client.send(make(system), time_limit=60)
            await client.aclose()
            answers.append((status, json.loads(body)))
        checks[name] = answers[0] == answers[1] and answers[0][0] == 200
        bodies[name] = answers[0][1]
    checks["all_identical"] = all(checks.values())
    return {"checks": checks, "bodies": bodies}


async def profile(env: workloads.Env, plan: workloads.Plan, tmp: Path) -> dict[str, Any]:
    """py-spy on fresh processes (so the measured ones stay unprofiled): Colonnade and the
    baseline under the nested load, Colonnade under the hot load, and the execution-only loop."""
    if profiling.py_spy() is None:
        return {"skipped": "py-spy not installed (pip install py-spy)"}
    results: dict[str, Any] = {}
    seconds = 8
    sandbox_url = env.sandbox.base_url
    fresh = {
        "colonnade_uncached": procs.facade(
            "profile-colonnade-uncached", procs.free_port(), sandbox_url, cache=False, log_dir=tmp
        ),
        "baseline_uncached": procs.baseline(
            "profile-baseline-uncached", procs.free_port(), sandbox_url, cache=False, log_dir=tmp
        ),
    }
    targets = [
        ("nested_colonnade", fresh["colonnade_uncached"], queries.nested("colonnade"), 2.5),
        ("nested_baseline", fresh["baseline_uncached"], queries.nested("baseline"), 2.5),
    ]
    with procs.running(list(fresh.values())):
        for name, service, request, rate in targets:
            log(f"profile: {name} (py-spy {seconds}s)")
            await workloads.warm(service, [request], times=2)
            raw = tmp / f"{name}.raw"
            spy = profiling.record_pid(service.pid, seconds, raw)
            schedule = [(i / rate, request) for i in range(int(rate * (seconds - 0.5)))]
            client = Client("127.0.0.1", service.port)
            await open_loop(client, schedule)
            await client.aclose()
            await asyncio.to_thread(spy.wait, 60)
            results[name] = profiling.summarize(raw) if raw.exists() else {"error": "no samples"}
    log(f"profile: hot_colonnade (py-spy {seconds}s)")
    hot_service = env.cached["colonnade"]
    hot_request = queries.customer_orders("colonnade", queries.HOT_CUSTOMER, "hot")
    raw = tmp / "hot_colonnade.raw"
    spy = profiling.record_pid(hot_service.pid, seconds, raw)
    client = Client("127.0.0.1", hot_service.port)
    await closed_loop(client, hot_request, workers=plan.hot_workers, duration=seconds - 0.5)
    await client.aclose()
    await asyncio.to_thread(spy.wait, 60)
    results["hot_colonnade"] = profiling.summarize(raw) if raw.exists() else {"error": "no samples"}
    log("profile: execution_only_colonnade (py-spy 6s)")
    raw = tmp / "execution_only.raw"
    spinner = await asyncio.create_subprocess_exec(
        sys.executable,
        str(HERE / "execution_only.py"),
        "--spin",
        "8",
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
    )
    assert spinner.stdout is not None
    ready = await spinner.stdout.readline()
    if ready.strip() == b"ready":
        spy = profiling.record_pid(spinner.pid, 6, raw)
        await asyncio.to_thread(spy.wait, 60)
    await spinner.communicate()
    results["execution_only_colonnade"] = (
        profiling.summarize(raw) if raw.exists() else {"error": "no samples"}
    )
    return results


WHAT_IF_VARIANTS: tuple[tuple[str, ...], ...] = (
    (),
    ("freeze-gc",),
    ("doc-cache",),
    ("sniffio",),
    ("clear-loaders",),
    ("freeze-gc", "doc-cache", "sniffio", "clear-loaders"),
)
WHAT_IF_SETTING = {"COLONNADE_CONNECTORS__PAYMENTS__BULKHEAD__MAX_CONCURRENT": "25"}
"""Not a fix but a setting: the nested query's latency floor is set by the payments bulkhead
(100 Stripe calls in waves of 10); this shows what a wider one buys."""


def _setting_name(env_var: str) -> str:
    """``COLONNADE_CONNECTORS__PAYMENTS__X`` -> ``connectors.payments.x``."""
    return env_var.removeprefix("COLONNADE_").lower().replace("__", ".")


async def what_if(
    env: workloads.Env, plan: workloads.Plan, tmp: Path, hot_rate: float
) -> dict[str, Any]:
    """The fixes the profiles point at (whatif.py), each applied alone and all together to a
    fresh pair of facades: hot max throughput, hot latency at a fixed rate, nested CPU."""
    import whatif

    present = whatif.already_in_engine()
    rows: list[dict[str, Any]] = []
    hot_request = queries.customer_orders("colonnade", queries.HOT_CUSTOMER, "hot")
    nested_request = queries.nested("colonnade")
    nested_rate = 2.5
    variants = [tuple(f for f in fixes if not present.get(f)) for fixes in WHAT_IF_VARIANTS]
    variants = [v for i, v in enumerate(variants) if (v or i == 0) and v not in variants[:i]]
    runs: list[tuple[tuple[str, ...], dict[str, str]]] = [(v, {}) for v in variants]
    runs.append(((), dict(WHAT_IF_SETTING)))
    for fixes, settings in runs:
        tag = "+".join(fixes) or ("as is" if not settings else "settings")
        log(f"what-if: {tag}")
        port_a, port_b = procs.free_port(), procs.free_port()
        cached = procs.facade(
            f"whatif-{tag}-cached",
            port_a,
            env.sandbox.base_url,
            cache=True,
            log_dir=tmp,
            fixes=fixes,
            **settings,
        )
        uncached = procs.facade(
            f"whatif-{tag}-uncached",
            port_b,
            env.sandbox.base_url,
            cache=False,
            log_dir=tmp,
            fixes=fixes,
            **settings,
        )
        with procs.running([cached, uncached]):
            await workloads.warm(cached, [hot_request], times=3)
            await workloads.warm(uncached, [nested_request], times=2)
            peak = await workloads.phase(
                env,
                "colonnade",
                cached,
                workloads._closed(hot_request, plan.hot_workers, 5),
                load="max",
            )
            steady = await workloads.phase(
                env,
                "colonnade",
                cached,
                workloads._open(loadgen.fixed_rate([hot_request], hot_rate, 6), hot_rate),
                load=f"{hot_rate:g}/s",
            )
            nested = await workloads.phase(
                env,
                "colonnade",
                uncached,
                workloads._open(loadgen.fixed_rate([nested_request], nested_rate, 8), nested_rate),
                load=f"{nested_rate:g}/s",
            )
        rows.append(
            {
                "fixes": list(fixes) + [f"{_setting_name(k)}={v}" for k, v in settings.items()],
                "hot_max_rps": peak["throughput_rps"],
                "hot_max_cpu_s_per_1k": peak["cpu_s_per_1k"],
                "hot_rate_rps": hot_rate,
                "hot_p50_ms": steady["p50_ms"],
                "hot_p99_ms": steady["p99_ms"],
                "hot_max_ms": steady["max_ms"],
                "nested_rate_rps": nested_rate,
                "nested_cpu_s_per_1k": nested["cpu_s_per_1k"],
                "nested_p50_ms": nested["p50_ms"],
                "nested_p99_ms": nested["p99_ms"],
                "nested_peak_rss_mb": nested["peak_rss_mb"],
            }
        )
    return {
        "description": "fresh facades started through bench/whatif.py with each candidate fix "
        "(see its docstring); same sandbox, same load generator",
        "already_in_engine": sorted(f for f, yes in present.items() if yes),
        "rows": rows,
    }


async def main_async(args: argparse.Namespace) -> dict[str, Any]:
    plan = workloads.Plan.smoke() if args.quick else workloads.Plan.full()
    started = time.monotonic()
    tmp = Path(tempfile.mkdtemp(prefix="colonnade-bench-"))
    log(f"logs in {tmp}")
    sandbox = procs.sandbox(procs.free_port(), LATENCY_MS, CUSTOMERS, tmp)
    sandbox.start()
    sandbox.wait_ready()
    url = sandbox.base_url
    cached = {
        "colonnade": procs.facade(
            "colonnade-cached", procs.free_port(), url, cache=True, log_dir=tmp
        ),
        "baseline": procs.baseline(
            "baseline-cached", procs.free_port(), url, cache=True, log_dir=tmp
        ),
    }
    uncached = {
        "colonnade": procs.facade(
            "colonnade-uncached", procs.free_port(), url, cache=False, log_dir=tmp
        ),
        "baseline": procs.baseline(
            "baseline-uncached", procs.free_port(), url, cache=False, log_dir=tmp
        ),
    }
    ctl = SandboxControl(url)
    results: dict[str, Any] = {
        "machine": machine(),
        "quick": args.quick,
        "setup": {
            "sandbox_latency_ms": LATENCY_MS,
            "customers": CUSTOMERS,
            "processes": "sandboxes, 2 Colonnade facades (cache on/off), 2 baselines (cache "
            "on/off), each its own uvicorn process; load generator in the harness process",
            "plan": plan.__dict__,
        },
    }
    try:
        with procs.running([*cached.values(), *uncached.values()]):
            env = workloads.Env(sandbox, ctl, cached, uncached)
            log("checking that Colonnade and the baseline give the same answers")
            same = await check_same_answers(env)
            results["same_answers"] = same["checks"]
            results["workloads"] = {}
            for name, fn in (
                ("hot", workloads.hot),
                ("nested_cold", workloads.nested),
                ("herd", workloads.herd),
                ("degraded", workloads.degraded),
            ):
                results["workloads"][name] = await fn(env, plan, log)
            for name, service in {
                **{f"{k}-cached": v for k, v in cached.items()},
                **{f"{k}-uncached": v for k, v in uncached.items()},
            }.items():
                results.setdefault("final_rss_mb", {})[name] = round(service.rss_mb(), 1)
            log("execution only (in-process, no I/O) vs graphql-core and graphql-js")
            exec_only = await asyncio.to_thread(execution_only, args.quick)
            exec_data = exec_only.pop("data", None)
            if exec_data is not None:
                exec_only["same_data_as_http"] = exec_data == same["bodies"]["nested"].get("data")
            results["execution_only"] = exec_only
            if not args.quick and not args.no_profile:
                results["profiles"] = await profile(env, plan, tmp)
                hot_rates = [
                    r["offered_rps"]
                    for r in results["workloads"]["hot"]["rows"]
                    if r["system"] == "colonnade" and r["offered_rps"]
                ]
                middle = hot_rates[len(hot_rates) // 2] if hot_rates else 100.0
                results["what_if"] = await what_if(env, plan, tmp, middle)
    finally:
        await ctl.aclose()
        sandbox.stop()
    results["runtime_s"] = round(time.monotonic() - started, 1)
    commit_now = _git_commit()
    if commit_now != results["machine"]["git_commit"]:
        results["engine_changed_during_run"] = f"{results['machine']['git_commit']} → {commit_now}"
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description="Colonnade benchmark harness")
    parser.add_argument("--quick", action="store_true", help="smoke run, < 2 minutes")
    parser.add_argument("--no-profile", action="store_true", help="skip py-spy profiling")
    parser.add_argument("--out", type=Path, default=None, help="results directory")
    args = parser.parse_args()
    out_dir: Path = args.out or HERE / "results"
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = "quick" if args.quick else "latest"
    results = asyncio.run(main_async(args))
    (out_dir / f"{stem}.json").write_text(json.dumps(results, indent=2, default=str) + "\n")
    markdown = report.markdown(results)
    (out_dir / f"{stem}.md").write_text(markdown)
    sys.stdout.write(report.terminal(results))
    written = f"{out_dir / (stem + '.json')} and {out_dir / (stem + '.md')}"
    log(f"wrote {written} in {results['runtime_s']}s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
