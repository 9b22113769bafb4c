"""Bearer JWTs verified against the issuer's JWKS, fetched over HTTP and kept fresh.

PyJWT does the cryptography and the claim checks (``exp``/``nbf``/``iat`` with leeway, ``iss``,
``aud``); this module only keeps the key set: cached for ``refresh_s``, refetched once when a
token names a ``kid`` we do not know (how issuers rotate), but at most every ``min_refetch_s`` —
a flood of forged kids costs the issuer one request, not one per token. A failed refetch keeps
the keys we had: an issuer's hiccup must not log every client out.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import jwt
import structlog

from colonnade.config import JwtSettings
from colonnade.errors import Unauthenticated

_log = structlog.get_logger("colonnade.gateway")


class JwksVerifier:
    def __init__(
        self,
        settings: JwtSettings,
        *,
        http: httpx.AsyncClient | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        assert settings.jwks_url is not None
        self.settings = settings
        self._url = settings.jwks_url
        self._http = http or httpx.AsyncClient(timeout=settings.timeout_s)
        self._clock = clock
        self._keys: dict[str, jwt.PyJWK] = {}
        self._fetched_at: float | None = None
        self._lock = asyncio.Lock()
        self.fetches = 0

    async def verify(self, token: str) -> dict[str, Any]:
        """The verified claims, or ``Unauthenticated`` saying (safely) what was wrong."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError:
            raise Unauthenticated("malformed bearer token") from None
        alg, kid = header.get("alg"), header.get("kid")
        if alg not in self.settings.algorithms:
            raise Unauthenticated(f"token algorithm {alg!r} is not accepted")
        if not isinstance(kid, str):
            raise Unauthenticated("token has no key id (kid)")
        key = await self._key(kid)
        if key is None:
            raise Unauthenticated("token signed with an unknown key (kid)")
        required = ["exp"]
        if self.settings.issuer:
            required.append("iss")
        if self.settings.audience:
            required.append("aud")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                key,
                algorithms=[alg],
                audience=self.settings.audience,
                issuer=self.settings.issuer,
                leeway=self.settings.leeway_s,
                options={"require": required, "verify_aud": self.settings.audience is not None},
            )
        except jwt.ExpiredSignatureError:
            raise Unauthenticated("token expired") from None
        except jwt.ImmatureSignatureError:
            raise Unauthenticated("token not valid yet (nbf/iat)") from None
        except jwt.InvalidAudienceError:
            raise Unauthenticated("token audience is not this service") from None
        except jwt.InvalidIssuerError:
            raise Unauthenticated("token issuer is not trusted") from None
        except jwt.InvalidSignatureError:
            raise Unauthenticated("token signature is invalid") from None
        except jwt.PyJWTError as exc:
            raise Unauthenticated(f"invalid token ({type(exc).__name__})") from None
        return claims

    async def _key(self, kid: str) -> jwt.PyJWK | None:
        now = self._clock()
        stale = self._fetched_at is None or now - self._fetched_at >= self.settings.refresh_s
        unknown = kid not in self._keys
        may_refetch = self._fetched_at is None or now - self._fetched_at >= (
            self.settings.min_refetch_s
        )
        if stale or (unknown and may_refetch):
            async with self._lock:
                # Another request may have refreshed while we waited for the lock.
                if self._fetched_at is None or self._fetched_at < now:
                    await self._refresh()
        return self._keys.get(kid)

    async def _refresh(self) -> None:
        self._fetched_at = self._clock()
        self.fetches += 1
        try:
            response = await self._http.get(self._url)
            response.raise_for_status()
            document = response.json()
            raw_keys = document["keys"]
            assert isinstance(raw_keys, list)
        except (httpx.HTTPError, ValueError, KeyError, TypeError, AssertionError) as exc:
            _log.warning("jwks_fetch_failed", url=self._url, error=type(exc).__name__)
            return
        keys: dict[str, jwt.PyJWK] = {}
        for raw in raw_keys:
            kid = raw.get("kid") if isinstance(raw, dict) else None
            if not isinstance(kid, str) or raw.get("use", "sig") != "sig":
                continue
            try:
                keys[kid] = jwt.PyJWK(raw)
            except jwt.PyJWTError as exc:
                _log.warning("jwks_key_skipped", kid=kid, error=type(exc).__name__)
        self._keys = keys

    async def aclose(self) -> None:
        await self._http.aclose()
