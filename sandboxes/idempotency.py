"""Stripe idempotency keys: replay the first result, reject mismatches and in-flight reuse.

Results are stored once execution has begun (validation failures are not stored), per
API key (hashed, never the key itself).
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any


@dataclass
class Saved:
    """The fingerprint of the first request and, once finished, its response."""

    fingerprint: str
    status: int | None = None
    body: bytes | None = None


class IdempotencyStore:
    """Thread-safe map (api key hash, idempotency key) -> Saved."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._saved: dict[tuple[str, str], Saved] = {}

    @staticmethod
    def fingerprint(method: str, path: str, params: dict[str, Any]) -> str:
        return json.dumps([method, path, params], sort_keys=True)

    @staticmethod
    def scope(api_key: str) -> str:
        return hashlib.sha256(api_key.encode()).hexdigest()

    def begin(self, scope: str, key: str, fingerprint: str) -> Saved | None:
        """Claim the key (returns None) or return what already holds it."""
        with self._lock:
            existing = self._saved.get((scope, key))
            if existing is None:
                self._saved[(scope, key)] = Saved(fingerprint)
            return existing

    def finish(self, scope: str, key: str, status: int, body: bytes) -> None:
        with self._lock:
            saved = self._saved[(scope, key)]
            saved.status, saved.body = status, body

    def release(self, scope: str, key: str) -> None:
        """Forget an unfinished claim (the request never reached execution)."""
        with self._lock:
            saved = self._saved.get((scope, key))
            if saved is not None and saved.status is None:
                del self._saved[(scope, key)]

    def clear(self) -> None:
        with self._lock:
            self._saved.clear()
