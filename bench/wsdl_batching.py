"""What key batching saves a WSDL connector: upstream calls and time for N order numbers.

A ``WsdlConnector`` over the ERP's WSDL (configuration only) against the ERP sandbox on
loopback: N numbers through ``read_keys`` (one ZSD_SALESORDER_GETDETAIL per ``max_keys``),
the same again (cached per number), and N unbatched ``read`` calls of one number each.

    python bench/wsdl_batching.py --numbers 100 --max-keys 25

Prints one JSON object: calls counted by the sandbox's recorder, batch sizes, milliseconds.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import secrets
import time
from typing import Any

import structlog

from colonnade.config import Settings
from colonnade.runtime import Runtime
from colonnade.sandboxes import SandboxSet
from colonnade.state import MemoryBackend
from colonnade.wsdl_import.connector import WsdlConnector
from colonnade.wsdl_import.settings import WsdlSettings

GETDETAIL = "ZSD_SALESORDER_GETDETAIL"


async def measure(base_url: str, password: str, erp: Any, n: int, max_keys: int) -> dict[str, Any]:
    def connector() -> WsdlConnector:
        table = {
            "base_url": base_url,
            "wsdl": "erp/zsd_salesorder.wsdl",
            "username": "COLONNADE",
            "password": password,
            "query": ["ZSD_SALESORDER_GETLIST", GETDETAIL],
            "batch": {
                GETDETAIL: {
                    "keys": "IT_ORDERS.item",
                    "match": "ET_ORDERS.item.VBELN",
                    "max_keys": max_keys,
                }
            },
        }
        runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
        return WsdlConnector(WsdlSettings(**table), runtime, name="sap")

    numbers = [f"0000500{i:03d}" for i in range(1, n + 1)]
    out: dict[str, Any] = {"numbers": n, "max_keys": max_keys}
    for label, run in (
        ("batched", lambda c: c.read_keys(GETDETAIL, numbers)),
        ("unbatched", lambda c: asyncio.gather(
            *(c.read(GETDETAIL, {"IT_ORDERS": {"item": [x]}}) for x in numbers)
        )),
    ):  # fmt: skip
        c = connector()
        for attempt in ("first", "cached"):
            erp.recorder.reset()
            started = time.perf_counter()
            await run(c)
            calls = erp.recorder.calls(f"erp.{GETDETAIL}")
            out[f"{label}_{attempt}"] = {
                "calls": len(calls),
                "batch_sizes": sorted({x.batch_size for x in calls}),
                "ms": round((time.perf_counter() - started) * 1000),
            }
        await c.aclose()
        await c.runtime.aclose()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--numbers", type=int, default=100)
    parser.add_argument("--max-keys", type=int, default=100)
    args = parser.parse_args()
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(logging.WARNING))
    password = secrets.token_urlsafe(12)
    providers = SandboxSet(customers=200, erp={"user": "COLONNADE", "password": password})
    with providers.serve() as server:
        result = asyncio.run(
            measure(server.base_url, password, providers.erp, args.numbers, args.max_keys)
        )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
