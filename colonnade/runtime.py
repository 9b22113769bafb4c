"""What every connector shares in one process: the state backend, the cache, telemetry."""

from __future__ import annotations

from dataclasses import dataclass

from colonnade.config import Settings
from colonnade.pipeline.cache import ResponseCache
from colonnade.state import StateBackend, create_backend
from colonnade.state.guarded import GuardedBackend
from colonnade.telemetry import Telemetry


@dataclass(slots=True)
class Runtime:
    settings: Settings
    backend: StateBackend
    cache: ResponseCache
    telemetry: Telemetry

    @classmethod
    def create(cls, settings: Settings, backend: StateBackend | None = None) -> Runtime:
        telemetry = Telemetry()
        if backend is None:
            if settings.redis_url:
                backend = GuardedBackend(
                    create_backend(
                        settings.redis_url.get_secret_value(),
                        prefix=settings.state_prefix,
                        socket_timeout_s=settings.redis_timeout_s,
                        connect_timeout_s=settings.redis_timeout_s,
                    )
                )
            else:
                backend = create_backend(None, max_entries=settings.cache.max_entries)
        return cls(settings, backend, ResponseCache(backend, settings.cache, telemetry), telemetry)

    async def aclose(self) -> None:
        await self.backend.aclose()
