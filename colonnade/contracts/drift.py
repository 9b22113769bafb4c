"""Drift between a recorded contract and what the provider answers now, field by field.

Removed fields and changed kinds break the connector's reads (errors); a removed field next to
an added one of the same kind under the same parent is reported as a probable rename; added
fields and parameters are information. A request that succeeded when recorded and is refused
now is how a provider's new required parameter shows up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Drift:
    severity: str  # "error" | "info"
    interaction: str
    what: str

    def __str__(self) -> str:
        return f"{self.severity.upper():5} {self.interaction}: {self.what}"


def _parent(path: str) -> str:
    return path.rsplit(".", 1)[0] if "." in path else ""


def _compare_shapes(
    where: str, side: str, old: dict[str, list[str]], new: dict[str, list[str]]
) -> list[Drift]:
    out: list[Drift] = []
    removed = [p for p in old if p not in new]
    added = [p for p in new if p not in old]
    renamed: set[str] = set()
    for path in removed:
        twins = [
            p
            for p in added
            if p not in renamed and _parent(p) == _parent(path) and new[p] == old[path]
        ]
        if len(twins) == 1:
            renamed.add(twins[0])
            out.append(Drift("error", where, f"{side} field {path!r} renamed to {twins[0]!r}?"))
        else:
            out.append(Drift("error", where, f"{side} field {path!r} removed"))
    for path in added:
        if path not in renamed:
            out.append(Drift("info", where, f"{side} field {path!r} added ({'/'.join(new[path])})"))
    for path in old:
        if path in new and not set(old[path]) >= set(new[path]):
            out.append(
                Drift(
                    "error",
                    where,
                    f"{side} field {path!r} changed kind: {'/'.join(old[path])} → "
                    f"{'/'.join(new[path])}",
                )
            )
    return out


def compare(recorded: dict[str, Any], current: dict[str, Any]) -> list[Drift]:
    """Every difference between two ``Recorder.as_json()`` documents."""
    out: list[Drift] = []
    for key, old in recorded.items():
        new = current.get(key)
        if new is None:
            out.append(
                Drift("error", key, "no longer exercised (the probe or the connector changed)")
            )
            continue
        ok_then = any(200 <= s < 300 for s in old["statuses"])
        refused_now = [s for s in new["statuses"] if s >= 400]
        if ok_then and refused_now and not any(200 <= s < 300 for s in new["statuses"]):
            out.append(
                Drift("error", key, f"now refused with {refused_now} (a new required parameter?)")
            )
        for kind in ("query_params", "form_params"):
            for name in sorted(set(new[kind]) - set(old[kind])):
                out.append(Drift("info", key, f"sends a new {kind[:-7]} parameter {name!r}"))
            for name in sorted(set(old[kind]) - set(new[kind])):
                out.append(Drift("info", key, f"no longer sends {kind[:-7]} parameter {name!r}"))
        out += _compare_shapes(key, "request", old["request"], new["request"])
        out += _compare_shapes(key, "response", old["response"], new["response"])
    for key in current.keys() - recorded.keys():
        out.append(Drift("info", key, "new interaction (record the contract again)"))
    return out
