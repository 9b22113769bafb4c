"""Build a ``SoapConnector`` subclass against a served sandbox, outside the facade: the SDK
is tested as a connector author would use it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

from colonnade.config import Settings
from colonnade.runtime import Runtime
from colonnade.soap import SoapConnector
from colonnade.soap_settings import SoapSettings
from colonnade.state import MemoryBackend

C = TypeVar("C", bound=SoapConnector)

FAST_RETRY = {
    "max_attempts": 3,
    "base_delay_s": 0.001,
    "max_delay_s": 0.005,
    "budget_ratio": 1.0,
    "budget_min_per_s": 1000.0,  # the retry budget is not what these tests are about
}


@asynccontextmanager
async def soap_connector(cls: type[C], **settings: Any) -> AsyncIterator[C]:
    """A fresh connector (own breaker, own in-memory state), closed after."""
    settings.setdefault("retry", FAST_RETRY)
    runtime = Runtime.create(Settings(sandbox={"embedded": "off"}), backend=MemoryBackend())
    connector = cls(SoapSettings(**settings), runtime)
    try:
        yield connector
    finally:
        await connector.aclose()
        await runtime.aclose()
