"""Webhook signature verifiers: "stripe-style" (timestamped) and plain HMAC of the body.

Hand-written because no maintained library verifies *several* schemes behind one interface
without pulling in a provider's whole SDK; the code is a few lines of ``hmac`` and every
comparison is ``hmac.compare_digest`` (constant time). Secrets come from the environment or a
file (``colonnade.auth.secrets``) and several may be valid at once, so a provider's secret can
be rotated without a window in which its deliveries fail.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Protocol

from pydantic import SecretStr

from colonnade.config import Settings, WebhookSourceSettings
from colonnade.errors import ConfigError


class SignatureError(Exception):
    """The delivery is not provably from the provider; ``reason`` is safe to log and return."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Verifier(Protocol):
    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> None: ...


SecretSource = Callable[[], Sequence[str]]


class StripeStyleVerifier:
    """``Header: t=<unix>,v1=<hex>[,v1=<hex>…]``; the MAC is HMAC-SHA256 over ``"{t}.{body}"``.

    The timestamp is inside the MAC, so a captured delivery replayed after ``tolerance_s`` is
    refused (within it, the event id deduplicates it)."""

    def __init__(
        self, secrets: SecretSource, *, tolerance_s: float = 300.0, header: str = "Stripe-Signature"
    ) -> None:
        self._secrets = secrets
        self.tolerance_s = tolerance_s
        self.header = header.lower()

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> None:
        raw = headers.get(self.header)
        if not raw:
            raise SignatureError(f"missing {self.header} header")
        timestamp: int | None = None
        candidates: list[str] = []
        for item in raw.split(","):
            key, _, value = item.strip().partition("=")
            if key == "t" and value.isdigit():
                timestamp = int(value)
            elif key == "v1":
                candidates.append(value)
        if timestamp is None or not candidates:
            raise SignatureError("signature header has no t= or no v1=")
        if abs(now - timestamp) > self.tolerance_s:
            raise SignatureError("timestamp outside the tolerance")
        signed = str(timestamp).encode() + b"." + body
        if not _any_match(self._secrets(), signed, candidates, hashlib.sha256, "hex"):
            raise SignatureError("no signature matches")


class HmacVerifier:
    """``Header: <prefix><digest of body>``: the common scheme (GitHub, Shopify, …). It has no
    timestamp, so replays are caught only by the event id."""

    def __init__(
        self,
        secrets: SecretSource,
        *,
        header: str,
        algorithm: str = "sha256",
        encoding: str = "hex",
        prefix: str = "",
    ) -> None:
        self._secrets = secrets
        self.header = header.lower()
        self.digest = getattr(hashlib, algorithm)
        self.encoding = encoding
        self.prefix = prefix

    def verify(self, headers: Mapping[str, str], body: bytes, now: float) -> None:
        raw = headers.get(self.header)
        if not raw or not raw.startswith(self.prefix):
            raise SignatureError(f"missing or malformed {self.header} header")
        given = raw[len(self.prefix) :].strip()
        if not _any_match(self._secrets(), body, [given], self.digest, self.encoding):
            raise SignatureError("no signature matches")


def _any_match(
    secrets: Sequence[str],
    message: bytes,
    candidates: Sequence[str],
    digest: Callable[..., object],
    encoding: str,
) -> bool:
    matched = False
    for secret in secrets:
        mac = hmac.new(secret.encode(), message, digest)  # type: ignore[arg-type]
        expected = mac.hexdigest() if encoding == "hex" else base64.b64encode(mac.digest()).decode()
        for candidate in candidates:
            # No early exit: every comparison runs, so timing says nothing about which failed.
            matched |= hmac.compare_digest(expected.encode(), candidate.encode())
    return matched


class RotatingSecrets:
    """The secrets of one source: listed in config/env, plus one per line of a file that is
    re-read when it changes."""

    def __init__(self, name: str, values: Sequence[SecretStr], file: Path | None) -> None:
        self.name = name
        self._values = [v.get_secret_value() for v in values if v.get_secret_value()]
        self._file = file
        self._stamp: tuple[int, int] | None = None
        self._from_file: list[str] = []
        if file is not None:
            self._reload()
        if not self._values and not self._from_file:
            raise ConfigError(
                f"events.sources.{name} has no secret. Set COLONNADE_EVENTS__SOURCES__"
                f"{name.upper()}__SECRETS (a JSON list) or …__SECRETS_FILE (one per line)."
            )

    def _reload(self) -> None:
        assert self._file is not None
        try:
            st = self._file.stat()
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp != self._stamp:
                lines = self._file.read_text(encoding="utf-8").splitlines()
                self._from_file = [line.strip() for line in lines if line.strip()]
                self._stamp = stamp
        except OSError as exc:
            if self._stamp is None:
                raise ConfigError(
                    f"events.sources.{self.name}: cannot read secrets file ({exc.strerror})"
                ) from None

    def __call__(self) -> list[str]:
        if self._file is not None:
            self._reload()
        return [*self._values, *self._from_file]


def build_verifier(name: str, source: WebhookSourceSettings) -> Verifier:
    secrets = RotatingSecrets(name, source.secrets, source.secrets_file)
    if source.scheme == "stripe":
        return StripeStyleVerifier(secrets, tolerance_s=source.tolerance_s, header=source.header)
    return HmacVerifier(
        secrets,
        header=source.header,
        algorithm=source.algorithm,
        encoding=source.encoding,
        prefix=source.prefix,
    )


def check_sources(settings: Settings) -> None:
    """``colonnade check``: every webhook source has a readable secret (ConfigError if not)."""
    for name, source in settings.events.sources.items():
        build_verifier(name, source)
