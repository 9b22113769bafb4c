"""A static API key in a named header (``X-Api-Key``) or query parameter (``?api_key=``).

A key in the query string travels in every URL: prefer a header wherever the provider
accepts one. Either way the value is read from its ``Secret`` on each request, so a rotated
key file takes effect without a restart.
"""

from __future__ import annotations

import httpx

from colonnade.auth.secrets import Secret
from colonnade.errors import ConfigError


class ApiKeyAuth:
    """A static key in a header or the query string, read from its ``Secret`` per request."""

    def __init__(self, key: Secret, *, header: str | None = None, query: str | None = None) -> None:
        if (header is None) == (query is None):
            raise ConfigError(f"{key.name}: an API key goes in a header or a query parameter")
        self._key = key
        self._header = header
        self._query = query

    def _sent(self, request: httpx.Request) -> str | None:
        if self._header is not None:
            sent = request.headers.get(self._header)
        else:
            assert self._query is not None
            sent = request.url.params.get(self._query)
        return None if sent is None else str(sent)

    async def apply(self, request: httpx.Request) -> None:
        if self._header is not None:
            request.headers[self._header] = self._key.get()
        else:
            assert self._query is not None
            request.url = request.url.copy_set_param(self._query, self._key.get())

    async def refresh(self, rejected: httpx.Request) -> bool:
        """A rotated key file may already hold the new key: resend only if it changed."""
        return self._sent(rejected) != self._key.get()

    def identity(self) -> str:
        return self.scope()

    def scope(self) -> str:
        return "key-" + self._key.fingerprint()
