"""What every outbound credential scheme provides to the transport."""

from __future__ import annotations

from typing import Protocol

import httpx


class Auth(Protocol):
    async def apply(self, request: httpx.Request) -> None:
        """Put credentials on the request (refreshing ahead of expiry where that applies)."""

    async def refresh(self, rejected: httpx.Request) -> bool:
        """The provider answered 401 to ``rejected``. Renew if that can help; True → resend once."""

    def scope(self) -> str:
        """A short, non-secret fingerprint of these exact credentials (for cache keys)."""

    def identity(self) -> str:
        """Who is calling, stable across credential rotation (user name, client id): what
        idempotency records are keyed by, so a rotated password cannot hide a first attempt."""


class NoAuth:
    """A provider that takes no credentials (a public API)."""

    async def apply(self, request: httpx.Request) -> None:
        return None

    async def refresh(self, rejected: httpx.Request) -> bool:
        return False

    def scope(self) -> str:
        return "public"

    def identity(self) -> str:
        return "public"
