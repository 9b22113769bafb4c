"""The response cache: staleness tiers, a safe envelope, keys that cannot leak across clients.

Hand-written because the job is specific: entries carry the time they were stored so one
entry can be *fresh*, *stale but servable while we revalidate*, or *stale but servable only if
the provider fails* depending on its tier; values are JSON validated back through the
operation's pydantic codec (nothing read from Redis is ever unpickled or trusted blindly); and
a backend failure means "bypass", never "fail the request".

Keys hold everything that changes the answer: connector, operation, the operation's result
version, the credential scope, and a digest of the normalized arguments.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, TypeVar

import structlog
from pydantic import TypeAdapter, ValidationError

from colonnade.config import CacheSettings, TierSettings
from colonnade.errors import ConfigError, StateUnavailable
from colonnade.pipeline.operation import Operation
from colonnade.state import CacheStore
from colonnade.telemetry import Telemetry

T = TypeVar("T")
_log = structlog.get_logger("colonnade.cache")


class Freshness(StrEnum):
    FRESH = "fresh"
    STALE = "stale"
    """Past its TTL, inside stale-while-revalidate: serve now, refresh in the background."""
    ERROR_ONLY = "error_only"
    """Past stale-while-revalidate, inside stale-if-error: serve only if the provider fails."""
    LAST_KNOWN_GOOD = "last_known_good"
    """Past stale-if-error, inside the operation's last-known-good period: only on failure."""
    EXPIRED = "expired"


@dataclass(frozen=True, slots=True)
class Tier:
    name: str
    ttl_s: float
    swr_s: float
    sie_s: float
    lkg_s: float = 0.0

    @property
    def caches(self) -> bool:
        return self.ttl_s > 0 or self.sie_s > 0 or self.lkg_s > 0

    @property
    def keep_s(self) -> float:
        return max(self.ttl_s + max(self.swr_s, self.sie_s), self.lkg_s)

    def freshness(self, age_s: float) -> Freshness:
        if age_s < self.ttl_s:
            return Freshness.FRESH
        if age_s < self.ttl_s + self.swr_s:
            return Freshness.STALE
        if age_s < self.ttl_s + self.sie_s:
            return Freshness.ERROR_ONLY
        if age_s < self.lkg_s:
            return Freshness.LAST_KNOWN_GOOD
        return Freshness.EXPIRED


@dataclass(frozen=True, slots=True)
class Entry:
    raw: Any
    """The JSON-decoded value, validated by the caller's codec."""
    stored_at: float

    def age(self, now: float) -> float:
        return max(0.0, now - self.stored_at)


def normalize(args: Any) -> str:
    """A canonical text of the arguments: key order and tuple/list do not change the key."""
    return json.dumps(args, sort_keys=True, separators=(",", ":"), default=str)


class ResponseCache:
    """Provider answers cached by tier, tagged for invalidation (a webhook handler drops stale
    ones)."""

    def __init__(self, backend: CacheStore, settings: CacheSettings, telemetry: Telemetry):
        self.backend = backend
        self.enabled = settings.enabled
        self.lock_ttl_s = settings.lock_ttl_s
        self._telemetry = telemetry
        self._tiers = {name: _tier(name, t) for name, t in settings.tiers.items()}

    def tier(self, op: Operation, override: str | None = None) -> Tier | None:
        name = override or op.tier or ("live" if op.last_known_good_s else None)
        if name is None or not self.enabled:
            return None
        try:
            tier = self._tiers[name]
        except KeyError:
            raise ConfigError(
                f"operation {op.qualified} uses cache tier {name!r}, which is not defined. "
                f"Defined tiers: {', '.join(sorted(self._tiers))}. Add [cache.tiers.{name}] "
                "to colonnade.toml or pick a defined tier."
            ) from None
        if op.last_known_good_s:
            tier = dataclasses.replace(tier, lkg_s=op.last_known_good_s)
        return tier if tier.caches else None

    @staticmethod
    def key(op: Operation, args: Any, scope: str) -> str:
        digest = hashlib.sha256(normalize(args).encode()).hexdigest()[:40]
        return f"c:{op.connector}:{op.name}:v{op.version}:{scope}:{digest}"

    async def lookup(self, keys: Sequence[str]) -> list[Entry | None]:
        try:
            raws = await self.backend.get_many(keys)
        except StateUnavailable:
            self._telemetry.count("cache_bypassed", "state_unavailable")
            return [None] * len(keys)
        return [_decode(raw) for raw in raws]

    async def store(
        self, key: str, value: Any, codec: TypeAdapter[Any], tier: Tier, tags: Sequence[str] = ()
    ) -> None:
        body = codec.dump_json(value).decode()
        envelope = f'{{"t":{time.time()!r},"d":{body}}}'.encode()
        try:
            await self.backend.set(key, envelope, tier.keep_s)
            if tags:
                await self.backend.tag(tags, key, tier.keep_s)
        except StateUnavailable:
            self._telemetry.count("cache_bypassed", "state_unavailable")

    async def invalidate(
        self, *, keys: Sequence[str] = (), tags: Sequence[str] = (), strict: bool = False
    ) -> int:
        """Delete entries; returns how many. A write's own invalidation must not fail the
        write (logged); an operator's (``strict``) must say it did not happen."""
        removed = 0
        try:
            if keys:
                removed += await self.backend.delete(keys)
            for tag in tags:
                removed += await self.backend.invalidate_tag(tag)
        except StateUnavailable:
            _log.warning("cache_invalidation_failed", keys=len(keys), tags=list(tags))
            if strict:
                raise
        return removed

    def count(self, op: Operation, tier: Tier, outcome: str, n: int = 1) -> None:
        self._telemetry.count("cache", op.connector, tier.name, outcome, by=n)


def decode_value(entry: Entry, codec: TypeAdapter[T]) -> tuple[T] | None:
    """``(value,)`` through the codec, or None — treat as a miss — when the stored value no
    longer fits the model (an older deployment wrote it)."""
    try:
        return (codec.validate_python(entry.raw),)
    except ValidationError:
        return None


def _decode(raw: bytes | None) -> Entry | None:
    if raw is None:
        return None
    try:
        obj = json.loads(raw)
        return Entry(raw=obj["d"], stored_at=float(obj["t"]))
    except (ValueError, KeyError, TypeError):
        return None


def _tier(name: str, t: TierSettings) -> Tier:
    return Tier(name, t.ttl_s, t.stale_while_revalidate_s, t.stale_if_error_s)
