"""Who is asking: an API key, a bearer JWT, or (where the deployment allows it) nobody.

API keys are stored as SHA-256 digests, never as keys. A fast hash is enough *for these
keys*: ``colonnade keys generate`` makes 256 random bits, which no offline search can reach,
so a slow KDF would only add CPU per request — and a plain digest lets us look a key up by
its digest in a dict or in Redis without comparing secrets at all. (A human-chosen password
would need a KDF; API keys here are never human-chosen.) Keys come from the config (several
digests per client: add the new one, roll clients over, drop the old one), from a JSON file
re-read when it changes, and optionally from the state backend (``gateway:apikey:<sha256>``),
all without a restart.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Literal

import structlog

from colonnade.config import ApiClientSettings, GatewaySettings
from colonnade.errors import ConfigError, StateUnavailable, Unauthenticated
from colonnade.gateway.jwks import JwksVerifier
from colonnade.state import StateBackend

_log = structlog.get_logger("colonnade.gateway")
KEY_PREFIX = "col_"
STATE_KEY = "gateway:apikey:"


@dataclass(frozen=True, slots=True)
class Principal:
    """The verified caller. Scopes granted by our own config may be patterns (``*``,
    ``*:read``); a JWT's scopes are taken literally (an issuer's ``*`` grants nothing)."""

    client_id: str
    scopes: frozenset[str]
    method: Literal["api_key", "jwt", "anonymous"]

    def allows(self, scope: str) -> bool:
        if scope in self.scopes:
            return True
        return self.method != "jwt" and any(fnmatchcase(scope, g) for g in self.scopes)


def generate_key() -> tuple[str, str]:
    """A new API key and the digest to put in the config."""
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    return key, digest(key)


def digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _index(clients: Mapping[str, ApiClientSettings]) -> dict[str, Principal]:
    return {
        d: Principal(client, frozenset(c.scopes), "api_key")
        for client, c in clients.items()
        for d in c.key_sha256
    }


class ApiKeyFile:
    """The digests in a JSON file (a mounted secret), re-read when its mtime or size changes.
    A file that turns unreadable keeps the last good set and logs once."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._stamp: tuple[int, int] | None = None
        self._index: dict[str, Principal] = {}
        self._warned = False
        try:
            self._load()
        except (OSError, ValueError) as exc:  # at start, a broken file is a configuration error
            raise ConfigError(
                f"gateway.api_keys_file: cannot use {str(path)!r}: {type(exc).__name__}. It must "
                'be JSON {"client": {"key_sha256": ["<64 hex>"], "scopes": ["..."]}}'
            ) from None

    def get(self, key_digest: str) -> Principal | None:
        try:
            self._load()
            self._warned = False
        except (OSError, ValueError) as exc:  # keep the last good set: a botched rotation
            if not self._warned:  # must not lock every client out; said once, not per request
                self._warned = True
                _log.warning(
                    "api_keys_file_unreadable", path=str(self.path), error=type(exc).__name__
                )
        return self._index.get(key_digest)

    def _load(self) -> None:
        st = os.stat(self.path)
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp == self._stamp:
            return
        raw = json.loads(self.path.read_text(encoding="utf-8"))
        clients = {name: ApiClientSettings(**spec) for name, spec in raw.items()}
        self._index, self._stamp = _index(clients), stamp


class Authenticator:
    def __init__(
        self,
        settings: GatewaySettings,
        backend: StateBackend,
        *,
        anonymous: bool,
        jwks: JwksVerifier | None = None,
    ) -> None:
        self.settings = settings
        self._backend = backend
        self._anonymous = anonymous
        self._static = _index(settings.api_keys)
        self._file = ApiKeyFile(settings.api_keys_file) if settings.api_keys_file else None
        self._jwks = jwks
        self._anonymous_principal = Principal(
            "anonymous", frozenset(settings.anonymous_scopes), "anonymous"
        )

    async def authenticate(self, headers: Mapping[str, str]) -> Principal:
        api_key = headers.get("x-api-key")
        authorization = headers.get("authorization", "")
        scheme, _, token = authorization.partition(" ")
        token = token.strip()
        if api_key is None and scheme.lower() == "bearer" and token:
            if _looks_like_jwt(token):
                return await self._jwt(token)
            api_key = token
        if api_key is None:
            if authorization:
                raise Unauthenticated("unsupported Authorization scheme; use Bearer")
            if self._anonymous:
                return self._anonymous_principal
            raise Unauthenticated(
                "credentials required: send an API key (X-API-Key or Authorization: Bearer) "
                "or a bearer JWT"
            )
        found = await self._api_key(api_key.strip())
        if found is None:
            raise Unauthenticated("unknown API key")
        return found

    async def _api_key(self, key: str) -> Principal | None:
        key_digest = digest(key)
        found = self._static.get(key_digest)
        if found is None and self._file is not None:
            found = self._file.get(key_digest)
        if found is None and self.settings.api_keys_in_state:
            found = await self._from_state(key_digest)
        return found

    async def _from_state(self, key_digest: str) -> Principal | None:
        try:
            raw = await self._backend.get(STATE_KEY + key_digest)
        except StateUnavailable:
            return None  # fail closed: no key is accepted that we cannot look up
        if raw is None:
            return None
        try:
            record: dict[str, Any] = json.loads(raw)
            return Principal(str(record["client"]), frozenset(record["scopes"]), "api_key")
        except (ValueError, KeyError, TypeError):
            _log.warning("api_key_record_invalid", digest=key_digest[:12])
            return None

    async def _jwt(self, token: str) -> Principal:
        if self._jwks is None:
            raise Unauthenticated("bearer JWTs are not accepted (no gateway.jwt.jwks_url)")
        claims = await self._jwks.verify(token)
        jwt_settings = self._jwks.settings
        client = claims.get(jwt_settings.client_claim) or claims.get("client_id")
        if not isinstance(client, str) or not client:
            raise Unauthenticated(f"token has no {jwt_settings.client_claim!r} claim")
        raw_scopes = claims.get(jwt_settings.scope_claim, claims.get("scp", ""))
        if isinstance(raw_scopes, str):
            scopes = frozenset(raw_scopes.split())
        elif isinstance(raw_scopes, list):
            scopes = frozenset(str(s) for s in raw_scopes)
        else:
            scopes = frozenset()
        return Principal(client, scopes, "jwt")

    async def aclose(self) -> None:
        if self._jwks is not None:
            await self._jwks.aclose()


async def register_key(
    backend: StateBackend, key_digest: str, client: str, scopes: list[str], ttl_s: float
) -> None:
    """Store a key's digest in the state backend (shared by every replica at once)."""
    record = json.dumps({"client": client, "scopes": scopes}).encode()
    await backend.set(STATE_KEY + key_digest, record, ttl_s)


def _looks_like_jwt(token: str) -> bool:
    return token.count(".") == 2 and token.startswith("eyJ")
