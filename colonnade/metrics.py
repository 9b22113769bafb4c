"""``GET /metrics``: Telemetry's counters in the Prometheus text format.

Hand-written exposition rather than prometheus-client: the counters already live in one dict
(``Telemetry.counters``), written on the hot path without locks; rendering them is a table of
names and label names, and a second registry would only duplicate them.
"""

from __future__ import annotations

from colonnade.telemetry import Telemetry

# counter family → (metric name, label names, help)
_FAMILIES: dict[str, tuple[str, tuple[str, ...], str]] = {
    "upstream_attempts": (
        "colonnade_upstream_attempts_total",
        ("connector", "operation", "outcome"),
        "Upstream attempts by outcome (ok or the error code).",
    ),
    "upstream_retries": (
        "colonnade_upstream_retries_total",
        ("connector", "operation"),
        "Attempts that were retries.",
    ),
    "cache": (
        "colonnade_cache_events_total",
        ("connector", "tier", "outcome"),
        "Cache lookups: hit, miss, stale, stale_if_error, last_known_good.",
    ),
    "cache_bypassed": (
        "colonnade_cache_bypassed_total",
        ("reason",),
        "Cache reads or writes skipped because shared state was unavailable.",
    ),
    "webhooks": (
        "colonnade_webhooks_total",
        ("source", "outcome"),
        "Webhook deliveries: stored, duplicate, refused, invalid, too_large, slow, unavailable.",
    ),
    "events_handled": (
        "colonnade_events_handled_total",
        ("source", "outcome"),
        "Stored events handed to their handler: done, retry, dead_letter.",
    ),
    "retry_budget_exhausted": (
        "colonnade_retry_budget_exhausted_total",
        ("connector",),
        "Retries refused by the retry budget.",
    ),
}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def render(telemetry: Telemetry) -> str:
    lines: list[str] = []
    by_family: dict[str, list[tuple[tuple[str, ...], int]]] = {}
    for key, value in sorted(telemetry.counters.items()):
        by_family.setdefault(key[0], []).append((key[1:], value))
    for family, (name, labels, help_text) in _FAMILIES.items():
        lines.append(f"# HELP {name} {help_text}")
        lines.append(f"# TYPE {name} counter")
        for values, count in by_family.get(family, []):
            pairs = ",".join(f'{k}="{_escape(v)}"' for k, v in zip(labels, values, strict=True))
            lines.append(f"{name}{{{pairs}}} {count}")
    return "\n".join(lines) + "\n"
