"""Build a ``WsdlConnector`` against a served sandbox, as the plugin will from a config table."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from colonnade.config import Settings
from colonnade.runtime import Runtime
from colonnade.state import MemoryBackend
from colonnade.wsdl_import.connector import WsdlConnector
from colonnade.wsdl_import.settings import WsdlSettings

FAST_RETRY = {
    "max_attempts": 3,
    "base_delay_s": 0.001,
    "max_delay_s": 0.005,
    "budget_ratio": 1.0,
    "budget_min_per_s": 1000.0,
}


@asynccontextmanager
async def wsdl_connector(name: str, **table: Any) -> AsyncIterator[WsdlConnector]:
    """A fresh connector from one ``[connectors.<name>]`` table (own state), closed after."""
    table.setdefault("retry", FAST_RETRY)
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    connector = WsdlConnector(WsdlSettings(**table), runtime, name=name)
    try:
        yield connector
    finally:
        await connector.aclose()
        await runtime.aclose()
