"""The outbound pipeline of one connector: cache → coalescing → the resilient call.

A connector hands over three things per call: the ``Operation`` it declared, a function that
performs one attempt (transport + classify + transform), and the pydantic codec of the result.
The pipeline decides everything else — whether a cached value answers, who shares an
in-flight call, how often and how long to try — the same way for every connector.

``read`` is one value; ``read_many`` is a DataLoader batch: each key is looked up in the cache,
and only the keys that miss go to the provider, in one call.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

import structlog
from pydantic import TypeAdapter

from colonnade.config import ConnectorSettings
from colonnade.errors import (
    CircuitOpen,
    StateUnavailable,
    UpstreamError,
    UpstreamOutcomeUnknown,
    UpstreamRateLimited,
    UpstreamRejected,
    UpstreamTimeout,
    UpstreamUnauthenticated,
)
from colonnade.fetched import Fetched
from colonnade.observability.tracing import traced_batch
from colonnade.pipeline import deadline
from colonnade.pipeline.cache import (
    Entry,
    Freshness,
    ResponseCache,
    Tier,
    decode_value,
    normalize,
)
from colonnade.pipeline.idempotency import IdempotencyRecords, fingerprint
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.resilient import Attempt, AttemptFn, ResilientCaller
from colonnade.pipeline.singleflight import SingleFlight
from colonnade.state import StateBackend
from colonnade.telemetry import Telemetry

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)
_log = structlog.get_logger("colonnade.pipeline")
_LOCK_POLL_S = 0.02
_MAX_REMEMBERED_TAGS = 10_000


class ConnectorPipeline:
    def __init__(
        self,
        connector: str,
        settings: ConnectorSettings,
        backend: StateBackend,
        cache: ResponseCache,
        telemetry: Telemetry,
        *,
        idempotency_ttl_s: float = 86_400.0,
    ) -> None:
        self.connector = connector
        self.settings = settings
        self.cache = cache
        self.caller = ResilientCaller(connector, settings, backend, telemetry)
        self._backend = backend
        self._shared = backend.name != "memory"
        self._flight: SingleFlight[str, Any] = SingleFlight()
        self._background: set[asyncio.Task[Any]] = set()
        self._invalidated_at: dict[str, float] = {}
        self._idempotency = IdempotencyRecords(
            backend, ttl_s=idempotency_ttl_s, lock_lease_s=settings.deadline_s * 2
        )

    # ---------------------------------------------------------------- reads
    async def read(
        self,
        op: Operation,
        args: Any,
        fetch: AttemptFn[T],
        codec: TypeAdapter[T],
        *,
        scope: str,
        tags: Sequence[str] = (),
    ) -> Fetched[T]:
        tier = self._tier(op)
        key = self.cache.key(op, args, scope)
        if tier is None:
            return Fetched(await self._join(op, key, self._uncached(op, fetch)))
        [entry] = await self.cache.lookup([key])
        return await self._resolve(op, key, entry, fetch, codec, tier, tags)

    @traced_batch
    async def read_each(
        self,
        op: Operation,
        keys: Sequence[K],
        fetch_one: Callable[[K, Attempt], Awaitable[T]],
        codec: TypeAdapter[T],
        *,
        scope: str,
        tags_for: Callable[[K], Sequence[str]] = lambda _k: (),
    ) -> dict[K, Fetched[T] | BaseException]:
        """Many keys, one provider call per key (an API with no batch endpoint): one cache
        round trip for all keys, then the misses concurrently, each coalesced and bounded by
        the bulkhead."""
        unique = list(dict.fromkeys(keys))
        tier = self._tier(op)
        cache_key = {k: self.cache.key(op, k, scope) for k in unique}

        def one(k: K) -> AttemptFn[T]:
            return lambda attempt: fetch_one(k, attempt)

        outcomes: Sequence[T | Fetched[T] | BaseException]
        if tier is None:
            outcomes = await asyncio.gather(
                *(self._join(op, cache_key[k], self._uncached(op, one(k))) for k in unique),
                return_exceptions=True,
            )
        else:
            entries = await self.cache.lookup([cache_key[k] for k in unique])
            outcomes = await asyncio.gather(
                *(
                    self._resolve(op, cache_key[k], entry, one(k), codec, tier, tags_for(k))
                    for k, entry in zip(unique, entries, strict=True)
                ),
                return_exceptions=True,
            )
        return {
            k: outcome if isinstance(outcome, BaseException) else _as_fetched(outcome)
            for k, outcome in zip(unique, outcomes, strict=True)
        }

    async def _resolve(
        self,
        op: Operation,
        key: str,
        entry: Entry | None,
        fetch: AttemptFn[T],
        codec: TypeAdapter[T],
        tier: Tier,
        tags: Sequence[str],
    ) -> Fetched[T]:
        """Fresh hit, stale hit (refresh behind), or miss (coalesced load; stale if it fails)."""
        cached = self._usable(entry, codec)
        if cached is not None and entry is not None:
            freshness = tier.freshness(entry.age(time.time()))
            if freshness is Freshness.FRESH:
                self.cache.count(op, tier, "hit")
                return Fetched(cached[0], as_of=entry.stored_at)
            if freshness is Freshness.STALE:
                self.cache.count(op, tier, "stale")
                self._revalidate(key, lambda: self._load(op, key, fetch, codec, tier, tags))
                return Fetched(cached[0], True, entry.stored_at, "stale_while_revalidate")
        self.cache.count(op, tier, "miss")
        try:
            value = await self._join(op, key, lambda: self._load(op, key, fetch, codec, tier, tags))
        except UpstreamError as err:
            reason = _reason_on_error(tier, entry)
            if cached is not None and entry is not None and reason is not None:
                self.cache.count(op, tier, reason)
                return Fetched(cached[0], True, entry.stored_at, reason, err.code.value)
            raise
        return Fetched(value)

    @traced_batch
    async def read_many(
        self,
        op: Operation,
        keys: Sequence[K],
        fetch_many: Callable[[list[K], Attempt], Awaitable[Mapping[K, T | UpstreamError]]],
        codec: TypeAdapter[T],
        *,
        scope: str,
        tags_for: Callable[[K], Sequence[str]] = lambda _k: (),
    ) -> dict[K, Fetched[T] | BaseException]:
        """One value (or the error) per key; only cache misses reach ``fetch_many``, in one call.

        ``fetch_many`` may answer a key with an ``UpstreamError`` (one record of the batch the
        provider sent could not be read): that key fails alone, uncached; its neighbours and
        the call itself succeed."""
        tier = self._tier(op)
        cache_key = {k: self.cache.key(op, k, scope) for k in dict.fromkeys(keys)}
        by_cache_key = {ck: k for k, ck in cache_key.items()}
        entries: list[Entry | None] = (
            await self.cache.lookup(list(cache_key.values())) if tier else [None] * len(cache_key)
        )
        results: dict[K, Fetched[T] | BaseException] = {}
        fallback: dict[K, tuple[T, Entry]] = {}
        missing: list[K] = []
        refresh: list[K] = []
        now = time.time()
        for k, entry in zip(cache_key, entries, strict=True):
            cached = self._usable(entry, codec)
            if tier is None or cached is None or entry is None:
                missing.append(k)
                continue
            freshness = tier.freshness(entry.age(now))
            if freshness is Freshness.FRESH:
                results[k] = Fetched(cached[0], as_of=entry.stored_at)
            elif freshness is Freshness.STALE:
                results[k] = Fetched(cached[0], True, entry.stored_at, "stale_while_revalidate")
                refresh.append(k)
            else:
                fallback[k] = (cached[0], entry)
                missing.append(k)
        if tier is not None:
            self.cache.count(op, tier, "hit", len(results) - len(refresh))
            self.cache.count(op, tier, "stale", len(refresh))
            self.cache.count(op, tier, "miss", len(missing))

        async def fetch_by_cache_key(
            cks: list[str], attempt: Attempt
        ) -> dict[str, T | UpstreamError]:
            wanted = [by_cache_key[ck] for ck in cks]
            got = await fetch_many(wanted, attempt)
            return {cache_key[k]: got[k] for k in wanted if k in got}

        async def load(cks: list[str]) -> dict[str, T | UpstreamError]:
            if tier is None:
                return await self.caller.call(
                    op, lambda attempt: fetch_by_cache_key(cks, attempt), idempotent=True
                )
            return await self._load_keys(
                op, cks, fetch_by_cache_key, codec, tier, lambda ck: tags_for(by_cache_key[ck])
            )

        if refresh:
            self._revalidate(
                "batch:" + normalize(sorted(cache_key[k] for k in refresh)),
                lambda: self._flight.do_many([cache_key[k] for k in refresh], load),
            )
        if missing:
            joined = sum(cache_key[k] in self._flight for k in missing)
            self.caller.telemetry.coalesced(op.connector, op.name, joined)
            loaded = await self._flight.do_many(
                [cache_key[k] for k in missing],
                self._detached_many(load),
                wait_s=deadline.remaining(),
            )
            for k in missing:
                outcome = loaded[cache_key[k]]
                if isinstance(outcome, TimeoutError):
                    outcome = self._gave_up(op)
                if not isinstance(outcome, BaseException):
                    results[k] = Fetched(outcome)
                elif isinstance(outcome, UpstreamError) and k in fallback and tier is not None:
                    value, entry = fallback[k]
                    reason = _reason_on_error(tier, entry)
                    if reason is not None:
                        self.cache.count(op, tier, reason)
                        results[k] = Fetched(
                            value, True, entry.stored_at, reason, outcome.code.value
                        )
                    else:
                        results[k] = outcome
                else:
                    results[k] = outcome
        return results

    # ---------------------------------------------------------------- writes
    async def write(
        self,
        op: Operation,
        send: AttemptFn[T],
        codec: TypeAdapter[T],
        *,
        args: Any,
        scope: str,
        idempotency_key: str | None,
        reconcile: Callable[[], Awaitable[T | None]] | None = None,
        invalidate_tags: Sequence[str] = (),
    ) -> T:
        """Never cached. Retried only when a key makes it safe; invalidates what it changes.

        A failure after the request may have reached the provider is UPSTREAM_OUTCOME_UNKNOWN,
        never the "not applied" codes: a client must not blindly send it again."""
        try:
            result = await self._write(op, send, codec, args, scope, idempotency_key, reconcile)
        except UpstreamError as err:
            unknown = _outcome_unknown(op, err, keyed=idempotency_key is not None)
            if unknown is None:
                raise
            await self._invalidate(invalidate_tags)  # it may have changed them all the same
            raise unknown from err
        await self._invalidate(invalidate_tags)
        return result

    async def _invalidate(self, tags: Sequence[str]) -> None:
        if not tags:
            return
        now = time.monotonic()
        if len(self._invalidated_at) > _MAX_REMEMBERED_TAGS:
            self._invalidated_at.clear()  # a read racing that far back is long done
        self._invalidated_at.update(dict.fromkeys(tags, now))
        await self.cache.invalidate(tags=tags)

    async def _write(
        self,
        op: Operation,
        send: AttemptFn[T],
        codec: TypeAdapter[T],
        args: Any,
        scope: str,
        idempotency_key: str | None,
        reconcile: Callable[[], Awaitable[T | None]] | None,
    ) -> T:
        if idempotency_key is None:
            return await self.caller.call(op, send, idempotent=False)
        # Concurrent repeats of one keyed write in this process share one call.
        args_fingerprint = fingerprint(args)
        flight_key = f"write:{op.name}:{scope}:{args_fingerprint}:{idempotency_key}"
        if op.native_idempotency:
            return await self._join(
                op, flight_key, lambda: self.caller.call(op, send, idempotent=True)
            )
        return await self._join(
            op,
            flight_key,
            lambda: self._idempotency.run(
                self.caller,
                op,
                idempotency_key,
                args_fingerprint,
                send,
                codec,
                reconcile,
                scope=scope,
            ),
        )

    # ---------------------------------------------------------------- internals
    async def _join(self, op: Operation, key: str, fn: Callable[[], Awaitable[T]]) -> T:
        """Join or start the shared call for ``key``. It runs on the connector's own budget,
        not the first caller's; each caller waits only as long as its own deadline allows."""

        async def detached() -> T:
            with deadline.detached_scope(self.settings.deadline_s):
                return await fn()

        if key in self._flight:
            self.caller.telemetry.coalesced(op.connector, op.name, 1)
        try:
            result: T = await self._flight.do(key, detached, wait_s=deadline.remaining())
        except TimeoutError:
            raise self._gave_up(op) from None
        return result

    def _detached_many(
        self, load: Callable[[list[str]], Awaitable[dict[str, T | UpstreamError]]]
    ) -> Callable[[list[str]], Awaitable[dict[str, T | UpstreamError]]]:
        async def detached(cks: list[str]) -> dict[str, T | UpstreamError]:
            with deadline.detached_scope(self.settings.deadline_s):
                return await load(cks)

        return detached

    def _gave_up(self, op: Operation) -> UpstreamTimeout:
        """This caller's deadline ran out while a shared call was still under way."""
        return UpstreamTimeout(
            f"{self.connector}: no answer within the request's deadline",
            connector=self.connector,
            operation=op.name,
            request_sent=not op.is_read,  # a shared write goes on: it may well succeed
        )

    def _tier(self, op: Operation) -> Tier | None:
        return self.cache.tier(op, self.settings.cache_tiers.get(op.name))

    def _uncached(self, op: Operation, fetch: AttemptFn[T]) -> Callable[[], Awaitable[T]]:
        return lambda: self.caller.call(op, fetch, idempotent=True)

    @staticmethod
    def _usable(entry: Entry | None, codec: TypeAdapter[T]) -> tuple[T] | None:
        if entry is None:
            return None
        return decode_value(entry, codec)

    async def _load(
        self,
        op: Operation,
        key: str,
        fetch: AttemptFn[T],
        codec: TypeAdapter[T],
        tier: Tier,
        tags: Sequence[str],
    ) -> T:
        async def fetch_one(_: list[str], attempt: Attempt) -> dict[str, T | UpstreamError]:
            return {key: await fetch(attempt)}

        loaded = (await self._load_keys(op, [key], fetch_one, codec, tier, lambda _ck: tags))[key]
        if isinstance(loaded, UpstreamError):
            raise loaded
        return loaded

    async def _load_keys(
        self,
        op: Operation,
        keys: list[str],
        fetch: Callable[[list[str], Attempt], Awaitable[Mapping[str, T | UpstreamError]]],
        codec: TypeAdapter[T],
        tier: Tier,
        tags_for: Callable[[str], Sequence[str]],
    ) -> dict[str, T | UpstreamError]:
        """Miss path for cache keys: fetch, store. With shared state, a short lock per key
        keeps replicas from stampeding: a key another replica is fetching is awaited from the
        cache instead (and fetched here after all if it does not show up in time)."""
        token = secrets.token_hex(8).encode()
        started = time.monotonic()
        found: dict[str, T | UpstreamError] = {}
        locked = keys
        if self._shared:
            got_lock = await asyncio.gather(*(self._try_lock(k, token) for k in keys))
            locked = [k for k, ok in zip(keys, got_lock, strict=True) if ok]
            others = [k for k, ok in zip(keys, got_lock, strict=True) if not ok]
            if others:
                theirs: dict[str, T] = await self._await_other_replicas(others, codec, tier)
                found.update(theirs)
        missing = [k for k in keys if k not in found]
        try:
            if missing:
                got = await self.caller.call(
                    op, lambda attempt: fetch(missing, attempt), idempotent=True
                )
                for k in missing:
                    if k not in got:
                        continue
                    value = got[k]
                    if not isinstance(value, UpstreamError):  # a failed record is not cached
                        tags = tags_for(k)
                        if not self._written_since(tags, started):
                            await self.cache.store(k, value, codec, tier, tags)
                    found[k] = value
            return found
        finally:
            if self._shared and locked:
                with contextlib.suppress(StateUnavailable):
                    await asyncio.gather(
                        *(self._backend.delete_if_equals("lock:" + k, token) for k in locked)
                    )

    def _written_since(self, tags: Sequence[str], started: float) -> bool:
        """A write in this process invalidated one of these tags after this read began: its
        answer may predate the write, so it is served but not cached."""
        return any(self._invalidated_at.get(tag, -1.0) >= started for tag in tags)

    async def _try_lock(self, key: str, token: bytes) -> bool:
        try:
            return await self._backend.set_if_absent("lock:" + key, token, self.cache.lock_ttl_s)
        except StateUnavailable:
            return True  # no shared state: behave as the only replica

    async def _await_other_replicas(
        self, keys: list[str], codec: TypeAdapter[T], tier: Tier
    ) -> dict[str, T]:
        """Poll the cache for keys other replicas are fetching; whatever arrives fresh."""
        found: dict[str, T] = {}
        give_up = time.monotonic() + deadline.bounded(self.cache.lock_ttl_s)
        pending = list(keys)
        while pending and time.monotonic() < give_up:
            await asyncio.sleep(_LOCK_POLL_S)
            entries = await self.cache.lookup(pending)
            now = time.time()
            for k, entry in zip(list(pending), entries, strict=True):
                cached = self._usable(entry, codec)
                fresh = entry is not None and tier.freshness(entry.age(now)) is Freshness.FRESH
                if cached is not None and fresh:
                    found[k] = cached[0]
                    pending.remove(k)
        return found

    def _revalidate(self, name: str, refresh: Callable[[], Awaitable[Any]]) -> None:
        """Refresh in the background, once per key, with its own deadline (not the request's)."""

        async def run() -> None:
            with deadline.detached_scope(self.settings.deadline_s):
                try:
                    await self._flight.do("refresh:" + name, refresh)
                except UpstreamError as err:
                    _log.info("revalidate_failed", connector=self.connector, code=err.code.value)

        if ("refresh:" + name) in self._flight:
            return
        task = asyncio.create_task(run())
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def aclose(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)


