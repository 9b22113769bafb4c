"""A credential read from the environment or a secret file, re-read when the file changes.

Operators rotate keys by rewriting the file (a Kubernetes secret mount, a vault agent); the
next request uses the new key without a restart. The value never appears in ``repr``, logs
or error messages; ``fingerprint`` (a short digest) is what cache keys and logs may carry.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import structlog
from pydantic import SecretStr

from colonnade.errors import ConfigError

_log = structlog.get_logger("colonnade.auth")


class Secret:
    """A credential from a setting or a ``*_file`` (re-read when it changes); never printed."""

    def __init__(self, name: str, value: SecretStr | None = None, file: Path | None = None) -> None:
        if value is None and file is None:
            raise ConfigError(
                f"{name} is not set. Provide it as the environment variable "
                f"COLONNADE_{name.upper().replace('.', '__')} or point "
                f"COLONNADE_{name.upper().replace('.', '__')}_FILE at a file holding it."
            )
        self.name = name
        self._file = file
        self._value = value.get_secret_value() if value is not None else ""
        self._stamp: tuple[int, int] | None = None
        self._fingerprint: tuple[str, str] | None = None
        self._warned = False
        if file is not None:
            self._reload()  # at start, an unreadable file is a configuration error

    def get(self) -> str:
        """The current value. A secret file that turns unreadable or empty while serving
        keeps the last good value (and logs once): a botched rotation must not take the
        connector down, nor put a file path in a client's error."""
        if self._file is not None:
            try:
                self._reload()
            except ConfigError as exc:
                if not self._warned:
                    _log.warning("secret_file_unreadable", secret=self.name, error=exc.message)
                    self._warned = True
            else:
                self._warned = False
        return self._value

    def _reload(self) -> None:
        assert self._file is not None
        try:
            st = os.stat(self._file)
            stamp = (st.st_mtime_ns, st.st_size)
            if stamp == self._stamp:
                return
            value = self._file.read_text(encoding="utf-8").strip()
        except OSError as exc:
            raise ConfigError(
                f"{self.name}: cannot read secret file {str(self._file)!r} ({exc.strerror})"
            ) from None
        if not value:
            raise ConfigError(f"{self.name}: secret file {str(self._file)!r} is empty")
        self._value, self._stamp = value, stamp

    def fingerprint(self) -> str:
        """A short, non-reversible id of the current value, for cache keys and logs.

        scrypt, not a bare hash: these ids sit in Redis keys, and a fast hash of a weak
        password could be guessed offline. Computed once per value."""
        value = self.get()
        if self._fingerprint is None or self._fingerprint[0] != value:
            digest = hashlib.scrypt(value.encode(), salt=b"colonnade-scope", n=2**14, r=8, p=1)
            self._fingerprint = (value, digest.hex()[:16])
        return self._fingerprint[1]

    def __repr__(self) -> str:
        return f"Secret({self.name!r}, '**********')"
