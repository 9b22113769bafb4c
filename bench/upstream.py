"""The sandbox providers' control API: upstream call counts, faults, base latency.

Counts come from ``GET /__sandbox/calls`` (what each provider actually received), read before
and after a workload; the difference divided by the queries answered is "upstream calls per
query". The control endpoints themselves are not counted by the sandbox.
"""

from __future__ import annotations

from typing import Any

import httpx

Calls = dict[str, int]
"""``"erp.ZSD_SALESORDER_GETLIST" -> count``"""


class SandboxControl:
    def __init__(self, base_url: str) -> None:
        self._http = httpx.AsyncClient(base_url=base_url, timeout=10.0)

    async def calls(self) -> Calls:
        response = await self._http.get("/__sandbox/calls")
        response.raise_for_status()
        body: dict[str, dict[str, int]] = response.json()
        return {op: n for per_provider in body.values() for op, n in per_provider.items()}

    async def add_fault(self, **fault: Any) -> None:
        response = await self._http.post("/__sandbox/faults", json=fault)
        response.raise_for_status()

    async def clear_faults(self) -> None:
        (await self._http.delete("/__sandbox/faults")).raise_for_status()

    async def set_latency(self, seconds: float) -> None:
        response = await self._http.post("/__sandbox/latency", json={"base_latency_s": seconds})
        response.raise_for_status()

    async def aclose(self) -> None:
        await self._http.aclose()


def diff(before: Calls, after: Calls) -> Calls:
    ops = sorted(set(before) | set(after))
    return {
        op: after.get(op, 0) - before.get(op, 0)
        for op in ops
        if after.get(op, 0) != before.get(op, 0)
    }


def by_provider(calls: Calls) -> dict[str, int]:
    out: dict[str, int] = {}
    for op, n in calls.items():
        provider = op.split(".", 1)[0]
        out[provider] = out.get(provider, 0) + n
    return out
