"""A credential read from the environment or a secret file, re-read when the file changes.

Operators rotate keys by rewriting the file (a Kubernetes secret mount, a vault agent); the
next request uses the new key without a restart. The value never appears in ``repr``, logs
or error messages; ``fingerprint`` (a short digest) is what cache keys and logs may carry.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from pydantic import SecretStr

from colonnade.errors import ConfigError


class Secret:
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
        if file is not None:
            self._reload()

    def get(self) -> str:
        if self._file is not None:
            self._reload()
        return self._value

    def _reload(self) -> None:
        assert self._file is not None
        try:
            st = os.stat(self._file)
        except OSError as exc:
            raise ConfigError(
                f"{self.name}: cannot read secret file {str(self._file)!r} ({exc.strerror})"
            ) from None
        stamp = (st.st_mtime_ns, st.st_size)
        if stamp != self._stamp:
            value = self._file.read_text(encoding="utf-8").strip()
            if not value:
                raise ConfigError(f"{self.name}: secret file {str(self._file)!r} is empty")
            self._value, self._stamp = value, stamp

    def fingerprint(self) -> str:
        return hashlib.sha256(self.get().encode()).hexdigest()[:12]

    def __repr__(self) -> str:
        return f"Secret({self.name!r}, '**********')"
