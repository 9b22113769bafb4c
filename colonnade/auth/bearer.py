"""A static API key sent as a Bearer token (Stripe's secret key, most SaaS APIs)."""

from __future__ import annotations

import httpx

from colonnade.auth.secrets import Secret


class BearerKeyAuth:
    """A static API key sent as ``Authorization: Bearer`` (Stripe); a 401 resends only if the key
    changed."""

    def __init__(self, key: Secret) -> None:
        self._key = key

    async def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {self._key.get()}"

    async def refresh(self, rejected: httpx.Request) -> bool:
        """A rotated key file may already hold the new key: resend only if it changed."""
        sent = str(rejected.headers.get("Authorization", ""))
        return sent != f"Bearer {self._key.get()}"

    def identity(self) -> str:
        """An API key is its own identity (Stripe keys belong to one account)."""
        return self.scope()

    def scope(self) -> str:
        return "key-" + self._key.fingerprint()
