"""Singleflight: concurrent identical reads share one in-flight call.

Hand-written (no maintained asyncio library does this with the two properties we need):
the shared call runs as its own task, and every caller awaits it through ``asyncio.shield``,
so one caller's cancellation never cancels the call for the others; and keys can join a flight
one by one, so two overlapping DataLoader batches share the keys they have in common and fetch
only the rest.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, Generic, TypeVar

K = TypeVar("K", bound=Hashable)
T = TypeVar("T")


def _retrieve(fut: asyncio.Future[Any]) -> None:
    """Mark a failure as seen: when every waiter left, nobody else would."""
    if not fut.cancelled():
        fut.exception()


class SingleFlight(Generic[K, T]):
    def __init__(self) -> None:
        self._inflight: dict[K, asyncio.Future[T]] = {}
        self._tasks: set[asyncio.Future[Any]] = set()

    def __len__(self) -> int:
        return len(self._inflight)

    def __contains__(self, key: object) -> bool:
        return key in self._inflight

    async def do(self, key: K, fn: Callable[[], Awaitable[T]], *, wait_s: float | None = None) -> T:
        """The shared result. ``wait_s`` bounds this caller's wait (``TimeoutError``) without
        touching the shared call, which others may still be waiting for."""
        fut = self._inflight.get(key)
        if fut is None:
            fut = asyncio.ensure_future(fn())
            self._inflight[key] = fut
            fut.add_done_callback(self._forgetter(key))
            fut.add_done_callback(_retrieve)
        async with asyncio.timeout(wait_s):
            return await asyncio.shield(fut)

    async def do_many(
        self,
        keys: Sequence[K],
        fn: Callable[[list[K]], Awaitable[Mapping[K, T]]],
        *,
        wait_s: float | None = None,
    ) -> dict[K, T | BaseException]:
        """Fetch ``keys``: join flights already under way, start one call for the rest.

        Returns a value or the exception per key; a key missing from ``fn``'s answer gets
        ``KeyError``; a key still in flight when ``wait_s`` runs out gets ``TimeoutError``.
        """
        loop = asyncio.get_running_loop()
        mine = [k for k in dict.fromkeys(keys) if k not in self._inflight]
        if mine:
            futures = {k: loop.create_future() for k in mine}
            for k, f in futures.items():
                self._inflight[k] = f
                f.add_done_callback(self._forgetter(k))
                f.add_done_callback(_retrieve)
            task = asyncio.ensure_future(fn(mine))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)
            task.add_done_callback(lambda t: _settle(t, futures))
        waits = {k: self._inflight[k] for k in dict.fromkeys(keys)}
        results: dict[K, T | BaseException] = {}
        try:
            async with asyncio.timeout(wait_s):
                for k, f in waits.items():
                    try:
                        results[k] = await asyncio.shield(f)
                    except asyncio.CancelledError:
                        if f.cancelled():
                            results[k] = asyncio.CancelledError()
                            continue
                        raise
                    except Exception as exc:  # noqa: BLE001 - handed back per key
                        results[k] = exc
        except TimeoutError:
            for k in waits:
                results.setdefault(k, TimeoutError())
        return results

    def _forgetter(self, key: K) -> Callable[[asyncio.Future[T]], None]:
        def forget(fut: asyncio.Future[T]) -> None:
            if self._inflight.get(key) is fut:
                del self._inflight[key]

        return forget


def _settle(task: asyncio.Future[Mapping[K, T]], futures: Mapping[K, asyncio.Future[T]]) -> None:
    if task.cancelled():
        for f in futures.values():
            f.cancel()
        return
    exc = task.exception()
    for k, f in futures.items():
        if f.done():
            continue
        if exc is not None:
            f.set_exception(exc)
            continue
        answer = task.result()
        if k in answer:
            f.set_result(answer[k])
        else:
            f.set_exception(KeyError(k))
