"""The request's remaining time budget, carried in a context variable.

httpx timeouts are per network operation and retries multiply them, so nothing below the
GraphQL request would otherwise know when the client has stopped waiting. The GraphQL view
opens a ``deadline_scope`` per request; every layer asks ``remaining()`` and gives up (with
UPSTREAM_TIMEOUT) rather than start work that cannot finish in time. Monotonic clock: a wall
clock jump must not stretch or cut a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar

_deadline: ContextVar[float | None] = ContextVar("colonnade_deadline", default=None)


def remaining() -> float | None:
    """Seconds left in the current scope, or None outside any scope (never below 0)."""
    at = _deadline.get()
    return None if at is None else max(0.0, at - time.monotonic())


def bounded(seconds: float) -> float:
    """``seconds``, cut to what the current deadline leaves."""
    left = remaining()
    return seconds if left is None else min(seconds, left)


@contextmanager
def deadline_scope(seconds: float) -> Iterator[None]:
    """Open a scope ``seconds`` from now; nested scopes can only shorten the outer one."""
    at = time.monotonic() + seconds
    outer = _deadline.get()
    token = _deadline.set(at if outer is None else min(at, outer))
    try:
        yield
    finally:
        _deadline.reset(token)


@contextmanager
def detached_scope(seconds: float) -> Iterator[None]:
    """A fresh budget that ignores the caller's (background refreshes outlive their request)."""
    token = _deadline.set(time.monotonic() + seconds)
    try:
        yield
    finally:
        _deadline.reset(token)
