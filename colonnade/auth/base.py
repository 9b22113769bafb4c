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
        """A short, non-secret fingerprint of whose credentials these are (for cache keys)."""


class NoAuth:
    async def apply(self, request: httpx.Request) -> None:
        return None

    async def refresh(self, rejected: httpx.Request) -> bool:
        return False

    def scope(self) -> str:
        return "public"
