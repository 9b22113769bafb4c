"""Results → the markdown report (bench/results/*.md) and the table printed at the end."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any


def _fmt(value: Any, digits: int = 1) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "**NO**"
    if isinstance(value, float):
        if value != value:  # NaN
            return "–"
        return f"{value:,.{digits}f}"
    return str(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [[_fmt(c) if not isinstance(c, str) else c for c in row] for row in rows]
    out = ["| " + " | ".join(headers) + " |", "|" + "|".join("---" for _ in headers) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in cells]
    return "\n".join(out) + "\n"


def plain(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    cells = [list(headers)] + [[_fmt(c) if not isinstance(c, str) else c for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    lines = [
        "  ".join(
            c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths, strict=True))
        )
        for r in cells
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines) + "\n"


def _ratio(a: Any, b: Any) -> str:
    """a ÷ b, to two significant digits past the point for small ratios."""
    if not isinstance(a, int | float) or not isinstance(b, int | float) or not b:
        return "–"
    r = a / b
    if r < 0.1:
        return f"{r:.3f}"
    return f"{r:.2f}" if r < 10 else f"{r:.1f}"


ROW_HEADERS = (
    "workload", "system", "load", "throughput req/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
    "ok/partial/err", "upstream calls/query", "CPU s/1k req", "peak RSS MB", "generator CPU %",
)  # fmt: skip


def _row(workload: str, r: dict[str, Any]) -> list[Any]:
    return [
        workload,
        r["system"],
        r["load"]
        + (" (closed loop)" if r["mode"] == "closed" and r["load"] != "sequential" else ""),
        r["throughput_rps"],
        r["p50_ms"],
        r["p90_ms"],
        r["p99_ms"],
        r["max_ms"],
        f"{r['ok']}/{r['partial']}/{r['error']}",
        _fmt(r["upstream_calls_per_query"], 2),
        _fmt(r["cpu_s_per_1k"], 2),
        r["peak_rss_mb"],
        r.get("loadgen_cpu_pct"),
    ]


def main_rows(results: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    for name, w in results.get("workloads", {}).items():
        if name == "degraded":
            continue
        rows += [_row(name, r) for r in w["rows"]]
    return rows


def ratio_rows(results: dict[str, Any]) -> list[list[Any]]:
    """Colonnade ÷ baseline for each (workload, load) measured on both."""
    out: list[list[Any]] = []
    for name, w in results.get("workloads", {}).items():
        if name == "degraded":
            continue
        by_load: dict[str, dict[str, dict[str, Any]]] = {}
        for r in w["rows"]:
            by_load.setdefault(r["load"], {})[r["system"]] = r
        for load, pair in by_load.items():
            c, b = pair.get("colonnade"), pair.get("baseline")
            if c is None or b is None:
                continue
            out.append(
                [
                    name,
                    load,
                    _ratio(c["throughput_rps"], b["throughput_rps"]),
                    _ratio(c["p50_ms"], b["p50_ms"]),
                    _ratio(c["p99_ms"], b["p99_ms"]),
                    _ratio(c["cpu_s_per_1k"], b["cpu_s_per_1k"]),
                    _ratio(c["upstream_calls_per_query"], b["upstream_calls_per_query"]),
                    _ratio(c["peak_rss_mb"], b["peak_rss_mb"]),
                ]
            )
    return out


RATIO_HEADERS = (
    "workload", "load", "throughput", "p50", "p99", "CPU/1k req", "upstream calls", "peak RSS",
)  # fmt: skip


def degraded_rows(results: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    w = results.get("workloads", {}).get("degraded")
    if not w:
        return rows
    for r in w["rows"]:
        for label, s in r.get("by_label", {}).items():
            rows.append(
                [
                    r["system"],
                    r["load"],
                    label,
                    s["throughput_rps"],
                    s["p50_ms"],
                    s["p90_ms"],
                    s["p99_ms"],
                    s["max_ms"],
                    f"{s['ok']}/{s['partial']}/{s['error']}",
                    _fmt(r["erp_calls_per_erp_query"], 2) if label == "touches_erp" else "",
                    _fmt(r["cpu_s_per_1k"], 2),
                ]
            )
    return rows


DEGRADED_HEADERS = (
    "system", "ERP", "query", "throughput req/s", "p50 ms", "p90 ms", "p99 ms", "max ms",
    "ok/partial/err", "ERP calls per ERP query", "CPU s/1k req (all)",
)  # fmt: skip


def exec_rows(results: dict[str, Any]) -> list[list[Any]]:
    e = results.get("execution_only", {})
    if "colonnade" not in e:
        return []
    js = e.get("graphql_js", {}).get("variants", {})
    js_async = js.get("async", {}).get("median_ms")
    rows: list[list[Any]] = [
        [
            "Colonnade (Strawberry schema, resolvers, DataLoaders)",
            "async",
            e["colonnade"]["median_ms"],
            e["colonnade"]["p90_ms"],
            _ratio(e["colonnade"]["median_ms"], js_async),
        ]
    ]
    for style, s in e.get("graphql_core", {}).items():
        rows.append(
            [f"graphql-core {results['machine']['packages'].get('graphql-core', '')}", style,
             s["median_ms"], s["p90_ms"], _ratio(s["median_ms"], js_async)]
        )  # fmt: skip
    js_name = (
        f"graphql-js {e['graphql_js'].get('graphql', '')} (node {e['graphql_js'].get('node')})"
    )
    for style, s in js.items():
        rows.append([js_name, style, s["median_ms"], s["p90_ms"], _ratio(s["median_ms"], js_async)])
    return rows


EXEC_HEADERS = ("executor", "resolvers", "median ms", "p90 ms", "÷ graphql-js async")


def checks(results: dict[str, Any]) -> list[str]:
    out: list[str] = []
    same = results.get("same_answers", {})
    out.append(
        f"- Colonnade and the baseline return identical JSON (nested, customer+orders, "
        f"customer+payments): {_fmt(same.get('all_identical'))}"
    )
    nested = results.get("workloads", {}).get("nested_cold")
    if nested:
        per = ", ".join(f"{op} {n:g}" for op, n in nested["colonnade_calls_per_query"].items())
        out.append(
            f"- Nested cold query makes the minimal upstream calls (1 SOQL query, 1 GETLIST, "
            f"1 Stripe list per customer = 102; the OAuth token is fetched once per process): "
            f"{_fmt(nested['minimal'])} — measured per query: {per}"
        )
    degraded = results.get("workloads", {}).get("degraded")
    if degraded:
        for system, ratios in degraded["ratios_vs_healthy"].items():
            slow, failing = ratios["erp_slow"], ratios["erp_failing"]
            out.append(
                f"- Degraded, {system}: queries that avoid the ERP, ÷ healthy: p50 "
                f"{_fmt(slow['avoids_erp_p50'], 2)}, p90 {_fmt(slow['avoids_erp_p90'], 2)}, "
                f"p99 {_fmt(slow['avoids_erp_p99'], 2)} with the ERP slowed; p50 "
                f"{_fmt(failing['avoids_erp_p50'], 2)}, p90 {_fmt(failing['avoids_erp_p90'], 2)}, "
                f"p99 {_fmt(failing['avoids_erp_p99'], 2)} with it failing; queries that touch "
                "it: p50 × "
                f"{_fmt(slow['touches_erp_p50'], 2)} slowed, "
                f"× {_fmt(failing['touches_erp_p50'], 2)} failing"
            )
    e = results.get("execution_only", {})
    if "same_data_as_http" in e:
        out.append(
            "- Execution-only data is the same as the nested query's HTTP answer: "
            f"{_fmt(e['same_data_as_http'])}; graphql-core and graphql-js produce the same result: "
            + _fmt(
                all(s.get("same_result") for s in e.get("graphql_core", {}).values())
                and all(
                    s.get("same_result")
                    for s in e.get("graphql_js", {}).get("variants", {}).values()
                )
            )
        )
    return out


def _profile_md(name: str, p: dict[str, Any]) -> str:
    if "components" not in p:
        return f"#### {name}\n\n{p}\n\n"
    md = f"#### {name} ({p['samples']} samples)\n\n"
    md += table(
        ("component", "% of CPU"), [[c["component"], c["cpu_pct"]] for c in p["components"][:10]]
    )
    md += "\n" + table(
        ("function, own time (GC excluded)", "% of CPU"),
        [[f"`{f['function']}`", f["cpu_pct"]] for f in p["top_own_excluding_gc"][:10]],
    )
    if p.get("gc_triggered_in"):
        md += "\n" + table(
            ("garbage collection triggered in", "% of CPU"),
            [[f"`{f['function']}`", f["cpu_pct"]] for f in p["gc_triggered_in"][:3]],
        )
    if p.get("top_project_inclusive"):
        md += "\n" + table(
            ("Colonnade function, inclusive", "% of CPU"),
            [[f"`{f['function']}`", f["cpu_pct"]] for f in p["top_project_inclusive"][:8]],
        )
    return md + "\n"


WHAT_IF_HEADERS = (
    "fixes applied", "hot max req/s", "hot CPU ms/req", "hot p50 ms", "hot p99 ms", "hot max ms",
    "nested CPU ms/req", "nested p50 ms", "nested p99 ms", "nested peak RSS MB",
)  # fmt: skip


def what_if_rows(results: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = []
    w = results.get("what_if", {})
    for r in w.get("rows", []):
        rows.append(
            [
                " + ".join(r["fixes"]) or "none (as is)",
                r["hot_max_rps"],
                _fmt(r["hot_max_cpu_s_per_1k"], 2),
                r["hot_p50_ms"],
                r["hot_p99_ms"],
                r["hot_max_ms"],
                r["nested_cpu_s_per_1k"],
                r["nested_p50_ms"],
                r["nested_p99_ms"],
                r.get("nested_peak_rss_mb"),
            ]
        )
    return rows


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    kind = "quick smoke run (`--quick`)" if results.get("quick") else "full run"
    md = "# Colonnade benchmark results\n\n"
    md += (
        f"{kind}, {m['date']}, commit `{m['git_commit']}`, {results.get('runtime_s')} s.\n\n"
        f"**Machine:** {m['nproc']} cores, {m['cpu_model']}, {m['memory_gib']} GiB, Linux "
        f"{m['kernel']}, Python {m['python']}, node {m['node']}. Packages: "
        + ", ".join(f"{k} {v}" for k, v in m["packages"].items())
        + ".\n\n"
    )
    md += (
        f"**Setup:** sandbox providers with a fixed {results['setup']['sandbox_latency_ms']:g} ms "
        f"per call, {results['setup']['customers']} customers; {results['setup']['processes']}. "
        "Latency is measured from each request's *scheduled* send time (open loop, corrected for "
        "coordinated omission) except in rows marked closed loop. Ratios are Colonnade ÷ "
        "baseline: below 1 is better for Colonnade on latency, CPU and calls, above 1 is better "
        "on throughput. How to read everything: [bench/README.md](../README.md).\n\n"
    )
    if results.get("engine_changed_during_run"):
        md += (
            "**Warning: the engine changed during this run** "
            f"({results['engine_changed_during_run']}); rows may mix two versions.\n\n"
        )
    md += "## Checks\n\n" + "\n".join(checks(results)) + "\n\n"
    md += "## Colonnade ÷ baseline\n\n" + table(RATIO_HEADERS, ratio_rows(results)) + "\n"
    md += "## All rows\n\n" + table(ROW_HEADERS, main_rows(results)) + "\n"
    for name, w in results.get("workloads", {}).items():
        md += f"- **{name}**: {w['description']}.\n"
    md += "\n## Degraded provider\n\n" + table(DEGRADED_HEADERS, degraded_rows(results)) + "\n"
    e = results.get("execution_only", {})
    if "colonnade" in e:
        md += (
            f"## Execution only (no I/O)\n\nThe nested query ({e['fields']:,} fields in the "
            "response), executed in-process against data already in memory: parse + validate + "
            "execute, result left as a dict. Same SDL, same data for all.\n\n"
        )
        md += table(EXEC_HEADERS, exec_rows(results)) + "\n"
    elif e:
        md += f"## Execution only\n\nfailed: {e}\n\n"
    profiles = results.get("profiles")
    if profiles:
        md += "## Profiles (py-spy, share of the process's CPU samples)\n\n"
        for name, p in profiles.items():
            md += _profile_md(name, p)
    what_if = results.get("what_if", {})
    if what_if.get("rows"):
        rows = what_if["rows"]
        md += (
            "## What-if: candidate fixes, measured\n\n"
            f"{what_if['description']}. Hot: max throughput (closed loop) and latency at "
            f"{rows[0]['hot_rate_rps']:g} req/s (open loop), cache on. Nested: "
            f"{rows[0]['nested_rate_rps']:g} req/s, cache off. CPU is per request. "
            "`freeze-gc`: `gc.freeze()` after start-up; `doc-cache`: parse/validation caches "
            "with the limit rules built once; `sniffio`: `import sniffio` succeeds; "
            "`clear-loaders`: the request's DataLoaders emptied when it ends (details in "
            "`bench/whatif.py`). Already in the engine, so not tried again: "
            + (", ".join(f"`{f}`" for f in what_if.get("already_in_engine", [])) or "none")
            + ".\n\n"
        )
        md += table(WHAT_IF_HEADERS, what_if_rows(results)) + "\n"
    return md


def terminal(results: dict[str, Any]) -> str:
    out = "\n" + plain(ROW_HEADERS, main_rows(results))
    out += "\nColonnade ÷ baseline\n" + plain(RATIO_HEADERS, ratio_rows(results))
    if degraded_rows(results):
        out += "\nDegraded provider\n" + plain(DEGRADED_HEADERS, degraded_rows(results))
    if exec_rows(results):
        out += "\nExecution only (nested query, no I/O)\n" + plain(EXEC_HEADERS, exec_rows(results))
    out += "\n" + "\n".join(c.replace("**", "") for c in checks(results)) + "\n"
    return out
