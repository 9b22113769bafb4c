"""A provider's error body, declared: where its code and message are, which codes are worth
retrying (or never are, or mean "slow down" whatever the status), whether the provider puts
errors inside a 2xx, and a header that settles retrying (Stripe's ``Stripe-Should-Retry``).
"""

from __future__ import annotations

import json
from collections.abc import Collection
from dataclasses import dataclass
from typing import Any

import httpx

from colonnade.rest.paths import MISSING, dig, first_key

_SNIFF_BYTES = 512


@dataclass(frozen=True, slots=True)
class ErrorBody:
    code: str | tuple[str, ...] = ()
    """Path(s) to the provider's code, tried in order (``("error.code", "error.type")``)."""
    message: str | None = None
    retryable: Collection[str] = ()
    """Codes worth retrying even when the status says otherwise (a 409 "lock timeout")."""
    final: Collection[str] = ()
    """Codes never retried even on a 5xx."""
    rate_limited: Collection[str] = ()
    """Codes that mean "over your limit" whatever the status (Salesforce's 403)."""
    in_success: bool = False
    """The provider may answer 2xx with this error body: that is the provider failing."""
    retry_header: str | None = None
    """A header whose ``true``/``false`` overrides every other retry judgement."""

    @property
    def code_paths(self) -> tuple[str, ...]:
        return (self.code,) if isinstance(self.code, str) else self.code

    def read(self, response: httpx.Response) -> tuple[str | None, str | None]:
        """(code, message) from the body, or ``None`` for what it does not hold."""
        try:
            body: Any = json.loads(response.content)
        except ValueError:
            return None, None
        return self._code(body), _text(dig(body, self.message))

    def _code(self, body: Any) -> str | None:
        for path in self.code_paths:
            if (code := _text(dig(body, path))) is not None:
                return code
        return None

    def inside_success(self, response: httpx.Response) -> str | None:
        """The code of an error a 2xx body carries, or ``None``. Sniffs the head of the body
        for the code's first key before decoding: a large good body is not parsed twice."""
        if not self.in_success or not self.code_paths:
            return None
        head = response.content[:_SNIFF_BYTES]
        if not any(f'"{first_key(p)}"'.encode() in head for p in self.code_paths):
            return None
        return self.read(response)[0]

    def retry_hint(self, response: httpx.Response, code: str | None) -> bool | None:
        """True/False to override the status's judgement; ``None``: the status decides."""
        if self.retry_header is not None:
            hint = str(response.headers.get(self.retry_header, ""))
            if hint in ("true", "false"):
                return hint == "true"
        if code is not None and code in self.final:
            return False
        if code is not None and code in self.retryable:
            return True
        return None


def _text(value: Any) -> str | None:
    if value is MISSING or value is None or isinstance(value, dict | list):
        return None
    return str(value)
