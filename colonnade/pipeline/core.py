"""The outbound pipeline of one connector: cache → coalescing → the resilient call.

A connector hands over three things per call: the ``Operation`` it declared, a function that
performs one attempt (transport + classify + transform), and the pydantic codec of the result.
The pipeline decides everything else — whether a cached value answers, who shares an
in-flight call, how often and how long to try — the same way for every connector.

``read`` is one value; ``read_each`` is many keys with one provider call per key;
``read_many`` is a DataLoader batch: each key is looked up in the cache, and only the keys
that miss go to the provider, in one call. This module only composes the ideas, each in its
own module: the freshness decision (``freshness``), coalescing (``coalesce``), the
cross-replica stampede lock (``stampede``), keyed writes (``keyed_write``) and read/write
races (``races``).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from typing import Any, TypeVar

from pydantic import TypeAdapter

from colonnade.config import ConnectorSettings
from colonnade.errors import UpstreamError
from colonnade.fetched import Fetched, as_fetched
from colonnade.observability.tracing import traced_batch
from colonnade.pipeline.cache import Entry, ResponseCache, Tier, normalize
from colonnade.pipeline.coalesce import Coalescer
from colonnade.pipeline.freshness import Lookup, look, stand_in
from colonnade.pipeline.idempotency import IdempotencyRecords
from colonnade.pipeline.keyed_write import KeyedWrites, outcome_unknown
from colonnade.pipeline.operation import Operation
from colonnade.pipeline.races import WriteRaces
from colonnade.pipeline.resilient import Attempt, AttemptFn, FetchKeys, ResilientCaller
from colonnade.pipeline.stampede import StampedeGuard
from colonnade.state import StateBackend
from colonnade.telemetry import Telemetry

__all__ = ["ConnectorPipeline", "Fetched"]  # Fetched: re-exported until callers move

T = TypeVar("T")
K = TypeVar("K", bound=Hashable)


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
        self.coalescer = Coalescer(connector, settings.deadline_s, telemetry)
        self._stampede = StampedeGuard(backend, cache, shared=backend.name != "memory")
        self._races = WriteRaces()
        records = IdempotencyRecords(
            backend, ttl_s=idempotency_ttl_s, lock_lease_s=settings.deadline_s * 2
        )
        self._keyed = KeyedWrites(self.caller, self.coalescer, records)

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
        [entry] = await self._lookup(op, [args], scope)
        return await self._read_one(op, args, fetch, codec, scope, tags, entry)

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
        the bulkhead; each through its key's breaker (see ``Operation.breaker_scope``)."""
        unique = list(dict.fromkeys(keys))
        entries = await self._lookup(op, unique, scope)

        def one(k: K) -> AttemptFn[T]:
            return lambda attempt: fetch_one(k, attempt)

        outcomes = await asyncio.gather(
            *(
                self._read_one(op, k, one(k), codec, scope, tags_for(k), entry)
                for k, entry in zip(unique, entries, strict=True)
            ),
            return_exceptions=True,
        )
        return {
            k: outcome if isinstance(outcome, BaseException) else as_fetched(outcome)
            for k, outcome in zip(unique, outcomes, strict=True)
        }

    async def _read_one(
        self,
        op: Operation,
        args: Any,
        fetch: AttemptFn[T],
        codec: TypeAdapter[T],
        scope: str,
        tags: Sequence[str],
        entry: Entry | None,
    ) -> Fetched[T]:
        """Fresh hit, stale hit (refresh behind), or miss (coalesced load; stale if it fails);
        ``entry`` is what the cache held for ``args``."""
        tier = self._tier(op)
        key = self.cache.key(op, args, scope)
        group = op.group_of(args)
        if tier is None:
            uncached = self.coalescer.join(
                op, key, lambda: self.caller.call(op, fetch, idempotent=True, group=group)
            )
            return Fetched(await uncached)
        lookup: Lookup[T] = look(entry, codec, tier, time.time())
        self.cache.count(op, tier, lookup.outcome)

        def load() -> Awaitable[T]:
            return self._load(op, key, fetch, codec, tier, tags, group)

        if lookup.served is not None:
            if lookup.outcome == "stale":
                self.coalescer.refresh_behind(key, load)
            return lookup.served
        try:
            return Fetched(await self.coalescer.join(op, key, load))
        except UpstreamError as err:
            instead = stand_in(tier, lookup.fallback, err)
            if instead is None:
                raise
            self.cache.count(op, tier, instead[1])
            return instead[0]

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
        """One value (or the error) per key; only cache misses reach ``fetch_many``, in one call
        (one per key group, when the operation's breaker is grouped by key).

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
        lookups: dict[K, Lookup[T]] = {}
        now = time.time()
        for k, entry in zip(cache_key, entries, strict=True):
            lookups[k] = Lookup("miss") if tier is None else look(entry, codec, tier, now)
            served = lookups[k].served
            if served is not None:
                results[k] = served
        missing = [k for k, lookup in lookups.items() if lookup.served is None]
        refresh = [k for k, lookup in lookups.items() if lookup.outcome == "stale"]
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

        def group_for(ck: str) -> str | None:
            return op.group_of(by_cache_key[ck])

        async def load(cks: list[str]) -> Mapping[str, T | UpstreamError]:
            if tier is None:
                return await self.caller.call_keys(op, cks, fetch_by_cache_key, group_for)
            return await self._load_keys(
                op,
                cks,
                fetch_by_cache_key,
                codec,
                tier,
                lambda ck: tags_for(by_cache_key[ck]),
                group_for,
            )

        if refresh:
            refreshed = [cache_key[k] for k in refresh]
            self.coalescer.refresh_behind(
                "batch:" + normalize(sorted(refreshed)),
                lambda: self.coalescer.share_many(refreshed, load),
            )
        if missing:
            loaded = await self.coalescer.join_many(op, [cache_key[k] for k in missing], load)
            for k in missing:
                outcome = loaded[cache_key[k]]
                if not isinstance(outcome, BaseException):
                    results[k] = Fetched(outcome)
                    continue
                if isinstance(outcome, UpstreamError) and tier is not None:
                    instead = stand_in(tier, lookups[k].fallback, outcome)
                    if instead is not None:
                        self.cache.count(op, tier, instead[1])
                        results[k] = instead[0]
                        continue
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
            result = await self._keyed.send(
                op,
                send,
                codec,
                args=args,
                scope=scope,
                idempotency_key=idempotency_key,
                reconcile=reconcile,
            )
        except UpstreamError as err:
            unknown = outcome_unknown(op, err, keyed=idempotency_key is not None)
            if unknown is None:
                raise
            await self._invalidate(invalidate_tags)  # it may have changed them all the same
            raise unknown from err
        await self._invalidate(invalidate_tags)
        return result

    async def _invalidate(self, tags: Sequence[str]) -> None:
        if tags:
            self._races.written(tags)
            await self.cache.invalidate(tags=tags)

    # ---------------------------------------------------------------- internals
    def _tier(self, op: Operation) -> Tier | None:
        return self.cache.tier(op, self.settings.cache_tiers.get(op.name))

    async def _lookup(self, op: Operation, keys: Sequence[Any], scope: str) -> list[Entry | None]:
        """What the cache holds for each key (one round trip; nothing when uncached)."""
        if self._tier(op) is None:
            return [None] * len(keys)
        return await self.cache.lookup([self.cache.key(op, k, scope) for k in keys])

    async def _load(
        self,
        op: Operation,
        key: str,
        fetch: AttemptFn[T],
        codec: TypeAdapter[T],
        tier: Tier,
        tags: Sequence[str],
        group: str | None,
    ) -> T:
        async def fetch_one(_: list[str], attempt: Attempt) -> dict[str, T | UpstreamError]:
            return {key: await fetch(attempt)}

        loaded = (
            await self._load_keys(
                op, [key], fetch_one, codec, tier, lambda _ck: tags, lambda _ck: group
            )
        )[key]
        if isinstance(loaded, UpstreamError):
            raise loaded
        return loaded

    async def _load_keys(
        self,
        op: Operation,
        keys: list[str],
        fetch: FetchKeys[str, T],
        codec: TypeAdapter[T],
        tier: Tier,
        tags_for: Callable[[str], Sequence[str]],
        group_for: Callable[[str], str | None],
    ) -> dict[str, T | UpstreamError]:
        """Miss path for cache keys: what other replicas fetched meanwhile, else fetch and
        store (unless a write raced this read)."""
        started = self._races.clock()
        async with self._stampede.claim(keys, codec, tier) as found_elsewhere:
            found: dict[str, T | UpstreamError] = dict(found_elsewhere)
            missing = [k for k in keys if k not in found]
            if missing:
                got = await self.caller.call_keys(op, missing, fetch, group_for)
                for k in missing:
                    if k not in got:
                        continue
                    value = got[k]
                    if not isinstance(value, UpstreamError):  # a failed record is not cached
                        tags = tags_for(k)
                        if not self._races.written_since(tags, started):
                            await self.cache.store(k, value, codec, tier, tags)
                    found[k] = value
            return found

    async def aclose(self) -> None:
        await self.coalescer.aclose()