# Answers that say the write was not applied (or never sent); anything else after sending is not.
_NOT_APPLIED = (UpstreamRejected, UpstreamRateLimited, UpstreamUnauthenticated, CircuitOpen)


def _outcome_unknown(
    op: Operation, err: UpstreamError, *, keyed: bool
) -> UpstreamOutcomeUnknown | None:
    """The error to show when a write may have been applied; None when it surely was not.

    A refusal says "not applied" only for its own attempt: when an earlier attempt of the same
    call may have reached the provider (a keyed write retried after a timeout, then refused or
    stopped by the breaker), the write may still have been applied by that earlier attempt."""
    if not err.request_sent or isinstance(err, UpstreamOutcomeUnknown):
        return None
    if isinstance(err, _NOT_APPLIED):
        local = isinstance(err, CircuitOpen) or (
            isinstance(err, UpstreamRateLimited) and err.status is None  # our own bucket
        )
        own = 0 if local else 1  # a provider's refusal was itself one of the sent attempts
        if err.attempts_sent <= own:
            return None
    then = (
        "send it again with the same idempotencyKey to get its result"
        if keyed
        else "check whether it was applied before sending it again"
    )
    return UpstreamOutcomeUnknown(
        f"{op.connector} may have applied this write, but its answer was lost "
        f"({err.code.value}); {then}",
        connector=op.connector,
        operation=op.name,
    )


def _as_fetched(value: Any) -> Fetched[Any]:
    return value if isinstance(value, Fetched) else Fetched(value)


def _reason_on_error(tier: Tier, entry: Entry | None) -> str | None:
    """Which label a stored entry is served under when the provider failed (None: it is not)."""
    if entry is None:
        return None
    freshness = tier.freshness(entry.age(time.time()))
    if freshness is Freshness.EXPIRED:
        return None
    return "last_known_good" if freshness is Freshness.LAST_KNOWN_GOOD else "stale_if_error"
