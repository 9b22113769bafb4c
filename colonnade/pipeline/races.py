"""Read/write races: a read that began before a write changed its data is not cached.

A write invalidates its tags; a read already in flight may come back with the answer from
before the write. Its value is still served (it was true when read), but storing it would
undo the invalidation — so the write's time is remembered per tag, and a read that started
before it skips the store. In-process only: another replica's write is seen through the
shared cache's invalidation alone.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

_MAX_REMEMBERED_TAGS = 10_000


class WriteRaces:
    def __init__(self) -> None:
        self._invalidated_at: dict[str, float] = {}

    @staticmethod
    def clock() -> float:
        """The time a read began, as ``written_since`` wants it."""
        return time.monotonic()

    def written(self, tags: Sequence[str]) -> None:
        """A write invalidates ``tags`` now."""
        if len(self._invalidated_at) > _MAX_REMEMBERED_TAGS:
            self._invalidated_at.clear()  # a read racing that far back is long done
        self._invalidated_at.update(dict.fromkeys(tags, time.monotonic()))

    def written_since(self, tags: Sequence[str], started: float) -> bool:
        """A write invalidated one of these tags after this read began: its answer may
        predate the write, so it is served but not cached."""
        return any(self._invalidated_at.get(tag, -1.0) >= started for tag in tags)
