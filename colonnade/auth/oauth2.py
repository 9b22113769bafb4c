"""OAuth2 client credentials: fetch a token, renew it ahead of expiry, once for everybody.

Many requests may need a token at the same moment; one lock makes sure exactly one fetch
happens and the others use its result. A token inside its refresh-ahead window is still used
while a single background refresh replaces it, so traffic never waits on renewal. A 401
(revoked or expired early) triggers one refresh — unless another request already replaced the
token that was refused — and the transport resends once.
"""

from __future__ import annotations

import asyncio
import time

import httpx
import structlog

from colonnade.auth.secrets import Secret
from colonnade.errors import UpstreamUnauthenticated, UpstreamUnavailable
from colonnade.telemetry import AttemptRecord, Telemetry

_log = structlog.get_logger("colonnade.auth")


class OAuth2ClientCredentials:
    """OAuth2 client credentials: a token fetched once, refreshed ahead of expiry and once on a
    401."""

    def __init__(
        self,
        http: httpx.AsyncClient,
        *,
        connector: str,
        token_url: str,
        client_id: str,
        client_secret: Secret,
        refresh_ahead_s: float,
        default_ttl_s: float,
        telemetry: Telemetry,
    ) -> None:
        self._http = http
        self._connector = connector
        self._token_url = token_url
        self._client_id = client_id
        self._secret = client_secret
        self._ahead = refresh_ahead_s
        self._default_ttl = default_ttl_s
        self._telemetry = telemetry
        self._token: str | None = None
        self._expires_at = 0.0
        self._lock = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        self._ahead_on = True
        self.fetches = 0

    async def apply(self, request: httpx.Request) -> None:
        request.headers["Authorization"] = f"Bearer {await self._current()}"

    async def refresh(self, rejected: httpx.Request) -> bool:
        refused = rejected.headers.get("Authorization")
        async with self._lock:
            if self._token is not None and refused != f"Bearer {self._token}":
                return True  # someone already replaced the refused token
            await self._fetch()
        return True

    def identity(self) -> str:
        return f"oauth-{self._client_id}"

    def scope(self) -> str:
        return f"oauth-{self._client_id}-{self._secret.fingerprint()}"

    async def _current(self) -> str:
        now = time.monotonic()
        token = self._token
        if token is not None and now < self._expires_at:
            ahead = now >= self._expires_at - self._ahead and self._ahead_on
            if ahead and self._background is None:
                self._background = asyncio.create_task(self._refresh_ahead())
            return token
        async with self._lock:
            if self._token is None or time.monotonic() >= self._expires_at:
                await self._fetch()
            assert self._token is not None
            return self._token

    async def _refresh_ahead(self) -> None:
        try:
            async with self._lock:
                if time.monotonic() >= self._expires_at - self._ahead:
                    await self._fetch()
        except (UpstreamUnavailable, UpstreamUnauthenticated) as err:
            _log.warning("token_refresh_ahead_failed", connector=self._connector, code=err.code)
        finally:
            self._background = None

    async def _fetch(self) -> None:
        """Caller holds the lock."""
        t0 = time.perf_counter()
        status: int | None = None
        outcome = "ok"
        try:
            response = await self._http.post(
                self._token_url,
                data={
                    "grant_type": "client_credentials",
                    "client_id": self._client_id,
                    "client_secret": self._secret.get(),
                },
            )
            status = response.status_code
            if status in (400, 401, 403):
                outcome = "UPSTREAM_UNAUTHENTICATED"
                raise UpstreamUnauthenticated(
                    f"{self._connector}: the token endpoint refused our client credentials",
                    connector=self._connector,
                    operation="token",
                    status=status,
                )
            if status != 200:
                outcome = "UPSTREAM_UNAVAILABLE"
                raise UpstreamUnavailable(
                    f"{self._connector}: the token endpoint answered {status}",
                    connector=self._connector,
                    operation="token",
                    status=status,
                )
            body = response.json()
            token = body["access_token"]
            ttl = float(body.get("expires_in") or self._default_ttl)
        except httpx.HTTPError as exc:
            outcome = "UPSTREAM_UNAVAILABLE"
            raise UpstreamUnavailable(
                f"{self._connector}: the token endpoint is unreachable ({type(exc).__name__})",
                connector=self._connector,
                operation="token",
            ) from None
        except (ValueError, KeyError, TypeError):
            outcome = "UPSTREAM_CONTRACT_VIOLATION"
            raise UpstreamUnavailable(
                f"{self._connector}: the token endpoint answered without a usable token",
                connector=self._connector,
                operation="token",
            ) from None
        finally:
            self._telemetry.attempt(
                AttemptRecord(
                    self._connector,
                    "token",
                    1,
                    outcome,
                    status,
                    round((time.perf_counter() - t0) * 1000, 2),
                )
            )
        self._token = str(token)
        self._expires_at = time.monotonic() + ttl
        self.fetches += 1

    def stop_refreshing(self) -> None:
        """Shutting down: no refresh ahead starts (the token serves until it expires; then the
        request that needs one fetches it). A flag only: safe from a signal handler."""
        self._ahead_on = False

    async def aclose(self) -> None:
        if self._background is not None:
            self._background.cancel()
