"""Coalescing: callers asking for the same key at once share one call.

The shared call runs on the connector's own deadline, never the first caller's: each caller
waits only as long as its own deadline allows (then gives up with ``UpstreamTimeout``) while
the call goes on for the others. Background refreshes (stale-while-revalidate) run through
the same flights, once per key, on a deadline of their own.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any, TypeVar

import structlog

from colonnade.errors import UpstreamError, UpstreamTimeout
from colonnade.pipeline import deadline
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.singleflight import SingleFlight
from colonnade.telemetry import Telemetry

T = TypeVar("T")
Load = Callable[[list[str]], Awaitable[Mapping[str, T | UpstreamError]]]
_log = structlog.get_logger("colonnade.pipeline")


class Coalescer:
    """One per connector: its in-flight calls and background refreshes."""

    def __init__(self, connector: str, deadline_s: float, telemetry: Telemetry) -> None:
        self.connector = connector
        self._deadline_s = deadline_s
        self._telemetry = telemetry
        self._flight: SingleFlight[str, Any] = SingleFlight()
        self._background: set[asyncio.Task[Any]] = set()
        self._refreshing = True

    @property
    def in_flight(self) -> int:
        """Shared calls under way (refreshes included)."""
        return len(self._flight)

    @property
    def refreshing(self) -> int:
        """Background refreshes not finished yet."""
        return len(self._background)

    async def join(self, op: Operation, key: str, fn: Callable[[], Awaitable[T]]) -> T:
        """Join or start the shared call for ``key``."""

        async def detached() -> T:
            with deadline.detached_scope(self._deadline_s):
                return await fn()

        if key in self._flight:
            self._telemetry.coalesced(op.connector, op.name, 1)
        try:
            result: T = await self._flight.do(key, detached, wait_s=deadline.remaining())
        except TimeoutError:
            raise self.gave_up(op) from None
        return result

    async def join_many(
        self, op: Operation, keys: Sequence[str], load: Load[T]
    ) -> dict[str, T | BaseException]:
        """Join the flights of ``keys`` under way, one shared ``load`` for the rest. A key
        this caller stopped waiting for is ``UpstreamTimeout``."""
        joined = sum(k in self._flight for k in keys)
        self._telemetry.coalesced(op.connector, op.name, joined)

        async def detached(cks: list[str]) -> Mapping[str, T | UpstreamError]:
            with deadline.detached_scope(self._deadline_s):
                return await load(cks)

        loaded = await self._flight.do_many(keys, detached, wait_s=deadline.remaining())
        return {
            k: self.gave_up(op) if isinstance(v, TimeoutError) else v for k, v in loaded.items()
        }

    async def share_many(self, keys: Sequence[str], load: Load[T]) -> None:
        """Load ``keys`` through the flights (joining those under way), on the caller's
        deadline: what a background refresh does."""
        await self._flight.do_many(keys, load)

    def refresh_behind(self, name: str, refresh: Callable[[], Awaitable[Any]]) -> None:
        """Refresh in the background, once per name, with its own deadline (not the
        request's)."""
        flight = "refresh:" + name

        async def run() -> None:
            with deadline.detached_scope(self._deadline_s):
                try:
                    await self._flight.do(flight, refresh)
                except UpstreamError as err:
                    _log.info("revalidate_failed", connector=self.connector, code=err.code.value)

        if flight in self._flight or not self._refreshing:
            return
        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    def stop_refreshing(self) -> None:
        """The process is shutting down: serve what is stale as it is, start no refresh (one
        under way finishes, or is cancelled by ``aclose``). Only sets a flag: safe from a
        signal handler."""
        self._refreshing = False

    def gave_up(self, op: Operation) -> UpstreamTimeout:
        """This caller's deadline ran out while a shared call was still under way."""
        return UpstreamTimeout(
            f"{self.connector}: no answer within the request's deadline",
            connector=self.connector,
            operation=op.name,
            request_sent=not op.is_read,  # a shared write goes on: it may well succeed
        )

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
