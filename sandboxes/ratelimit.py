"""A one-second sliding window, off when the limit is None."""

from __future__ import annotations

import threading
import time
from collections import deque


class RateLimiter:
    """Allows at most `per_s` requests in any rolling second."""

    def __init__(self, per_s: float | None = None) -> None:
        self.per_s = per_s
        self._lock = threading.Lock()
        self._hits: deque[float] = deque()

    def reset(self) -> None:
        with self._lock:
            self._hits.clear()

    def allow(self) -> bool:
        if self.per_s is None:
            return True
        now = time.monotonic()
        with self._lock:
            while self._hits and now - self._hits[0] >= 1.0:
                self._hits.popleft()
            if len(self._hits) >= self.per_s:
                return False
            self._hits.append(now)
            return True
