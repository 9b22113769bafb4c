"""A real ERP outage, scraped from /metrics and fed to ``promtool test rules``: the shipped
alert rules fire for the failing connector and stay quiet for the healthy ones."""

from __future__ import annotations

import asyncio
import json
import shutil
from asyncio.subprocess import PIPE, STDOUT
from pathlib import Path
from typing import Any

import pytest
from browser_kit import ARTIFACTS
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client.parser import text_string_to_metric_families
from support import metric

from colonnade.sandboxes import Fault, SandboxSet

RULES = Path(__file__).resolve().parents[2] / "ops" / "alerts.yml"
BREAKER = {"min_calls": 4, "failure_ratio": 0.5, "window_s": 30, "break_s": 30}
WANTED = ("colonnade_upstream_attempts_total", "colonnade_breaker_state")


def order_query(n: int) -> str:
    return f'{{ salesOrder(number: "{500000 + n:010d}") {{ number }} }}'


def samples(text: str) -> dict[str, tuple[str, float]]:
    """series selector → (metric type, value), for the families the alerts read."""
    out: dict[str, tuple[str, float]] = {}
    for family in text_string_to_metric_families(text):
        for s in family.samples:
            if s.name in WANTED:
                labels = ",".join(f'{k}="{v}"' for k, v in sorted(s.labels.items()))
                out[f"{s.name}{{{labels}}}"] = (family.type, float(s.value))
    return out


def promtool_test(before: str, after: str) -> dict[str, Any]:
    """Five minutes at the values scraped before the fault, then ten at those scraped after."""
    old, new = samples(before), samples(after)
    series = []
    for selector, (kind, value) in sorted(new.items()):
        absent = "0" if kind == "counter" else "_"  # a counter not yet seen was zero
        start = f"{old[selector][1]:g}" if selector in old else absent
        series.append({"series": selector, "values": f"{start}x5 {value:g}x9"})
    erp_rate = {
        "exp_labels": {"severity": "page", "connector": "erp"},
        "exp_annotations": {
            "summary": "erp: more than 20 % of upstream attempts fail",
            "runbook": "/ops shows the connector's last errors and codes; check the provider's status page",
        },
    }
    erp_open = {
        "exp_labels": {"severity": "page", "connector": "erp", "breaker": "erp"},
        "exp_annotations": {
            "summary": "erp: circuit breaker erp is open; calls fail fast with CIRCUIT_OPEN"
        },
    }
    tests = [
        {"eval_time": "4m", "alertname": "ColonnadeBreakerOpen", "exp_alerts": []},
        {"eval_time": "4m", "alertname": "ColonnadeUpstreamErrorRateHigh", "exp_alerts": []},
        {"eval_time": "8m", "alertname": "ColonnadeBreakerOpen", "exp_alerts": [erp_open]},
        {
            "eval_time": "8m",
            "alertname": "ColonnadeUpstreamErrorRateHigh",
            "exp_alerts": [erp_rate],
        },
    ]
    return {
        "rule_files": [str(RULES)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "name": "scraped ERP outage",
                "interval": "1m",
                "input_series": series,
                "alert_rule_test": tests,
            }
        ],
    }


async def test_erp_outage_fires_breaker_and_error_rate_alerts(
    make_facade, providers: SandboxSet, tmp_path: Path, logs: list[dict[str, Any]]
) -> None:
    """The issue's "done when": one ERP outage seen in metrics, trace, access log and alerts."""
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool missing (scripts/ci/promtool.sh installs it)")
    facade = await make_facade(connectors={"erp": {"breaker": BREAKER}})
    exporter = InMemorySpanExporter()
    facade.runtime.telemetry.tracing.add_processor(SimpleSpanProcessor(exporter))
    await facade.query(order_query(0))  # healthy traffic first
    await facade.query('{ customer(id: "001000000000002AAA") { name } }')
    before = (await facade.client.get("/metrics")).text

    providers.erp.faults.add(Fault("status", status=503))
    for n in range(1, 8):
        await facade.query(order_query(n))
    after = (await facade.client.get("/metrics")).text

    assert metric(after, "colonnade_breaker_state", connector="erp", state="open") == 1
    failed = {"connector": "erp", "outcome": "UPSTREAM_UNAVAILABLE"}
    assert (metric(after, "colonnade_upstream_attempts_total", **failed) or 0) > (
        metric(before, "colonnade_upstream_attempts_total", **failed) or 0
    )

    # The trace: retries with their delays, the breaker's verdicts (failures, then refusals).
    spans = exporter.get_finished_spans()
    waits = [sp for sp in spans if sp.name == "retry wait"]
    assert waits
    assert all(sp.attributes["colonnade.retry.delay_s"] >= 0 for sp in waits)
    assert all(sp.attributes["error.type"] == "UPSTREAM_UNAVAILABLE" for sp in waits)
    verdicts = {sp.name for sp in spans if sp.name.startswith("breaker ")}
    assert {"breaker failure", "breaker refused"} <= verdicts
    # The access log: the outage's requests name their codes and the ERP calls they made.
    lines = [e for e in logs if e["event"] == "graphql_request"]
    assert len(lines) == 9
    assert lines[2]["error_codes"] == ["UPSTREAM_UNAVAILABLE"]
    assert lines[2]["upstream_calls"] == {"erp": 3}  # three attempts, all failed
    assert lines[-1]["error_codes"] == ["CIRCUIT_OPEN"]
    assert lines[-1]["upstream_calls"] == {}  # refused by the breaker: nothing was sent

    test_file = tmp_path / "scraped_outage_test.yml"
    test_file.write_text(json.dumps(promtool_test(before, after), indent=1))  # JSON is YAML
    ARTIFACTS.mkdir(exist_ok=True)
    shutil.copy(test_file, ARTIFACTS / "scraped_outage_test.yml")
    run = await asyncio.create_subprocess_exec(
        promtool, "test", "rules", str(test_file), stdout=PIPE, stderr=STDOUT
    )
    out = (await run.communicate())[0].decode()
    assert run.returncode == 0, out
    assert "SUCCESS" in out
