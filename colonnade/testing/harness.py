"""One connector, built from its plugin, talking over loopback HTTP to its own sandbox.

What ``colonnade.testing.ConnectorSuite`` runs its checks against, and what a connector's own
tests can use directly: ``async with Harness(PLUGIN) as h: await h.connector.rates("EUR")``,
then ``h.sandbox.recorder`` says what the provider was asked and ``h.sandbox.faults`` scripts
its misbehaviour. The connector is assembled by the composition root like in production
(settings validated by its model, cache and breaker from a memory state backend).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import TracebackType
from typing import Any

from colonnade.config import Settings
from colonnade.platform import ConnectorPlugin, Registry, assemble
from colonnade.runtime import Runtime
from colonnade.sandboxes.app import provider_class
from colonnade.sandboxes.provider import Provider
from colonnade.sandboxes.server import ServedSandbox

FAST_RETRIES = {"base_delay_s": 0.01, "max_delay_s": 0.05, "max_attempts": 3}


def merged(base: Mapping[str, Any], extra: Mapping[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for key, value in extra.items():
        if isinstance(value, Mapping) and isinstance(out.get(key), Mapping):
            out[key] = merged(out[key], value)
        else:
            out[key] = value
    return out


class Harness:
    def __init__(
        self,
        plugin: ConnectorPlugin[Any],
        *,
        settings: Mapping[str, Any] | None = None,
        cache: bool = False,
        customers: int = 20,
    ) -> None:
        """``settings``: the connector's table (merged over the sandbox's credentials, fast
        retries and no breaker); ``cache``: keep the response cache on."""
        if plugin.sandbox is None:
            raise ValueError(f"the {plugin.name} plugin declares no sandbox to test against")
        self.plugin = plugin
        self.sandbox: Provider = provider_class(plugin.sandbox).fresh(customers)
        self._server = ServedSandbox(self.sandbox.app)
        self._table = dict(settings or {})
        self._cache = cache
        self.connector: Any = None
        self.runtime: Runtime | None = None

    def table(self, base_url: str) -> dict[str, Any]:
        defaults: dict[str, Any] = {
            **self.sandbox.connector_settings(),
            "base_url": base_url,
            "retry": FAST_RETRIES,
            "breaker": {"enabled": False},
        }
        return merged(defaults, self._table)

    async def __aenter__(self) -> Harness:
        self._server.start()
        # The table is validated by this harness's registry (in ``assemble``), not by the
        # installed plugins': a connector is tested before it is installed.
        settings = Settings(sandbox={"embedded": "off"}, cache={"enabled": self._cache})
        settings = settings.model_copy(
            update={"connectors": {self.plugin.name: self.table(self._server.base_url)}}
        )
        self.runtime = Runtime.create(settings)
        assembly = assemble(settings, self.runtime, Registry.of([self.plugin]))
        self.connector = assembly.services.connector(self.plugin.name)
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.connector is not None:
            await self.connector.aclose()
        if self.runtime is not None:
            await self.runtime.aclose()
        self._server.stop()

    def calls(self) -> int:
        """Provider calls since the last ``forget``, not counting token requests."""
        return sum(1 for c in self.sandbox.recorder.calls() if not is_token(c.operation))

    def forget(self) -> None:
        """Clear the recorded calls and the scripted faults."""
        self.sandbox.recorder.reset()
        self.sandbox.faults.clear()


def is_token(operation: str) -> bool:
    """A call for credentials (an OAuth2 token), not for the operation under test."""
    return operation.rsplit(".", 1)[-1] in ("token", "oauth_token")
